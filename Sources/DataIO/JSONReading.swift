//===--- JSONReading.swift -------------------------------------------------===//
//
// This source file is part of the ExplainCert project.
//
//===----------------------------------------------------------------------===//

extension NumericArray {
  /// Reads a JSON file holding a number or nested arrays of numbers as a
  /// `float64` array whose shape is inferred from the nesting.
  ///
  /// All arrays at the same depth must have the same length; a ragged
  /// array is reported with its position, such as `[3][1]`. Python's
  /// `NaN`, `Infinity` and `-Infinity` tokens are accepted. `[]` has shape
  /// `[0]` and a bare number has shape `[]`.
  public static func readJSON(path: String) throws(DataIOError) -> NumericArray {
    let bytes = try FileIO.readAll(path: path)
    return try NumericArray(jsonBytes: bytes, fileName: path)
  }

  /// Parses JSON text; see `readJSON(path:)`. `fileName` is used in errors.
  public init(jsonBytes bytes: [UInt8], fileName: String = "<memory>") throws(DataIOError) {
    let result = bytes.withUnsafeBufferPointer { buffer -> Result<NumericArray, JSONArrayError> in
      var parser = JSONArrayParser(bytes: buffer)
      return Result { () throws(JSONArrayError) in try parser.parseDocument() }
    }
    switch result {
    case .success(let array): self = array
    case .failure(let error):
      throw DataIOError(file: fileName, kind: .malformed, message: error.message)
    }
  }
}

/// Why a JSON document is not a numeric array; `message` is one line.
struct JSONArrayError: Error {
  var message: String
}

/// A single-pass parser that infers the shape from the first element at
/// each depth and checks every other array against it.
private struct JSONArrayParser {
  /// Nesting deeper than this is rejected, which bounds recursion.
  static let maximumDepth = 64

  let bytes: UnsafeBufferPointer<UInt8>
  var position = 0
  /// Extents found so far; -1 marks the first array at that depth while
  /// it is still open.
  var shape: [Int] = []
  /// The depth at which numbers live, once known.
  var leafDepth: Int? = nil
  /// The index of each open array's current element.
  var path: [Int] = []
  var values: [Double] = []

  init(bytes: UnsafeBufferPointer<UInt8>) {
    self.bytes = bytes
    if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { position = 3 }  // byte-order mark
  }

  var here: String { indexPathDescription(path) }

  func error(_ message: String) -> JSONArrayError {
    JSONArrayError(message: message)
  }

  func syntaxError(_ expected: String) -> JSONArrayError {
    let found: String
    if position >= bytes.count {
      found = "end of file"
    } else {
      let end = min(position + 12, bytes.count)
      found = quoteSnippet(String(decoding: UnsafeBufferPointer(rebasing: bytes[position..<end]), as: UTF8.self))
    }
    return error("malformed JSON at byte \(position) (\(here)): expected \(expected), found \(found)")
  }

  mutating func skipWhitespace() {
    while position < bytes.count {
      switch bytes[position] {
      case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"): position += 1
      default: return
      }
    }
  }

  mutating func parseDocument() throws(JSONArrayError) -> NumericArray {
    skipWhitespace()
    guard position < bytes.count else { throw error("empty JSON document") }
    try parseValue(depth: 0)
    skipWhitespace()
    guard position == bytes.count else { throw syntaxError("end of file after the array") }
    return NumericArray(shape: shape, elements: .float64(values))
  }

  mutating func parseValue(depth: Int) throws(JSONArrayError) {
    guard position < bytes.count else { throw syntaxError("a number or an array") }
    switch bytes[position] {
    case UInt8(ascii: "["):
      try parseArray(depth: depth)
    case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "N"), UInt8(ascii: "I"):
      if let leafDepth, leafDepth != depth {
        throw error("expected an array at \(here), found a number")
      }
      leafDepth = depth
      values.append(try parseNumber())
    case UInt8(ascii: "\""): throw error("expected a number at \(here), found a string")
    case UInt8(ascii: "{"): throw error("expected a number at \(here), found an object")
    case UInt8(ascii: "t"), UInt8(ascii: "f"): throw error("expected a number at \(here), found a boolean")
    case UInt8(ascii: "n"): throw error("expected a number at \(here), found null")
    default: throw syntaxError("a number or an array")
    }
  }

  mutating func parseArray(depth: Int) throws(JSONArrayError) {
    if let leafDepth, depth >= leafDepth {
      throw error("expected a number at \(here), found an array")
    }
    guard depth < Self.maximumDepth else {
      throw error("arrays nested more than \(Self.maximumDepth) deep at \(here)")
    }
    let isFirstAtDepth = depth == shape.count
    if isFirstAtDepth { shape.append(-1) }
    position += 1  // "["
    path.append(0)
    var length = 0
    skipWhitespace()
    if position < bytes.count, bytes[position] == UInt8(ascii: "]") {
      position += 1
    } else {
      while true {
        path[path.count - 1] = length
        skipWhitespace()
        try parseValue(depth: depth + 1)
        length += 1
        skipWhitespace()
        guard position < bytes.count else { throw syntaxError("',' or ']'") }
        if bytes[position] == UInt8(ascii: ",") {
          position += 1
        } else if bytes[position] == UInt8(ascii: "]") {
          position += 1
          break
        } else {
          throw syntaxError("',' or ']'")
        }
      }
    }
    path.removeLast()
    if isFirstAtDepth {
      shape[depth] = length
      if length == 0 { leafDepth = depth + 1 }
    } else if length != shape[depth] {
      throw error(
        "ragged array: \(here) has \(length) element\(length == 1 ? "" : "s"), "
          + "expected \(shape[depth])")
    }
  }

  /// Parses a JSON number (or NaN/Infinity/-Infinity) at `position`.
  mutating func parseNumber() throws(JSONArrayError) -> Double {
    let start = position
    func isDigit(_ i: Int) -> Bool {
      i < bytes.count && bytes[i] >= UInt8(ascii: "0") && bytes[i] <= UInt8(ascii: "9")
    }
    func matches(_ word: String) -> Bool {
      let utf8 = Array(word.utf8)
      return bytes.count - position >= utf8.count
        && bytes[position..<position + utf8.count].elementsEqual(utf8)
    }
    if bytes[position] == UInt8(ascii: "-") { position += 1 }
    if matches("Infinity") {
      position += 8
      return bytes[start] == UInt8(ascii: "-") ? -.infinity : .infinity
    }
    if position == start, matches("NaN") {
      position += 3
      return .nan
    }
    guard isDigit(position) else { position = start; throw syntaxError("a number") }
    if bytes[position] == UInt8(ascii: "0") {
      position += 1
    } else {
      while isDigit(position) { position += 1 }
    }
    if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
      position += 1
      guard isDigit(position) else { throw syntaxError("a digit after '.'") }
      while isDigit(position) { position += 1 }
    }
    if position < bytes.count, bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E") {
      position += 1
      if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") {
        position += 1
      }
      guard isDigit(position) else { throw syntaxError("a digit in the exponent") }
      while isDigit(position) { position += 1 }
    }
    let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
    guard let value = Double(text) else {
      throw error("malformed JSON at byte \(start) (\(here)): invalid number \(quoteSnippet(text))")
    }
    return value
  }
}
