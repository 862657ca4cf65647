import ExactArithmetic
import PropertyBased
import Testing

@Suite("ExactInteger")
struct IntegerTests {
  @Test("agrees with Int on values that do not overflow")
  func agreesWithInt() async {
    let small = Gen.int(in: -(1 << 31)...(1 << 31))
    await propertyCheck(input: small, small) { a, b in
      let x = ExactInteger(a)
      let y = ExactInteger(b)
      #expect(x + y == ExactInteger(a + b))
      #expect(x - y == ExactInteger(a - b))
      #expect(x * y == ExactInteger(a * b))
      #expect((x < y) == (a < b))
      #expect(x.signum() == a.signum())
      #expect(Int(exactly: x * y) == a * b)
      if b != 0 {
        #expect(x / y == ExactInteger(a / b))
        #expect(x % y == ExactInteger(a % b))
      }
      #expect((x << 5) == ExactInteger(a << 5))
      #expect((x >> 3) == ExactInteger(a >> 3))
      #expect(x.description == String(a))
    }
  }

  @Test("ring laws and division identity on big integers")
  func ringLaws() async {
    await propertyCheck(input: integers, integers, nonzeroIntegers) { a, b, c in
      #expect(a + b == b + a)
      #expect(a * b == b * a)
      #expect((a + b) + c == a + (b + c))
      #expect((a * b) * c == a * (b * c))
      #expect(a * (b + c) == a * b + a * c)
      #expect(a - a == 0)
      #expect(-(-a) == a)
      let (q, r) = a.quotientAndRemainder(dividingBy: c)
      #expect(q * c + r == a)
      #expect(r.magnitude < c.magnitude)
      #expect(r.isZero || r.signum() == a.signum())
      #expect((a * c).isMultiple(of: c))
    }
  }

  @Test("compound assignment does not disturb copies")
  func copyOnWrite() {
    let original = ExactInteger.powerOfTwo(80)
    var copy = original
    copy += 1
    copy *= 3
    copy -= 5
    copy.negate()
    #expect(original == ExactInteger.powerOfTwo(80))
    #expect(copy == -(3 * (ExactInteger.powerOfTwo(80) + 1) - 5))
    var alias = original
    alias += alias
    #expect(alias == ExactInteger.powerOfTwo(81))
    #expect(original == ExactInteger.powerOfTwo(80))
  }

  @Test("decimal text round trip")
  func textRoundTrip() async {
    await propertyCheck(input: integers) { a in
      #expect(ExactInteger(a.description) == a)
    }
    #expect(ExactInteger("-000123") == -123)
    #expect(ExactInteger("+42") == 42)
    #expect(ExactInteger("-0") == 0)
    let big = "123456789012345678901234567890123456789"
    #expect(ExactInteger(big)?.description == big)
  }

  @Test("parsing rejects junk", arguments: [
    "", "+", "-", "--1", "+-1", " 1", "1 ", "1_000", "0x10", "1.0", "1e3", "١٢", "12a", "1/2",
  ])
  func rejectsJunk(text: String) {
    #expect(ExactInteger(text) == nil)
  }

  @Test("gcd and lcm")
  func gcdLcm() async {
    await propertyCheck(input: integers, integers) { a, b in
      let g = ExactInteger.gcd(a, b)
      let l = ExactInteger.lcm(a, b)
      #expect(g.signum() >= 0)
      #expect(g * l == (a * b).magnitude)
      if !g.isZero {
        #expect(a.isMultiple(of: g) && b.isMultiple(of: g))
        #expect(ExactInteger.gcd(a / g, b / g) == 1)
      }
    }
    #expect(ExactInteger.gcd(12, 18) == 6)
    #expect(ExactInteger.lcm(4, 6) == 12)
    #expect(ExactInteger.gcd(0, 0) == 0)
  }

  @Test("floor and ceiling square roots")
  func squareRoots() async {
    await propertyCheck(input: integers) { value in
      let a = value.magnitude
      let s = a.squareRootFloor()
      let t = a.squareRootCeiling()
      #expect(s * s <= a && a < (s + 1) * (s + 1))
      #expect((t - 1) * (t - 1) < a || a.isZero)
      #expect(t * t >= a)
      #expect((s == t) == a.isPerfectSquare)
    }
    #expect(ExactInteger(16).squareRootFloor() == 4)
    #expect(ExactInteger(17).squareRootFloor() == 4)
    #expect(ExactInteger(17).squareRootCeiling() == 5)
    #expect(ExactInteger(16).squareRootCeiling() == 4)
  }

  @Test("bit helpers")
  func bits() {
    #expect(ExactInteger(0).bitLength == 0)
    #expect(ExactInteger(1).bitLength == 1)
    #expect(ExactInteger(-255).bitLength == 8)
    #expect(ExactInteger.powerOfTwo(100).bitLength == 101)
    #expect(ExactInteger(-40).trailingZeroBitCount == 3)
    #expect(ExactInteger(-64).isPowerOfTwoMagnitude)
    #expect(!ExactInteger(96).isPowerOfTwoMagnitude)
    #expect(ExactInteger(-7) >> 1 == -4)  // floor, like Int
    #expect(ExactInteger(3) << -1 == 1)
    #expect(ExactInteger(-3).power(3) == -27)
    #expect(Int(exactly: ExactInteger.powerOfTwo(63)) == nil)
    #expect(Int(exactly: -ExactInteger.powerOfTwo(63)) == Int.min)
    #expect(ExactInteger(UInt64.max).description == "18446744073709551615")
    #expect(ExactInteger(Int128(-1) << 100).description == "-1267650600228229401496703205376")
  }

  @Test("hash agrees with equality")
  func hashing() async {
    await propertyCheck(input: integers) { a in
      let b = ExactInteger(a.description)!
      #expect(a == b)
      #expect(a.hashValue == b.hashValue)
    }
    #expect(Set([ExactInteger(5), ExactInteger(-5), 5]).count == 2)
  }
}
