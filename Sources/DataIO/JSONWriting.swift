//===--- JSONWriting.swift -------------------------------------------------===//
//
// This source file is part of the ExplainCert project.
//
//===----------------------------------------------------------------------===//

extension NumericArray {
  /// Writes the array as nested JSON arrays, atomically (see `jsonText()`).
  public func writeJSON(path: String) throws(DataIOError) {
    let text = try jsonText(fileName: path)
    try FileIO.writeAtomically(Array(text.utf8), to: path)
  }

  /// The array as nested JSON arrays on one line, ending in a newline:
  /// `[[1.0,2.0],[3.0,4.0]]`. A scalar is a bare number. Floating-point
  /// values use the shortest text that reads back to the same value.
  ///
  /// Throws if the shape does not match the element count, or if an
  /// element is NaN or infinite (JSON has no such numbers). Shapes with a
  /// zero extent lose the extents after it: shape `[0, 3]` writes `[]`.
  public func jsonText() throws(DataIOError) -> String {
    try jsonText(fileName: "<memory>")
  }

  func jsonText(fileName: String) throws(DataIOError) -> String {
    try checkConsistent(fileName: fileName)
    if let flat = firstNonFiniteIndex {
      let position = multiIndex(ofFlatIndex: flat).map(indexPathDescription) ?? "[\(flat)]"
      throw DataIOError(
        file: fileName, kind: .invalidArray,
        message: "cannot write \(scalarDescription(at: flat)) at \(position) as JSON")
    }
    let scalars: [String] = switch elements {
    case .float32(let values): values.map(\.description)
    case .float64(let values): values.map(\.description)
    case .int64(let values): values.map(\.description)
    }
    var text = ""
    var next = 0
    func appendNested(axis: Int) {
      guard axis < shape.count else {
        text += scalars[next]
        next += 1
        return
      }
      text += "["
      for i in 0..<shape[axis] {
        if i > 0 { text += "," }
        appendNested(axis: axis + 1)
      }
      text += "]"
    }
    appendNested(axis: 0)
    return text + "\n"
  }

  private func scalarDescription(at flat: Int) -> String {
    switch elements {
    case .float32(let values): values[flat].description
    case .float64(let values): values[flat].description
    case .int64(let values): values[flat].description
    }
  }
}
