import ExactArithmetic
import PropertyBased
import Testing

/// Whether `result` is `x` rounded to nearest, ties to even, judged only with
/// exact arithmetic on `result` and its two neighbours (a slow reference that
/// shares no code with the conversion under test).
func isNearestEven<F: BinaryFloatingPoint>(_ result: F, of x: Rational) -> Bool
where F.RawSignificand: FixedWidthInteger {
  // Values at or beyond max + ulp(max)/2 = 2^(emax+1) − 2^(emax−p) round to infinity.
  let emax = Int(F.greatestFiniteMagnitude.exponent)
  let halfway = Rational(2).power(emax + 1) - Rational(2).power(emax - F.significandBitCount - 1)
  if result.isNaN { return false }
  if result.isInfinite { return result > 0 ? x >= halfway : x <= -halfway }
  if x.magnitude >= halfway { return false }
  if result == 0 && !x.isZero && (result.sign == .minus) != (x.signum() < 0) { return false }
  let value = exact(result)
  let error = (x - value).magnitude
  for neighbour in [result.nextUp, result.nextDown] where neighbour.isFinite {
    let other = (x - exact(neighbour)).magnitude
    if other < error { return false }
    if other == error && exact(neighbour) != value && result.significandBitPattern & 1 == 1 {
      return false
    }
  }
  return true
}

func exact<F: BinaryFloatingPoint>(_ value: F) -> Rational {
  if let d = value as? Double { return try! Rational(exactly: d) }
  return try! Rational(exactly: value as! Float)
}

@Suite("Float conversion")
struct FloatConversionTests {
  @Test("Double → Dyadic/Rational → Double is exact on random bit patterns")
  func doubleRoundTrip() async {
    await propertyCheck(count: 500, input: finiteDoubles) { d in
      let dyadic = try Dyadic(exactly: d)
      let rational = try Rational(exactly: d)
      #expect(Rational(dyadic) == rational)
      let expected = d == 0 ? 0.0 : d  // -0.0 becomes 0
      #expect(Double(dyadic).bitPattern == expected.bitPattern)
      #expect(Double(rational).bitPattern == expected.bitPattern)
      #expect(Dyadic(exactly: rational) == dyadic)
      if d != 0 {
        #expect(dyadic.mantissa.isOdd)
        #expect(dyadic.mantissa.bitLength <= 53)
      }
    }
  }

  @Test("Float → Dyadic/Rational → Float is exact on random bit patterns")
  func floatRoundTrip() async {
    await propertyCheck(count: 500, input: finiteFloats) { f in
      let dyadic = try Dyadic(exactly: f)
      let expected = f == 0 ? Float(0) : f
      #expect(Float(dyadic).bitPattern == expected.bitPattern)
      #expect(Float(try Rational(exactly: f)).bitPattern == expected.bitPattern)
      #expect(try Dyadic(exactly: Double(f)) == dyadic)
    }
  }

