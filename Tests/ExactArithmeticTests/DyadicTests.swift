import ExactArithmetic
import PropertyBased
import Testing

@Suite("Dyadic")
struct DyadicTests {
  func isNormalized(_ d: Dyadic) -> Bool {
    d.mantissa.isZero ? d.exponent == 0 : d.mantissa.isOdd
  }

  @Test("ring laws")
  func ringLaws() async {
    await propertyCheck(input: dyadics, dyadics, dyadics) { a, b, c in
      #expect(a + b == b + a)
      #expect(a * b == b * a)
      #expect((a + b) + c == a + (b + c))
      #expect((a * b) * c == a * (b * c))
      #expect(a * (b + c) == a * b + a * c)
      #expect(a + 0 == a)
      #expect(a * 1 == a)
      #expect(a - a == 0)
    }
  }

  @Test("agrees with Rational and stays normalized")
  func agreesWithRational() async {
    await propertyCheck(input: dyadics, dyadics) { a, b in
      let x = Rational(a)
      let y = Rational(b)
      #expect(Rational(a + b) == x + y)
      #expect(Rational(a - b) == x - y)
      #expect(Rational(a * b) == x * y)
      #expect(Rational(-a) == -x)
      #expect((a < b) == (x < y))
      #expect((a == b) == (x == y))
      #expect(a == x && x == a && !(a < x) && a <= x && a >= x)
      #expect((a < y) == (x < y))
      #expect(isNormalized(a + b) && isNormalized(a - b) && isNormalized(a * b))
      #expect(Dyadic(exactly: x) == a)
      #expect(a.fractionString == x.fractionString)
      #expect(Dyadic(a.description) == a)
    }
  }

  @Test("construction normalizes")
  func normalization() async {
    await propertyCheck(input: integers, Gen.int(in: -100...100)) { m, e in
      let d = Dyadic(mantissa: m, exponent: e)
      #expect(isNormalized(d))
      #expect(Rational(d) == Rational(m).multiplied(byPowerOfTwo: e))
    }
    let twelve = Dyadic(mantissa: 12, exponent: -3)
    #expect(twelve.mantissa == 3 && twelve.exponent == -1)
    #expect(Dyadic(mantissa: 0, exponent: 9).exponent == 0)
  }

  @Test("power-of-two scaling only moves the exponent")
  func powerOfTwo() async {
    await propertyCheck(input: dyadics, Gen.int(in: -2000...2000)) { a, k in
      let scaled = a.multiplied(byPowerOfTwo: k)
      #expect(scaled.mantissa == a.mantissa)
      #expect(Rational(scaled) == Rational(a).multiplied(byPowerOfTwo: k))
    }
  }

  @Test("non-dyadic rationals are refused")
  func notDyadic() {
    #expect(Dyadic(exactly: Rational(1, 3)) == nil)
    #expect(Dyadic("1/6") == nil)
    #expect(Dyadic("-3/8") == Dyadic(mantissa: -3, exponent: -3))
    #expect(Dyadic("40")?.fractionString == "40/1")
    #expect(Dyadic(mantissa: 5, exponent: -2).description == "5/4")
  }
}
