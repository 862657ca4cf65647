import ExactArithmetic
import Testing

@Suite("Libraries")
struct LinkTests {
  @Test("GMP is linked and computes")
  func gmpLink() {
    #expect(ExactArithmeticBackend.gmpVersion.hasPrefix("6."))
    let twoTo100 = ExactInteger.powerOfTwo(100)
    #expect(twoTo100.description == "1267650600228229401496703205376")
    #expect((twoTo100 * twoTo100).description == ExactInteger.powerOfTwo(200).description)
  }

  @Test("FLINT is linked and computes")
  func flintLink() {
    #expect(!ExactArithmeticBackend.flintVersion.isEmpty)
    let a = IntegerMatrix(rows: 2, columns: 2, int64Entries: [1, 2, 3, 4])
    #expect((a * a).description == "[[7, 10], [15, 22]]")
  }
}