  @Test("exact values of special doubles")
  func specialValues() throws {
    #expect(try Dyadic(exactly: 0.1).fractionString == "3602879701896397/36028797018963968")
    #expect(try Dyadic(exactly: -0.0) == 0)
    #expect(try Dyadic(exactly: -0.0).exponent == 0)
    #expect(try Dyadic(exactly: Double.leastNonzeroMagnitude) == Dyadic(mantissa: 1, exponent: -1074))
    #expect(try Dyadic(exactly: -Double.leastNormalMagnitude) == Dyadic(mantissa: -1, exponent: -1022))
    #expect(try Dyadic(exactly: Float.leastNonzeroMagnitude) == Dyadic(mantissa: 1, exponent: -149))
    #expect(
      try Dyadic(exactly: Double.greatestFiniteMagnitude)
        == Dyadic(mantissa: ExactInteger.powerOfTwo(53) - 1, exponent: 971))
    #expect(try Rational(exactly: Float(0.5)) == Rational(1, 2))
    #expect(try Dyadic(exactly: 3.0e300).isInteger)
  }

  @Test("NaN and infinities are rejected with a one-line message")
  func nonFinite() {
    #expect(throws: NonFiniteValueError(kind: .notANumber)) { try Dyadic(exactly: Double.nan) }
    #expect(throws: NonFiniteValueError(kind: .positiveInfinity)) {
      try Rational(exactly: Double.infinity)
    }
    #expect(throws: NonFiniteValueError(kind: .negativeInfinity)) {
      try Dyadic(exactly: -Float.infinity)
    }
    #expect(throws: NonFiniteValueError(kind: .notANumber)) {
      try Rational(exactly: Float.signalingNaN)
    }
    let message = NonFiniteValueError(kind: .negativeInfinity).description
    #expect(message == "cannot convert -inf to an exact number")
    #expect(!message.contains("\n"))
  }

  @Test("Rational → Double is correctly rounded (neighbour reference)")
  func rationalToDouble() async {
    await propertyCheck(count: 500, input: wideRationals) { x in
      let d = Double(x)
      #expect(isNearestEven(d, of: x), "\(x) → \(d)")
    }
  }

  @Test("Rational → Float is correctly rounded (neighbour reference)")
  func rationalToFloat() async {
    await propertyCheck(count: 300, input: rationals, Gen.int(in: -200...160)) { x, k in
      let y = x.multiplied(byPowerOfTwo: k)
      let f = Float(y)
      #expect(isNearestEven(f, of: y), "\(y) → \(f)")
    }
  }

  @Test("Dyadic and ExactInteger → Double are correctly rounded and agree with Rational")
  func dyadicToDouble() async {
    await propertyCheck(count: 300, input: dyadics, Gen.int(in: -1200...1000)) { a, k in
      let x = a.multiplied(byPowerOfTwo: k)
      let d = Double(x)
      #expect(isNearestEven(d, of: Rational(x)), "\(x) → \(d)")
      #expect(d.bitPattern == Double(Rational(x)).bitPattern)
      #expect(Float(x).bitPattern == Float(Rational(x)).bitPattern)
      #expect(Double(a.mantissa).bitPattern == Double(Rational(a.mantissa)).bitPattern)
    }
  }

  @Test("agrees with IEEE division and integer conversion of the hardware")
  func agreesWithHardware() async {
    let word = Gen.int64(in: -(1 << 53 - 1)...(1 << 53 - 1))
    await propertyCheck(count: 500, input: word, word.filter { $0 != 0 }) { p, q in
      #expect(Double(Rational(ExactInteger(p), ExactInteger(q))) == Double(p) / Double(q))
    }
    let small = Gen.int32(in: -(1 << 24 - 1)...(1 << 24 - 1))
    await propertyCheck(count: 500, input: small, small.filter { $0 != 0 }) { p, q in
      #expect(Float(Rational(ExactInteger(p), ExactInteger(q))) == Float(p) / Float(q))
    }
    await propertyCheck(count: 500, input: Gen.int64()) { n in
      #expect(Double(ExactInteger(n)) == Double(n))
      #expect(Float(ExactInteger(n)) == Float(n))
    }
  }

  @Test("ties, subnormals and overflow")
  func edgeCases() {
    let two = Rational(2)
    // 1/3 and 2/3: mpq_get_d would truncate the second.
    #expect(Double(Rational(1, 3)) == 1.0 / 3.0)
    #expect(Double(Rational(2, 3)) == 2.0 / 3.0)
    // Half the smallest subnormal ties to 0 (even); a bit more rounds up.
    #expect(Double(two.power(-1075)) == 0)
    #expect(Double(-two.power(-1075)).sign == .minus)
    #expect(Double(two.power(-1075) * Rational(3, 2)) == .leastNonzeroMagnitude)
    #expect(Double(two.power(-1075) + two.power(-2000)) == .leastNonzeroMagnitude)
    // 1.5 ulp of the smallest subnormal ties up to 2 (even).
    #expect(Double(two.power(-1074) * Rational(3, 2)) == 2 * .leastNonzeroMagnitude)
    // Rounding up out of the subnormal range gives the smallest normal.
    let belowNormal = two.power(-1022) - two.power(-1076)
    #expect(Double(belowNormal) == .leastNormalMagnitude)
    // Ties to even at 1: 1 + 2^-53 → 1, 1 + 3·2^-53 → 1 + 2^-51.
    #expect(Double(1 + two.power(-53)) == 1)
    #expect(Double(1 + 3 * two.power(-53)) == 1 + 0x1p-51)
    // Overflow: max + ulp/2 is infinity, just below it is max.
    let max = try! Rational(exactly: Double.greatestFiniteMagnitude)
    #expect(Double(max + two.power(970)) == .infinity)
    #expect(Double(max + two.power(970) - two.power(900)) == .greatestFiniteMagnitude)
    #expect(Double(-two.power(5000)) == -.infinity)
    #expect(Double(ExactInteger.powerOfTwo(1024)) == .infinity)
    #expect(Float(Rational(1, 3)) == Float(1) / Float(3))
    #expect(Float(two.power(-150)) == 0)
    #expect(Float(two.power(128)) == .infinity)
  }

  @Test("directed rounding brackets the value")
  func directedRounding() async {
    await propertyCheck(count: 300, input: wideRationals) { x in
      let down = Double(x, rounding: .down)
      let up = Double(x, rounding: .up)
      let nearest = Double(x)
      #expect(nearest == down || nearest == up)
      if down.isFinite { #expect(exact(down) <= x) }
      if up.isFinite { #expect(exact(up) >= x) }
      if down.isFinite && up.isFinite {
        if exact(down) == x {
          #expect(down == up)
        } else {
          #expect(up == down.nextUp)
        }
      }
      let towardZero = Double(x, rounding: .towardZero)
      #expect(towardZero == (x.signum() < 0 ? up : down))
      #expect(Double(x, rounding: .awayFromZero) == (x.signum() < 0 ? down : up))
    }
    let big = Rational(2).power(2000)
    #expect(Double(big, rounding: .towardZero) == .greatestFiniteMagnitude)
    #expect(Double(-big, rounding: .up) == -.greatestFiniteMagnitude)
    #expect(Double(-big, rounding: .down) == -.infinity)
  }
}
