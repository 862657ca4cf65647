import Foundation
import Testing

@testable import DataIO

/// A fresh directory under the system temporary directory, removed afterwards.
func withTemporaryDirectory<R>(_ body: (String) throws -> R) throws -> R {
  let url = FileManager.default.temporaryDirectory
    .appendingPathComponent("DataIOTests-\(UUID().uuidString)", isDirectory: true)
  try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  defer { try? FileManager.default.removeItem(at: url) }
  return try body(url.path)
}

/// The names in `directory`, sorted, including hidden ones.
func directoryListing(_ directory: String) throws -> [String] {
  try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
}

/// The directory holding the committed fixture files.
let resourcesDirectory = URL(fileURLWithPath: #filePath)
  .deletingLastPathComponent().appendingPathComponent("Resources").path

/// Assembles a `.npy` file by hand: magic, version, little-endian header
/// length (2 bytes for 1.x, 4 otherwise), header text and data.
func npyFile(major: UInt8 = 1, minor: UInt8 = 0, header: String, data: [UInt8] = []) -> [UInt8] {
  let headerBytes = Array(header.utf8)
  var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [major, minor]
  let lengthSize = major == 1 ? 2 : 4
  for i in 0..<lengthSize { bytes.append(UInt8(truncatingIfNeeded: headerBytes.count >> (8 * i))) }
  return bytes + headerBytes + data
}

/// The little-endian bytes of some values.
func littleEndianBytes<T: FixedWidthInteger>(_ values: [T]) -> [UInt8] {
  values.flatMap { value in
    (0..<MemoryLayout<T>.size).map { UInt8(truncatingIfNeeded: value.littleEndian >> (8 * $0)) }
  }
}

/// Checks that `body` throws a `DataIOError` of `kind` whose one-line
/// description is `"<file>: <message>"` with `message` containing `fragment`.
@discardableResult
func expectDataIOError(
  _ kind: DataIOError.Kind, containing fragment: String, file: String = "<memory>",
  sourceLocation: SourceLocation = #_sourceLocation,
  _ body: () throws -> Void
) -> DataIOError? {
  let error = #expect(throws: DataIOError.self, sourceLocation: sourceLocation) { try body() }
  guard let error else { return nil }
  #expect(error.kind == kind, "\(error)", sourceLocation: sourceLocation)
  #expect(error.message.contains(fragment), "\(error)", sourceLocation: sourceLocation)
  #expect(error.description == "\(file): \(error.message)", sourceLocation: sourceLocation)
  #expect(!error.description.contains("\n"), sourceLocation: sourceLocation)
  return error
}

/// Bitwise equality, so NaNs compare equal to themselves.
func bitwiseEqual(_ a: NumericArray, _ b: NumericArray) -> Bool {
  guard a.shape == b.shape else { return false }
  switch (a.elements, b.elements) {
  case (.float32(let x), .float32(let y)): return x.map(\.bitPattern) == y.map(\.bitPattern)
  case (.float64(let x), .float64(let y)): return x.map(\.bitPattern) == y.map(\.bitPattern)
  case (.int64(let x), .int64(let y)): return x == y
  default: return false
  }
}
