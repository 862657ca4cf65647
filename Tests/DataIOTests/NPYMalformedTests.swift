import Testing

@testable import DataIO

@Suite struct NPYMalformedTests {
  static let validHeader = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }"
  static let twoFloats = littleEndianBytes([Float(1).bitPattern, Float(2).bitPattern])

  func expectMalformed(
    _ bytes: [UInt8], _ fragment: String, kind: DataIOError.Kind = .malformed,
    sourceLocation: SourceLocation = #_sourceLocation
  ) {
    expectDataIOError(kind, containing: fragment, file: "digits.npy", sourceLocation: sourceLocation) {
      _ = try NumericArray(npyBytes: bytes, fileName: "/data/digits.npy")
    }
  }

  @Test func emptyAndTruncatedFiles() {
    expectMalformed([], "empty file")
    expectMalformed(Array(npyFile(header: Self.validHeader).prefix(4)), "truncated .npy file")
    expectMalformed(npyMagic + [1, 0], "truncated .npy file")
    expectMalformed(npyMagic + [2, 0, 0x10, 0], "truncated .npy file")
    let file = npyFile(header: Self.validHeader, data: Self.twoFloats)
    expectMalformed(Array(file.prefix(30)), "truncated .npy file: header length")
  }

  @Test func everyTruncationIsAnErrorNotACrash() throws {
    let file = try NumericArray(shape: [2, 3], elements: .float64([1, 2, 3, 4, 5, 6])).npyBytes()
    for length in 0..<file.count {
      #expect(throws: DataIOError.self) { _ = try NumericArray(npyBytes: Array(file.prefix(length))) }
    }
  }

  @Test func corruptingAnyHeaderByteNeverCrashes() throws {
    let file = try NumericArray(shape: [2, 3], elements: .int64([1, 2, 3, 4, 5, 6])).npyBytes()
    for position in 0..<(file.count - 48) {
      for replacement: UInt8 in [0x00, 0x22, 0x27, 0x28, 0x29, 0x2C, 0x31, 0x39, 0x7B, 0x7D, 0xFF] {
        var corrupted = file
        corrupted[position] = replacement
        _ = try? NumericArray(npyBytes: corrupted)
      }
    }
  }

  @Test func badMagic() {
    expectMalformed(Array("PK\u{3}\u{4}not numpy at all".utf8), "not a .npy file (bad magic string)")
    var file = npyFile(header: Self.validHeader, data: Self.twoFloats)
    file[5] = UInt8(ascii: "Z")
    expectMalformed(file, "bad magic")
  }

  @Test func unsupportedVersions() {
    expectMalformed(npyFile(major: 4, header: Self.validHeader, data: Self.twoFloats),
                    "unsupported .npy format version 4.0", kind: .unsupported)
    expectMalformed(npyFile(major: 1, minor: 1, header: Self.validHeader, data: Self.twoFloats),
                    "unsupported .npy format version 1.1", kind: .unsupported)
  }

  @Test(arguments: ["descr", "fortran_order", "shape"])
  func missingKey(key: String) {
    let entries = ["'descr': '<f4'", "'fortran_order': False", "'shape': (2,)"]
      .filter { !$0.hasPrefix("'\(key)'") }
    let header = "{" + entries.joined(separator: ", ") + "}"
    expectMalformed(npyFile(header: header, data: Self.twoFloats), "malformed .npy header: missing '\(key)'")
  }

  @Test func exactMessageForMissingShape() {
    let file = npyFile(header: "{'descr': '<f4', 'fortran_order': False, }", data: Self.twoFloats)
    #expect(throws: DataIOError(file: "digits.npy", kind: .malformed, message: "malformed .npy header: missing 'shape'")) {
      _ = try NumericArray(npyBytes: file, fileName: "digits.npy")
    }
  }

  @Test func malformedHeaderSyntax() {
    let cases: [(String, String)] = [
      ("", "unexpected end of header"),
      ("['descr', '<f4']", "expected a dict, found a list"),
      ("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'extra': 1}", "unexpected key 'extra'"),
      ("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2,)}", "duplicate key 'descr'"),
      ("{'descr': '<f4, 'fortran_order': False, 'shape': (2,)}", "malformed .npy header"),
      ("{'descr': '<f4' 'fortran_order': False}", "expected ',' or '}'"),
      ("{'descr': '<f4', 'fortran_order': False, 'shape': (2,)} junk", "after the literal"),
      ("{'descr': '<f4', 'fortran_order': false, 'shape': (2,)}", "unexpected name 'false'"),
      ("{'descr': '<f4', 'fortran_order': 0, 'shape': (2,)}", "'fortran_order' must be True or False"),
      ("{'descr': 4, 'fortran_order': False, 'shape': (2,)}", "'descr' must be a string"),
      ("{'descr': '<f4', 'fortran_order': False, 'shape': [2]}", "'shape' must be a tuple"),
      ("{'descr': '<f4', 'fortran_order': False, 'shape': (2)}", "'shape' must be a tuple"),
      ("{'descr': '<f4', 'fortran_order': False, 'shape': (-2,)}", "'shape' must be a tuple of non-negative"),
      ("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 'x')}", "'shape' must be a tuple"),
      ("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999999,)}", "integer too large"),
      ("{'descr': '<f4', 'fortran_order': False, 'shape': (2,}", "unexpected character '}' at offset"),
      ("{'descr': '<f4', 'fortran_order': False, 'shape': " + String(repeating: "(", count: 10_000),
       "nested too deeply"),
      ("{1: 2}", "expected a string key"),
    ]
    for (header, fragment) in cases {
      expectMalformed(npyFile(header: header, data: Self.twoFloats), fragment)
    }
  }

  @Test func versionThreeHeaderMustBeUTF8() {
    var header = Array(Self.validHeader.utf8)
    header[header.count - 2] = 0xFF
    var file: [UInt8] = npyMagic + [3, 0] + littleEndianBytes([UInt32(header.count)])
    file += header + Self.twoFloats
    expectMalformed(file, "not valid UTF-8")
  }

  @Test func unsupportedDtypes() {
    for descr in ["<c16", "<f2", "|b1", "<U10", "<i2", "f8"] {
      let header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': (2,), }"
      let error = expectDataIOError(.unsupported, containing: descr, file: "digits.npy") {
        _ = try NumericArray(npyBytes: npyFile(header: header, data: Self.twoFloats), fileName: "digits.npy")
      }
      #expect(error?.message.contains("dtype") == true)
    }
    let structured = "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }"
    expectMalformed(npyFile(header: structured, data: Self.twoFloats), "structured dtypes", kind: .unsupported)
  }

  @Test func bigEndianIsRejectedClearly() {
    for descr in [">f4", ">f8", ">i8", ">i4"] {
      let header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': (1,), }"
      expectMalformed(npyFile(header: header, data: [0, 0, 0, 0, 0, 0, 0, 0]),
                      "big-endian dtype '\(descr)' is not supported", kind: .unsupported)
    }
  }

  @Test func fortranOrderIsRejected() {
    let header = "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }"
    expectMalformed(npyFile(header: header, data: Array(repeating: 0, count: 24)),
                    "Fortran-order arrays are not supported", kind: .unsupported)
  }

  @Test func dataLengthMustMatchTheShape() {
    let header = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }"
    expectMalformed(npyFile(header: header, data: Array(repeating: 0, count: 20)),
                    "data too short: shape (2, 3) of '<f4' needs 24 bytes, found 20")
    expectMalformed(npyFile(header: header, data: Array(repeating: 0, count: 25)),
                    "1 unexpected trailing bytes")
    let scalar = "{'descr': '<f8', 'fortran_order': False, 'shape': (), }"
    expectMalformed(npyFile(header: scalar, data: []), "data too short: shape () of '<f8' needs 8 bytes, found 0")
  }

  @Test func hostileShapesAreRejectedWithoutAllocating() {
    let overflowing = "{'descr': '<f8', 'fortran_order': False, 'shape': (4611686018427387904, 4611686018427387904), }"
    expectMalformed(npyFile(header: overflowing, data: Self.twoFloats), "element count overflows")
    let byteOverflow = "{'descr': '<f8', 'fortran_order': False, 'shape': (4611686018427387904,), }"
    expectMalformed(npyFile(header: byteOverflow, data: Self.twoFloats), "byte count overflows")
    // Huge but representable: must fail on the length check, not try to allocate 8 TB.
    let huge = "{'descr': '<f8', 'fortran_order': False, 'shape': (1099511627776,), }"
    expectMalformed(npyFile(header: huge, data: Self.twoFloats), "needs 8796093022208 bytes, found 8")
    // A zero extent makes the huge ones harmless.
    let empty = "{'descr': '<f8', 'fortran_order': False, 'shape': (0, 4611686018427387904, 4611686018427387904), }"
    #expect(throws: Never.self) { _ = try NumericArray(npyBytes: npyFile(header: empty)) }
  }

  @Test func missingFileIsAnIOErrorNamingTheFile() {
    expectDataIOError(.io, containing: "No such file", file: "nope.npy") {
      _ = try NumericArray.readNPY(path: "/nonexistent-dir-\(UInt64.random(in: 0 ... .max))/nope.npy")
    }
    expectDataIOError(.io, containing: "is a directory", file: "tmp") {
      _ = try NumericArray.readNPY(path: "/tmp")
    }
  }

  @Test func writingAnInconsistentArrayThrows() {
    let bad = NumericArray(shape: [2, 3], elements: .float32([1, 2]))
    expectDataIOError(.invalidArray, containing: "shape (2, 3) needs 6 elements, but the array has 2") {
      _ = try bad.npyBytes()
    }
    let negative = NumericArray(shape: [-1], elements: .float32([]))
    expectDataIOError(.invalidArray, containing: "is invalid") { _ = try negative.npyBytes() }
  }
}
