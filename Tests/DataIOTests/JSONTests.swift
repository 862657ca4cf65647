import Testing

@testable import DataIO

@Suite struct JSONTests {
  func json(_ text: String) throws -> NumericArray {
    try NumericArray(jsonBytes: Array(text.utf8), fileName: "w.json")
  }

  func expectJSONError(_ text: String, _ fragment: String, sourceLocation: SourceLocation = #_sourceLocation) {
    expectDataIOError(.malformed, containing: fragment, file: "w.json", sourceLocation: sourceLocation) {
      _ = try json(text)
    }
  }

  @Test func nestedShapes() throws {
    #expect(try json("[[1, 2, 3], [4, 5, 6]]") == NumericArray(shape: [2, 3], elements: .float64([1, 2, 3, 4, 5, 6])))
    #expect(try json(" [ [ [1] , [2] ] ,[[3],[4]] ] ") == NumericArray(shape: [2, 2, 1], elements: .float64([1, 2, 3, 4])))
    #expect(try json("[0.5, -1e-3, 2E+2, -0]") == NumericArray(shape: [4], elements: .float64([0.5, -0.001, 200, -0.0])))
  }

  @Test func scalarsAndEmptyArrays() throws {
    #expect(try json("42") == NumericArray(shape: [], elements: .float64([42])))
    #expect(try json("[]") == NumericArray(shape: [0], elements: .float64([])))
    #expect(try json("[[], []]") == NumericArray(shape: [2, 0], elements: .float64([])))
    #expect(try json("[[[]]]") == NumericArray(shape: [1, 1, 0], elements: .float64([])))
  }

  @Test func pythonNonFiniteTokens() throws {
    let values = try json("[NaN, Infinity, -Infinity]").asDoubles
    #expect(values[0].isNaN && values[1] == .infinity && values[2] == -.infinity)
  }

  @Test func raggedArraysNameThePath() {
    expectJSONError("[[1, 2], [3]]", "ragged array: [1] has 1 element, expected 2")
    expectJSONError("[[1,2],[3,4],[5,6],[[7],[8,9]]]", "expected a number at [3][0], found an array")
    let grid = "[[[1],[2]],[[3],[4]],[[5],[6]],[[7],[8, 9]]]"
    let error = expectDataIOError(.malformed, containing: "[3][1]", file: "w.json") { _ = try json(grid) }
    #expect(error?.message == "ragged array: [3][1] has 2 elements, expected 1")
    expectJSONError("[[1], 2]", "expected an array at [1], found a number")
    expectJSONError("[[], [1]]", "ragged array: [1] has 1 element, expected 0")
    expectJSONError("[[[]], [1]]", "expected an array at [1][0], found a number")
  }

  @Test func nonNumbersAreNamed() {
    expectJSONError("[1, \"2\"]", "expected a number at [1], found a string")
    expectJSONError("[true]", "found a boolean")
    expectJSONError("[[1, null]]", "expected a number at [0][1], found null")
    expectJSONError("{\"a\": 1}", "found an object")
  }

  @Test func syntaxErrors() {
    expectJSONError("", "empty JSON document")
    expectJSONError("   ", "empty JSON document")
    expectJSONError("[1, 2", "expected ',' or ']', found end of file")
    expectJSONError("[1 2]", "expected ',' or ']'")
    expectJSONError("[1,]", "expected a number or an array")
    expectJSONError("[01]", "expected ',' or ']'")
    expectJSONError("[1.]", "a digit after '.'")
    expectJSONError("[1e]", "a digit in the exponent")
    expectJSONError("[-]", "expected a number")
    expectJSONError("[+1]", "expected a number or an array")
    expectJSONError("[1] [2]", "end of file after the array")
    expectJSONError(String(repeating: "[", count: 100_000), "nested more than 64 deep")
  }

  @Test func writesNestedArrays() throws {
    let matrix = NumericArray(shape: [2, 2], elements: .float64([1, 0.1, -2.5, 1e-5]))
    #expect(try matrix.jsonText() == "[[1.0,0.1],[-2.5,1e-05]]\n")
    #expect(try NumericArray(shape: [], elements: .int64([-7])).jsonText() == "-7\n")
    #expect(try NumericArray(shape: [0], elements: .float32([])).jsonText() == "[]\n")
    #expect(try NumericArray(shape: [2, 0], elements: .float32([])).jsonText() == "[[],[]]\n")
    #expect(try NumericArray(shape: [3], elements: .float32([0.1, 3, 16777216])).jsonText() == "[0.1,3.0,16777216.0]\n")
  }

  @Test(arguments: [[], [0], [4], [2, 3], [2, 0], [2, 1, 3]] as [[Int]])
  func roundTrip(shape: [Int]) throws {
    let n = NumericArray.elementCount(ofShape: shape) ?? 0
    let array = NumericArray(shape: shape, elements: .float64((0..<n).map { Double($0) * 1.1 - 3 }))
    #expect(try NumericArray(jsonBytes: Array(array.jsonText().utf8)) == array)
  }

  @Test func roundTripThroughFile() throws {
    try withTemporaryDirectory { directory in
      let path = directory + "/w.json"
      let array = NumericArray(shape: [3, 2], elements: .int64([1, 2, 3, 4, 5, -6]))
      try array.writeJSON(path: path)
      let expected = NumericArray(shape: [3, 2], elements: .float64([1, 2, 3, 4, 5, -6]))
      #expect(try NumericArray.readJSON(path: path) == expected)
      #expect(try NumericArray.load(path: path) == expected)
    }
  }

  @Test func writingNonFiniteOrInconsistentArraysThrows() {
    let withNaN = NumericArray(shape: [2, 2], elements: .float64([1, 2, 3, .nan]))
    expectDataIOError(.invalidArray, containing: "cannot write nan at [1][1] as JSON") { _ = try withNaN.jsonText() }
    let bad = NumericArray(shape: [3], elements: .float64([1]))
    expectDataIOError(.invalidArray, containing: "needs 3 elements") { _ = try bad.jsonText() }
  }
}
