import Testing

@testable import DataIO

@Suite struct NumericArrayTests {
  @Test func countsAndTypeNames() {
    let f = NumericArray(shape: [2, 2], elements: .float32([1, 2, 3, 4]))
    let d = NumericArray(shape: [], elements: .float64([2.5]))
    let i = NumericArray(shape: [3], elements: .int64([1, -2, 3]))
    #expect(f.count == 4 && d.count == 1 && i.count == 3)
    #expect(f.rank == 2 && d.rank == 0)
    #expect([f.scalarTypeName, d.scalarTypeName, i.scalarTypeName] == ["float32", "float64", "int64"])
    #expect(f.elements.itemSize == 4 && d.elements.itemSize == 8 && i.elements.itemSize == 8)
  }

  @Test func conversions() {
    let f = NumericArray(shape: [2], elements: .float32([0.1, -3]))
    #expect(f.asDoubles == [Double(Float(0.1)), -3])
    #expect(f.asFloats == [0.1, -3])
    let i = NumericArray(shape: [2], elements: .int64([7, -9]))
    #expect(i.asDoubles == [7, -9])
    #expect(i.asFloats == [7, -9])
    let d = NumericArray(shape: [1], elements: .float64([0.1]))
    #expect(d.asFloats == [Float(0.1)])
  }

  @Test func consistencyAndElementCount() {
    #expect(NumericArray.elementCount(ofShape: []) == 1)
    #expect(NumericArray.elementCount(ofShape: [0, 5]) == 0)
    #expect(NumericArray.elementCount(ofShape: [2, 3, 4]) == 24)
    #expect(NumericArray.elementCount(ofShape: [-1]) == nil)
    #expect(NumericArray.elementCount(ofShape: [1 << 40, 1 << 40]) == nil)
    #expect(NumericArray(shape: [2, 3], elements: .float64(.init(repeating: 0, count: 6))).isConsistent)
    #expect(!NumericArray(shape: [2, 3], elements: .float64([0])).isConsistent)
    #expect(!NumericArray(shape: [], elements: .float64([])).isConsistent)
  }

  @Test func nonFiniteDetection() {
    let finite = NumericArray(shape: [3], elements: .float64([1, 2, 3]))
    #expect(!finite.hasNonFinite && finite.firstNonFiniteIndex == nil)
    let withNaN = NumericArray(shape: [2, 3], elements: .float32([0, 1, 2, 3, .nan, .infinity]))
    #expect(withNaN.hasNonFinite && withNaN.firstNonFiniteIndex == 4)
    #expect(withNaN.multiIndex(ofFlatIndex: 4) == [1, 1])
    let withInf = NumericArray(shape: [2], elements: .float64([-.infinity, 1]))
    #expect(withInf.firstNonFiniteIndex == 0)
    #expect(!NumericArray(shape: [1], elements: .int64([.max])).hasNonFinite)
  }

  @Test func multiIndex() {
    let a = NumericArray(shape: [2, 3, 4], elements: .int64(Array(0..<24)))
    #expect(a.multiIndex(ofFlatIndex: 0) == [0, 0, 0])
    #expect(a.multiIndex(ofFlatIndex: 23) == [1, 2, 3])
    #expect(a.multiIndex(ofFlatIndex: 13) == [1, 0, 1])
    #expect(a.multiIndex(ofFlatIndex: 24) == nil)
    #expect(a.multiIndex(ofFlatIndex: -1) == nil)
    #expect(NumericArray(shape: [], elements: .int64([5])).multiIndex(ofFlatIndex: 0) == [])
  }

  @Test func errorDescriptionIsOneLineNamingTheFile() {
    let error = DataIOError(file: "/tmp/some/dir/digits.npy", kind: .malformed, message: "bad\nthing")
    #expect(error.file == "digits.npy")
    #expect(error.description == "digits.npy: bad\\nthing")
    #expect(DataIOError(file: "x.csv", kind: .io, message: "m").description == "x.csv: m")
    #expect(DataIOError(file: "dir/", kind: .io, message: "m").file == "dir")
  }
}
