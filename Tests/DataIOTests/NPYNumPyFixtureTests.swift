import Foundation
import Testing

@testable import DataIO

/// Files written by NumPy itself (see Resources/generate_fixtures.py).
@Suite struct NPYNumPyFixtureTests {
  func fixture(_ name: String) throws -> NumericArray {
    try NumericArray.readNPY(path: resourcesDirectory + "/" + name)
  }

  func fixtureBytes(_ name: String) throws -> [UInt8] {
    Array(try Data(contentsOf: URL(fileURLWithPath: resourcesDirectory + "/" + name)))
  }

  @Test func float32Matrix() throws {
    let array = try fixture("float32_2x3.npy")
    #expect(array == NumericArray(shape: [2, 3], elements: .float32([1.5, -2.25, 3, 0.1, 1e-3, 65504])))
  }

  @Test func float64Scalar() throws {
    #expect(try fixture("float64_scalar.npy") == NumericArray(shape: [], elements: .float64([3.141592653589793])))
  }

  @Test func int64Vector() throws {
    let expected: [Int64] = [1, -2, 9_007_199_254_740_993, .min]
    #expect(try fixture("int64_4.npy") == NumericArray(shape: [4], elements: .int64(expected)))
  }

  @Test func versionTwoHeader() throws {
    #expect(try fixtureBytes("float64_v2.npy")[6] == 2)
    #expect(try fixture("float64_v2.npy") == NumericArray(shape: [2, 2], elements: .float64([0.5, -1, 2, 1e300])))
  }

  @Test func versionThreeHeader() throws {
    #expect(try fixtureBytes("float32_v3.npy")[6] == 3)
    let array = try fixture("float32_v3.npy")
    #expect(array.shape == [2])
    #expect(array.asFloats.map(\.bitPattern) == [Float(7).bitPattern, Float(-0.0).bitPattern])
  }

  @Test func int32AndUInt8() throws {
    #expect(try fixture("int32_3.npy") == NumericArray(shape: [3], elements: .int64([2_147_483_647, -2_147_483_648, 5])))
    #expect(try fixture("uint8_2x2.npy") == NumericArray(shape: [2, 2], elements: .float32([0, 1, 128, 255])))
  }

  @Test func emptyMatrix() throws {
    #expect(try fixture("float32_0x3.npy") == NumericArray(shape: [0, 3], elements: .float32([])))
  }

  @Test func fortranAndBigEndianFilesAreRejected() {
    expectDataIOError(.unsupported, containing: "Fortran-order", file: "float64_fortran_2x3.npy") {
      _ = try fixture("float64_fortran_2x3.npy")
    }
    expectDataIOError(.unsupported, containing: "big-endian dtype '>f4'", file: "float32_bigendian.npy") {
      _ = try fixture("float32_bigendian.npy")
    }
  }

  /// Writing the same arrays reproduces NumPy's files byte for byte.
  @Test(arguments: ["float32_2x3.npy", "float64_scalar.npy", "int64_4.npy", "float32_0x3.npy"])
  func writesExactlyWhatNumPyWrites(name: String) throws {
    #expect(try fixture(name).npyBytes() == fixtureBytes(name))
  }
}
