import Testing

@testable import DataIO

@Suite struct NPYRoundTripTests {
  static let shapes: [[Int]] = [[], [0], [5], [2, 3], [3, 0, 2], [1, 1, 1, 4], [2, 2, 2, 2, 2]]

  static func sample(_ type: String, shape: [Int]) -> NumericArray {
    let n = NumericArray.elementCount(ofShape: shape) ?? 0
    switch type {
    case "float32":
      return NumericArray(shape: shape, elements: .float32((0..<n).map { Float($0) * 0.37 - 1.5 }))
    case "float64":
      return NumericArray(shape: shape, elements: .float64((0..<n).map { Double($0) / 3 - 100 }))
    default:
      return NumericArray(shape: shape, elements: .int64((0..<n).map { Int64($0) * 1_000_000_007 - 5 }))
    }
  }

  @Test(arguments: ["float32", "float64", "int64"], shapes)
  func roundTripInMemory(type: String, shape: [Int]) throws {
    let array = Self.sample(type, shape: shape)
    let bytes = try array.npyBytes()
    #expect(try NumericArray(npyBytes: bytes) == array)
  }

  @Test(arguments: ["float32", "float64", "int64"])
  func roundTripThroughFile(type: String) throws {
    try withTemporaryDirectory { directory in
      let path = directory + "/a.npy"
      let array = Self.sample(type, shape: [4, 3])
      try array.writeNPY(path: path)
      #expect(try NumericArray.readNPY(path: path) == array)
      #expect(try NumericArray.load(path: path) == array)
    }
  }

  @Test func specialValuesSurviveBitExactly() throws {
    let values: [Double] = [.nan, -.infinity, .infinity, -0.0, .leastNonzeroMagnitude, .greatestFiniteMagnitude]
    let array = NumericArray(shape: [6], elements: .float64(values))
    #expect(bitwiseEqual(try NumericArray(npyBytes: array.npyBytes()), array))
    let floats = NumericArray(shape: [2], elements: .float32([.nan, .leastNonzeroMagnitude]))
    #expect(bitwiseEqual(try NumericArray(npyBytes: floats.npyBytes()), floats))
    let ints = NumericArray(shape: [2], elements: .int64([.min, .max]))
    #expect(try NumericArray(npyBytes: ints.npyBytes()) == ints)
  }

  @Test(arguments: shapes)
  func headerIsAlignedAndNumPyShaped(shape: [Int]) throws {
    let bytes = try Self.sample("float32", shape: shape).npyBytes()
    #expect(Array(bytes[0..<8]) == npyMagic + [1, 0])
    let headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
    #expect((10 + headerLength) % 64 == 0)
    let header = String(decoding: bytes[10..<(10 + headerLength)], as: UTF8.self)
    #expect(header.hasPrefix("{'descr': '<f4', 'fortran_order': False, 'shape': \(pythonTupleDescription(shape)), }"))
    #expect(header.hasSuffix(" \n"))
    #expect(bytes.count == 10 + headerLength + 4 * (NumericArray.elementCount(ofShape: shape) ?? 0))
  }

  @Test func pythonTupleSpelling() {
    #expect(pythonTupleDescription([]) == "()")
    #expect(pythonTupleDescription([5]) == "(5,)")
    #expect(pythonTupleDescription([2, 3]) == "(2, 3)")
  }

  @Test func versionTwoIsUsedWhenTheHeaderIsTooLongForVersionOne() throws {
    // 30000 axes of extent 1: "1, " * 30000 is about 90 kB of header.
    let array = NumericArray(shape: Array(repeating: 1, count: 30_000), elements: .float64([42]))
    let bytes = try array.npyBytes()
    #expect(bytes[6] == 2 && bytes[7] == 0)
    let headerLength = (0..<4).reduce(0) { $0 | Int(bytes[8 + $1]) << (8 * $1) }
    #expect(headerLength > 65535)
    #expect((12 + headerLength) % 64 == 0)
    #expect(try NumericArray(npyBytes: bytes) == array)
  }

  @Test func readsHandBuiltVersionTwoAndThreeHeaders() throws {
    let data = littleEndianBytes([Double(1.5).bitPattern, Double(-2).bitPattern])
    let header = "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }\n"
    for major: UInt8 in [1, 2, 3] {
      let array = try NumericArray(npyBytes: npyFile(major: major, header: header, data: data))
      #expect(array == NumericArray(shape: [2], elements: .float64([1.5, -2])))
    }
  }

  @Test func acceptsHeaderVariationsNumPyAccepts() throws {
    let data = littleEndianBytes([Int64(7), 8, 9, 10, 11, 12])
    let variants = [
      "{'shape': (2, 3), 'fortran_order': False, 'descr': '<i8'}",   // other key order, no trailing comma
      "{\"descr\":\"<i8\",\"fortran_order\":False,\"shape\":(2,3,)}",  // double quotes, no spaces
      "{'descr': '<i8', 'fortran_order': False, 'shape': (2L, 3L), }",  // Python 2 longs
      "  {'descr': '<i8',\n 'fortran_order': False, 'shape': ( 2 , 3 )}  \n",
    ]
    for header in variants {
      let array = try NumericArray(npyBytes: npyFile(header: header, data: data))
      #expect(array == NumericArray(shape: [2, 3], elements: .int64([7, 8, 9, 10, 11, 12])), "\(header)")
    }
  }

  @Test func widensInt32AndConvertsUInt8() throws {
    let int32 = try NumericArray(npyBytes: npyFile(
      header: "{'descr': '<i4', 'fortran_order': False, 'shape': (3,), }",
      data: littleEndianBytes([Int32.max, Int32.min, -1])))
    #expect(int32 == NumericArray(shape: [3], elements: .int64([Int64(Int32.max), Int64(Int32.min), -1])))
    for descr in ["|u1", "<u1"] {
      let uint8 = try NumericArray(npyBytes: npyFile(
        header: "{'descr': '\(descr)', 'fortran_order': False, 'shape': (2, 2), }", data: [0, 7, 128, 255]))
      #expect(uint8 == NumericArray(shape: [2, 2], elements: .float32([0, 7, 128, 255])))
    }
  }

  @Test func fortranOrderIsAcceptedWhenTheLayoutIsTheSame() throws {
    let data = littleEndianBytes([Float(1).bitPattern, Float(2).bitPattern, Float(3).bitPattern])
    for shape in ["(3,)", "(1, 3)", "(3, 1, 1)"] {
      let array = try NumericArray(npyBytes: npyFile(
        header: "{'descr': '<f4', 'fortran_order': True, 'shape': \(shape), }", data: data))
      #expect(array.elements == .float32([1, 2, 3]))
    }
  }

  @Test func readsAMegabyteSizedFile() throws {
    let n = 1 << 20
    let array = NumericArray(shape: [1024, 1024], elements: .float32((0..<n).map { Float($0) }))
    try withTemporaryDirectory { directory in
      let path = directory + "/big.npy"
      try array.writeNPY(path: path)
      let clock = ContinuousClock()
      var loaded: NumericArray? = nil
      let elapsed = try clock.measure { loaded = try NumericArray.readNPY(path: path) }
      #expect(loaded == array)
      #expect(elapsed < .seconds(2), "reading 4 MB took \(elapsed)")
    }
  }
}
