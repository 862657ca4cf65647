import ExactArithmetic
import PropertyBased
import Testing

@Suite("Rational")
struct RationalTests {
  @Test("field laws")
  func fieldLaws() async {
    await propertyCheck(input: rationals, rationals, rationals) { a, b, c in
      #expect(a + b == b + a)
      #expect(a * b == b * a)
      #expect((a + b) + c == a + (b + c))
      #expect((a * b) * c == a * (b * c))
      #expect(a * (b + c) == a * b + a * c)
      #expect(a + 0 == a)
      #expect(a * 1 == a)
      #expect(a + (-a) == 0)
      #expect(a - b == a + (-b))
      if !a.isZero {
        #expect(a * a.reciprocal() == 1)
        #expect(b / a * a == b)
      }
    }
  }

  @Test("always canonical")
  func canonical() async {
    await propertyCheck(input: integers, nonzeroIntegers, nonzeroIntegers) { p, q, k in
      let r = Rational(p * k, q * k)
      #expect(r == Rational(p, q))
      #expect(r.denominator.signum() == 1)
      #expect(ExactInteger.gcd(r.numerator, r.denominator) == 1)
      #expect(r.numerator * q == p * r.denominator)
    }
    #expect(Rational(6, -4).description == "-3/2")
    #expect(Rational(0, -7).description == "0/1")
  }

  @Test("order agrees with cross multiplication")
  func ordering() async {
    await propertyCheck(input: rationals, rationals) { a, b in
      let lhs = a.numerator * b.denominator
      let rhs = b.numerator * a.denominator
      #expect((a < b) == (lhs < rhs))
      #expect((a == b) == (lhs == rhs))
      #expect((a == b) == (a.hashValue == b.hashValue) || a != b)
    }
  }

  @Test("floor, ceiling, power and powers of two")
  func integerParts() async {
    await propertyCheck(input: rationals, Gen.int(in: -70...70)) { a, k in
      let f = a.floor()
      let c = a.ceiling()
      #expect(Rational(f) <= a && a < Rational(f + 1))
      #expect(Rational(c) >= a && a > Rational(c - 1))
      #expect((f == c) == a.isInteger)
      let scaled = a.multiplied(byPowerOfTwo: k)
      #expect(scaled == a * Rational(2).power(k))
      #expect(a.power(3) == a * a * a)
    }
    #expect(Rational(-7, 2).floor() == -4)
    #expect(Rational(-7, 2).ceiling() == -3)
    #expect(Rational(2, 3).power(-2) == Rational(9, 4))
  }

  @Test("\"p/q\" text round trip")
  func textRoundTrip() async {
    await propertyCheck(input: rationals) { a in
      let text = a.fractionString
      #expect(text == a.description)
      #expect(text.contains("/"))
      #expect(Rational(text) == a)
    }
    #expect(Rational(5).fractionString == "5/1")
  }

  @Test("parsing accepts signed integers and fractions")
  func parsesValid() {
    #expect(Rational("3/6") == Rational(1, 2))
    #expect(Rational("+3/6") == Rational(1, 2))
    #expect(Rational("-12/8") == Rational(-3, 2))
    #expect(Rational("-0/5") == 0)
    #expect(Rational("007") == 7)
    #expect(Rational("-17") == -17)
    #expect(Rational("123456789012345678901234567890/3")?.description
      == "41152263004115226300411522630/1")
  }

  @Test("parsing rejects junk and zero denominators", arguments: [
    "", "/", "1/", "/1", "1/0", "0/0", "-5/000", "1//2", "1/2/3", " 1/2", "1 /2", "1/ 2",
    "1/2 ", "+-1", "--1", "1/-2", "1/+2", "-/2", "0x10", "1.5", "1e3", "abc", "½", "1_000",
    "٣/٤", "1/2\n",
  ])
  func rejectsJunk(text: String) {
    #expect(Rational(text) == nil)
  }
}
