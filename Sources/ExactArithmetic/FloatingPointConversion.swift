import CGMP

/// The exact value of a finite binary float as `±significand · 2^exponent`,
/// read from its bit pattern (never through decimal text). Subnormals are
/// included; `-0.0` gives a zero significand. `nil` for NaN and infinities.
@inline(__always)
func decompose<F: BinaryFloatingPoint>(_ value: F)
  -> (negative: Bool, significand: UInt64, exponent: Int)?
where F.RawSignificand: FixedWidthInteger {
  guard value.isFinite else { return nil }
  let fractionBits = F.significandBitCount
  precondition(fractionBits < 64, "unsupported floating-point format")
  let bias = (1 << (F.exponentBitCount - 1)) - 1
  let biased = Int(value.exponentBitPattern)
  var significand = UInt64(value.significandBitPattern)
  let exponent: Int
  if biased == 0 {
    exponent = 1 - bias - fractionBits  // subnormal or zero
  } else {
    significand |= UInt64(1) << fractionBits
    exponent = biased - bias - fractionBits
  }
  return (value.sign == .minus && significand != 0, significand, exponent)
}

extension Dyadic {
  /// The exact value of a finite `Double`, from its bit pattern. `-0.0` gives 0.
  /// - Throws: ``NonFiniteValueError`` for NaN and ±infinity.
  public init(exactly value: Double) throws(NonFiniteValueError) {
    try self.init(exactlyFloatingPoint: value)
  }

  /// The exact value of a finite `Float`, from its bit pattern. `-0.0` gives 0.
  /// - Throws: ``NonFiniteValueError`` for NaN and ±infinity.
  public init(exactly value: Float) throws(NonFiniteValueError) {
    try self.init(exactlyFloatingPoint: value)
  }

  init<F: BinaryFloatingPoint>(exactlyFloatingPoint value: F) throws(NonFiniteValueError)
  where F.RawSignificand: FixedWidthInteger {
    guard let (negative, significand, exponent) = decompose(value) else {
      throw NonFiniteValueError(value)
    }
    if significand == 0 {
      self.init()
      return
    }
    let zeros = significand.trailingZeroBitCount
    let odd = significand >> zeros
    let mantissa = ExactInteger.make { z in
      __gmpz_set_ui(z, UInt(odd))
      if negative { __gmpz_neg(z, z) }
    }
    self.init(normalizedMantissa: mantissa, exponent: exponent + zeros)
  }
}

extension Rational {
  /// The exact value of a finite `Double`, from its bit pattern. `-0.0` gives 0.
  /// - Throws: ``NonFiniteValueError`` for NaN and ±infinity.
  public init(exactly value: Double) throws(NonFiniteValueError) {
    self.init(try Dyadic(exactly: value))
  }

  /// The exact value of a finite `Float`, from its bit pattern. `-0.0` gives 0.
  /// - Throws: ``NonFiniteValueError`` for NaN and ±infinity.
  public init(exactly value: Float) throws(NonFiniteValueError) {
    self.init(try Dyadic(exactly: value))
  }
}
