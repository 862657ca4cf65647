import CGMP

extension Dyadic: AdditiveArithmetic {
  /// Zero.
  public static var zero: Dyadic { Dyadic() }

  public static func + (lhs: Dyadic, rhs: Dyadic) -> Dyadic {
    if lhs.isZero { return rhs }
    if rhs.isZero { return lhs }
    if lhs.exponent == rhs.exponent {
      // odd + odd is even: renormalize.
      return Dyadic(mantissa: lhs.mantissa + rhs.mantissa, exponent: lhs.exponent)
    }
    // Shift the operand with the larger exponent; even + odd stays odd.
    let (high, low) = lhs.exponent > rhs.exponent ? (lhs, rhs) : (rhs, lhs)
    let sum = ExactInteger.make { r in
      high.mantissa.withMPZ { __gmpz_mul_2exp(r, $0, UInt(high.exponent - low.exponent)) }
      low.mantissa.withMPZ { __gmpz_add(r, r, $0) }
    }
    return Dyadic(normalizedMantissa: sum, exponent: low.exponent)
  }

  public static func - (lhs: Dyadic, rhs: Dyadic) -> Dyadic {
    lhs + -rhs
  }

  public static func += (lhs: inout Dyadic, rhs: Dyadic) {
    lhs = lhs + rhs
  }

  public static func -= (lhs: inout Dyadic, rhs: Dyadic) {
    lhs = lhs - rhs
  }
}

extension Dyadic: SignedNumeric {
  public static func * (lhs: Dyadic, rhs: Dyadic) -> Dyadic {
    if lhs.isZero || rhs.isZero { return Dyadic() }
    // odd · odd is odd: no normalization.
    return Dyadic(
      normalizedMantissa: lhs.mantissa * rhs.mantissa, exponent: lhs.exponent + rhs.exponent)
  }

  public static func *= (lhs: inout Dyadic, rhs: Dyadic) {
    lhs = lhs * rhs
  }

  public static prefix func - (operand: Dyadic) -> Dyadic {
    Dyadic(normalizedMantissa: -operand.mantissa, exponent: operand.exponent)
  }

  public mutating func negate() {
    mantissa.negate()
  }
}

extension Dyadic {
  /// This number raised to a nonnegative power.
  public func power(_ n: Int) -> Dyadic {
    precondition(n >= 0, "negative exponent")
    if n == 0 { return 1 }
    if isZero { return self }
    return Dyadic(normalizedMantissa: mantissa.power(n), exponent: exponent * n)
  }
}
