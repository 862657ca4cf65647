import ExactArithmetic
import Foundation
import PropertyBased
import Testing

@Suite("Codable and concurrency")
struct CodableAndConcurrencyTests {
  struct Record: Codable, Equatable {
    var integer: ExactInteger
    var rational: Rational
    var dyadic: Dyadic
  }

  @Test("JSON round trip as strings")
  func json() async throws {
    await propertyCheck(input: integers, rationals, dyadics) { i, r, d in
      let record = Record(integer: i, rational: r, dyadic: d)
      let data = try JSONEncoder().encode(record)
      #expect(try JSONDecoder().decode(Record.self, from: data) == record)
    }
    let data = try JSONEncoder().encode([Rational(-3, 6)])
    #expect(String(decoding: data, as: UTF8.self) == #"["-1\/2"]"#)
    #expect(throws: DecodingError.self) {
      try JSONDecoder().decode([Rational].self, from: Data(#"["1/0"]"#.utf8))
    }
    #expect(throws: DecodingError.self) {
      try JSONDecoder().decode([Dyadic].self, from: Data(#"["1/3"]"#.utf8))
    }
  }

  @Test("shared values are safe to read and copy from many tasks")
  func concurrentUse() async {
    let base = Rational(ExactInteger.powerOfTwo(200) + 1, 3)
    let matrix = IntegerMatrix(rows: 8, columns: 8, int64Entries: (0..<64).map { Int64($0) - 30 })
    let results = await withTaskGroup(of: (Rational, IntegerMatrix).self) { group in
      for k in 1...16 {
        group.addTask {
          var local = base
          local += Rational(k)
          local -= Rational(k)
          var m = matrix
          m[0, 0] = ExactInteger(k)
          return (local * base, m * matrix)
        }
      }
      return await group.reduce(into: []) { $0.append($1) }
    }
    #expect(results.count == 16)
    #expect(results.allSatisfy { $0.0 == base * base })
    #expect(matrix[0, 0] == -30)
    #expect(Set(results.map { $0.1[0, 0] }).count == 16)
  }
}
