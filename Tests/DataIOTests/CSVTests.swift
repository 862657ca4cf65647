import Testing

@testable import DataIO

@Suite struct CSVTests {
  func csv(_ text: String) throws -> NumericArray {
    try NumericArray(csvBytes: Array(text.utf8), fileName: "x.csv")
  }

  @Test func withoutHeader() throws {
    let array = try csv("1,2,3\n4.5,-6e2,7\n")
    #expect(array == NumericArray(shape: [2, 3], elements: .float64([1, 2, 3, 4.5, -600, 7])))
  }

  @Test func withHeaderBlankLinesSpacesAndCRLF() throws {
    let array = try csv("\u{FEFF}a, b ,\"c, quoted\"\r\n\r\n 1 , 2,3\r\n   \r\n4,5,6")
    #expect(array == NumericArray(shape: [2, 3], elements: .float64([1, 2, 3, 4, 5, 6])))
  }

  @Test func headerDetectedByAnyNonNumericCell() throws {
    #expect(try csv("1,x\n2,3\n").shape == [1, 2])
    #expect(try csv("x,1\n2,3\n").shape == [1, 2])
  }

  @Test func quotedNumbersAndSpecialValues() throws {
    let array = try csv("\"1.5\",nan,inf,-inf\n")
    #expect(array.shape == [1, 4])
    let values = array.asDoubles
    #expect(values[0] == 1.5 && values[1].isNaN && values[2] == .infinity && values[3] == -.infinity)
  }

  @Test func emptyAndHeaderOnly() throws {
    #expect(try csv("") == NumericArray(shape: [0, 0], elements: .float64([])))
    #expect(try csv("\n  \n") == NumericArray(shape: [0, 0], elements: .float64([])))
    #expect(try csv("a,b,c\n") == NumericArray(shape: [0, 3], elements: .float64([])))
  }

  @Test func singleColumn() throws {
    #expect(try csv("y\n1\n2\n") == NumericArray(shape: [2, 1], elements: .float64([1, 2])))
  }

  @Test func raggedRowNamesTheLine() {
    let error = expectDataIOError(.malformed, containing: "line 4 has 3 values, expected 5", file: "x.csv") {
      _ = try csv("a,b,c,d,e\n1,2,3,4,5\n\n1,2,3\n")
    }
    #expect(error?.description == "x.csv: line 4 has 3 values, expected 5")
    expectDataIOError(.malformed, containing: "line 2 has 3 values, expected 2", file: "x.csv") {
      _ = try csv("1,2\n1,2,3\n")
    }
  }

  @Test func nonNumericDataCellNamesLineAndColumn() {
    expectDataIOError(.malformed, containing: "line 3, column 2: 'abc' is not a number", file: "x.csv") {
      _ = try csv("a,b\n1,2\n3,abc\n")
    }
    expectDataIOError(.malformed, containing: "line 2, column 3: empty value", file: "x.csv") {
      _ = try csv("1,2,3\n4,5,\n")
    }
  }

  @Test func unterminatedQuote() {
    expectDataIOError(.malformed, containing: "line 1: unterminated quoted value", file: "x.csv") {
      _ = try csv("\"a,b\n1,2\n")
    }
  }

  @Test func fileRoundTripAndLoad() throws {
    try withTemporaryDirectory { directory in
      let path = directory + "/data.CSV"
      try Array("p,q\n1,2\n3,4\n".utf8).writeAsTestFile(to: path)
      let expected = NumericArray(shape: [2, 2], elements: .float64([1, 2, 3, 4]))
      #expect(try NumericArray.readCSV(path: path) == expected)
      #expect(try NumericArray.load(path: path) == expected)
    }
  }

  @Test func megabyteSizedCSV() throws {
    var text = ""
    for row in 0..<20_000 {
      text += (0..<10).map { String(Double(row * 10 + $0) * 0.25) }.joined(separator: ",") + "\n"
    }
    let array = try csv(text)
    #expect(array.shape == [20_000, 10])
    #expect(array.asDoubles.last == 199_999 * 0.25)
  }
}

extension Array where Element == UInt8 {
  /// Writes bytes to a file for a test (through the module's atomic writer).
  func writeAsTestFile(to path: String) throws {
    try FileIO.writeAtomically(self, to: path)
  }
}
