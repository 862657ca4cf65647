import CGMP

extension Dyadic: Equatable, Comparable, Hashable {
  public static func == (lhs: Dyadic, rhs: Dyadic) -> Bool {
    lhs.exponent == rhs.exponent && lhs.mantissa == rhs.mantissa
  }

  public static func < (lhs: Dyadic, rhs: Dyadic) -> Bool {
    compare(lhs, rhs) < 0
  }

  /// -1, 0 or 1 as `lhs` is less than, equal to or greater than `rhs`.
  static func compare(_ lhs: Dyadic, _ rhs: Dyadic) -> Int {
    let ls = lhs.signum()
    let rs = rhs.signum()
    if ls != rs { return ls < rs ? -1 : 1 }
    if ls == 0 { return 0 }
    // Same sign, both nonzero: first compare the positions of the leading bits.
    let lTop = lhs.leadingBitExponent
    let rTop = rhs.leadingBitExponent
    if lTop != rTop { return lTop < rTop ? -ls : ls }
    // Same leading bit, so the exponents differ by less than either bit length.
    if lhs.exponent == rhs.exponent {
      return ExactInteger.compare(lhs.mantissa, rhs.mantissa)
    }
    if lhs.exponent > rhs.exponent {
      return ExactInteger.compare(lhs.mantissa << (lhs.exponent - rhs.exponent), rhs.mantissa)
    }
    return ExactInteger.compare(lhs.mantissa, rhs.mantissa << (rhs.exponent - lhs.exponent))
  }

  public func hash(into hasher: inout Hasher) {
    hasher.combine(mantissa)
    hasher.combine(exponent)
  }
}

// Comparisons between dyadics and rationals, through the cheap dyadic → rational
// conversion.
extension Dyadic {
  @_disfavoredOverload public static func == (lhs: Dyadic, rhs: Rational) -> Bool { Rational(lhs) == rhs }
  @_disfavoredOverload public static func == (lhs: Rational, rhs: Dyadic) -> Bool { lhs == Rational(rhs) }
  @_disfavoredOverload public static func != (lhs: Dyadic, rhs: Rational) -> Bool { Rational(lhs) != rhs }
  @_disfavoredOverload public static func != (lhs: Rational, rhs: Dyadic) -> Bool { lhs != Rational(rhs) }
  @_disfavoredOverload public static func < (lhs: Dyadic, rhs: Rational) -> Bool { Rational(lhs) < rhs }
  @_disfavoredOverload public static func < (lhs: Rational, rhs: Dyadic) -> Bool { lhs < Rational(rhs) }
  @_disfavoredOverload public static func <= (lhs: Dyadic, rhs: Rational) -> Bool { Rational(lhs) <= rhs }
  @_disfavoredOverload public static func <= (lhs: Rational, rhs: Dyadic) -> Bool { lhs <= Rational(rhs) }
  @_disfavoredOverload public static func > (lhs: Dyadic, rhs: Rational) -> Bool { Rational(lhs) > rhs }
  @_disfavoredOverload public static func > (lhs: Rational, rhs: Dyadic) -> Bool { lhs > Rational(rhs) }
  @_disfavoredOverload public static func >= (lhs: Dyadic, rhs: Rational) -> Bool { Rational(lhs) >= rhs }
  @_disfavoredOverload public static func >= (lhs: Rational, rhs: Dyadic) -> Bool { lhs >= Rational(rhs) }
}
