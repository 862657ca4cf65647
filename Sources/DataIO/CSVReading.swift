//===--- CSVReading.swift --------------------------------------------------===//
//
// This source file is part of the ExplainCert project.
//
//===----------------------------------------------------------------------===//

extension NumericArray {
  /// Reads a numeric CSV file as a `float64` array of shape `[rows, columns]`.
  ///
  /// Values are separated by commas; surrounding spaces and double quotes
  /// are ignored, and blank lines are skipped. If any cell of the first row
  /// is not a number, that row is taken as a header and skipped. Every row
  /// must have as many values as the first (or the header); `nan` and `inf`
  /// are accepted. A file with no data rows yields shape `[0, columns]`.
  public static func readCSV(path: String) throws(DataIOError) -> NumericArray {
    let bytes = try FileIO.readAll(path: path)
    return try NumericArray(csvBytes: bytes, fileName: path)
  }

  /// Parses CSV text; see `readCSV(path:)`. `fileName` is used in errors.
  public init(csvBytes bytes: [UInt8], fileName: String = "<memory>") throws(DataIOError) {
    var values: [Double] = []
    var columns: Int? = nil
    var rows = 0
    var lineNumber = 0
    var cells: [Substring] = []
    var failure: DataIOError? = nil

    let text = String(decoding: bytes, as: UTF8.self)
    var remaining = Substring(text)
    if remaining.first == "\u{FEFF}" { remaining = remaining.dropFirst() }  // byte-order mark

    while !remaining.isEmpty, failure == nil {
      lineNumber += 1
      var line: Substring
      if let newline = remaining.utf8.firstIndex(of: UInt8(ascii: "\n")) {
        line = remaining[..<newline]
        remaining = remaining[remaining.utf8.index(after: newline)...]
      } else {
        line = remaining
        remaining = remaining[remaining.endIndex...]
      }
      if line.utf8.last == UInt8(ascii: "\r") { line = line.dropLast() }
      if line.utf8.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }) { continue }

      guard splitCSVLine(line, into: &cells) else {
        failure = DataIOError(file: fileName, kind: .malformed, message: "line \(lineNumber): unterminated quoted value")
        break
      }

      if columns == nil {
        columns = cells.count
        if cells.contains(where: { Double($0) == nil }) { continue }  // header row
      }
      guard cells.count == columns else {
        failure = DataIOError(
          file: fileName, kind: .malformed,
          message: "line \(lineNumber) has \(cells.count) values, expected \(columns ?? 0)")
        break
      }
      for (column, cell) in cells.enumerated() {
        // Double(_:) parses through C's strtod, which stops at a NUL: a cell holding one is
        // rejected whole, never read as its prefix.
        guard !cell.utf8.contains(0), let value = Double(cell) else {
          let problem = cell.isEmpty ? "empty value" : "\(quoteSnippet(cell)) is not a number"
          failure = DataIOError(
            file: fileName, kind: .malformed,
            message: "line \(lineNumber), column \(column + 1): \(problem)")
          break
        }
        values.append(value)
      }
      rows += 1
    }
    if let failure { throw failure }
    self.init(shape: [rows, columns ?? 0], elements: .float64(values))
  }
}

/// Splits one CSV line at commas outside double quotes, trimming spaces
/// and tabs and removing the quotes (`""` inside quotes is a literal `"`).
/// Returns `false` if a quote is left open.
private func splitCSVLine(_ line: Substring, into cells: inout [Substring]) -> Bool {
  cells.removeAll(keepingCapacity: true)
  var inQuotes = false
  var needsUnquoting = false
  var start = line.startIndex
  var index = line.startIndex
  let utf8 = line.utf8
  func finishCell(upTo end: Substring.Index) {
    var cell = line[start..<end]
    while let first = cell.utf8.first, first == UInt8(ascii: " ") || first == UInt8(ascii: "\t") {
      cell = cell.dropFirst()
    }
    while let last = cell.utf8.last, last == UInt8(ascii: " ") || last == UInt8(ascii: "\t") {
      cell = cell.dropLast()
    }
    if needsUnquoting {
      var unquoted = ""
      var quoteRun = 0
      for character in cell.unicodeScalars {
        if character == "\"" {
          quoteRun += 1
          if quoteRun == 2 { unquoted.append("\""); quoteRun = 0 }
        } else {
          quoteRun = 0
          unquoted.unicodeScalars.append(character)
        }
      }
      cell = Substring(unquoted)
      needsUnquoting = false
    }
    cells.append(cell)
  }
  while index < line.endIndex {
    let byte = utf8[index]
    if byte == UInt8(ascii: "\"") {
      inQuotes.toggle()
      needsUnquoting = true
    } else if byte == UInt8(ascii: ","), !inQuotes {
      finishCell(upTo: index)
      start = utf8.index(after: index)
    }
    index = utf8.index(after: index)
  }
  finishCell(upTo: line.endIndex)
  return !inQuotes
}
