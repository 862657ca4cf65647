import CGMP

// Conversion of exact numbers to binary floats with one correct rounding.
//
// GMP's mpz_get_d and mpq_get_d truncate, so they are not used. Instead the
// magnitude x is written as Q · 2^L + rest, where L is the exponent of the
// target's last significand bit (clamped at the subnormal boundary) and Q is
// an integer of at most `precision` bits; the rest is classified against half
// of 2^L, and Q is rounded by the rule and assembled into the bit pattern.

/// Where the discarded part of a magnitude lies, relative to half a unit in the last place.
enum DiscardedPart {
  case zero, belowHalf, half, aboveHalf
}

/// The float nearest to `±(Q · 2^L + rest)` under `rule`, where `topExponent`
/// is `⌊log2 x⌋` of the nonzero magnitude `x` and `truncate(L)` returns `⌊x / 2^L⌋`
/// (which the caller guarantees to be below `2^precision`) and the class of the rest.
@inline(__always)
func roundToFloat<F: BinaryFloatingPoint>(
  negative: Bool, topExponent: Int, rule: FloatingPointRoundingRule,
  truncate: (_ lastBitExponent: Int) -> (quotient: UInt64, discarded: DiscardedPart)
) -> F where F.RawSignificand: FixedWidthInteger {
  let precision = F.significandBitCount + 1
  let maxExponent = Int(F.greatestFiniteMagnitude.exponent)
  let minExponent = Int(F.leastNormalMagnitude.exponent)
  precondition(precision < 64, "unsupported floating-point format")

  let overflow: F = {
    let toInfinity: Bool =
      switch rule {
      case .towardZero: false
      case .up: !negative
      case .down: negative
      default: true
      }
    let magnitude: F = toInfinity ? .infinity : .greatestFiniteMagnitude
    return negative ? -magnitude : magnitude
  }()
  if topExponent > maxExponent { return overflow }

  var lastBit = max(topExponent, minExponent) - (precision - 1)
  var (quotient, discarded) = truncate(lastBit)

  let roundUp: Bool =
    switch rule {
    case .toNearestOrEven:
      discarded == .aboveHalf || (discarded == .half && quotient & 1 == 1)
    case .toNearestOrAwayFromZero: discarded == .half || discarded == .aboveHalf
    case .towardZero: false
    case .awayFromZero: discarded != .zero
    case .up: discarded != .zero && !negative
    case .down: discarded != .zero && negative
    @unknown default:
      discarded == .aboveHalf || (discarded == .half && quotient & 1 == 1)
    }
  if roundUp {
    quotient += 1
    if quotient == UInt64(1) << precision {
      quotient >>= 1
      lastBit += 1
    }
  }
  if lastBit + precision - 1 > maxExponent { return overflow }

  let hidden = UInt64(1) << (precision - 1)
  let sign: FloatingPointSign = negative ? .minus : .plus
  if quotient >= hidden {
    let biased = lastBit + precision - 1 - minExponent + 1
    return F(
      sign: sign, exponentBitPattern: F.RawExponent(biased),
      significandBitPattern: F.RawSignificand(quotient - hidden))
  }
  // Subnormal or zero: lastBit is the subnormal quantum.
  return F(sign: sign, exponentBitPattern: 0, significandBitPattern: F.RawSignificand(quotient))
}

/// Rounds `mantissa · 2^exponent`.
func roundToFloat<F: BinaryFloatingPoint>(
  mantissa: ExactInteger, exponent: Int, rule: FloatingPointRoundingRule
) -> F where F.RawSignificand: FixedWidthInteger {
  if mantissa.isZero { return 0 }
  let magnitude = mantissa.magnitude
  return roundToFloat(
    negative: mantissa.signum() < 0, topExponent: exponent + magnitude.bitLength - 1, rule: rule
  ) { lastBit in
    let shift = lastBit - exponent
    if shift <= 0 {
      let q = magnitude << -shift
      return (UInt64(q.withMPZ { __gmpz_get_ui($0) }), .zero)
    }
    return magnitude.withMPZ { m in
      let q = ExactInteger.make { __gmpz_tdiv_q_2exp($0, m, UInt(shift)) }
      let halfBit = __gmpz_tstbit(m, UInt(shift - 1)) != 0
      let lowBitsNonzero = __gmpz_scan1(m, 0) < UInt(shift - 1)
      let discarded: DiscardedPart =
        halfBit ? (lowBitsNonzero ? .aboveHalf : .half) : (lowBitsNonzero ? .belowHalf : .zero)
      return (UInt64(q.withMPZ { __gmpz_get_ui($0) }), discarded)
    }
  }
}

/// Rounds `±significand · 2^exponent` for a machine-word significand (no GMP).
func roundToFloat<F: BinaryFloatingPoint>(
  negative: Bool, significand: UInt64, exponent: Int, rule: FloatingPointRoundingRule
) -> F where F.RawSignificand: FixedWidthInteger {
  if significand == 0 { return 0 }
  let bitLength = 64 - significand.leadingZeroBitCount
  return roundToFloat(
    negative: negative, topExponent: exponent + bitLength - 1, rule: rule
  ) { lastBit in
    let shift = lastBit - exponent
    if shift <= 0 { return (significand << -shift, .zero) }  // fits: below 2^precision
    if shift > 64 { return (0, .belowHalf) }
    let quotient = shift == 64 ? 0 : significand >> shift
    let halfBit = (significand >> (shift - 1)) & 1 == 1
    let lowMask = shift - 1 == 0 ? 0 : (UInt64.max >> (64 - (shift - 1)))
    let lowBitsNonzero = significand & lowMask != 0
    let discarded: DiscardedPart =
      halfBit ? (lowBitsNonzero ? .aboveHalf : .half) : (lowBitsNonzero ? .belowHalf : .zero)
    return (quotient, discarded)
  }
}

/// Rounds the rational `value`.
func roundToFloat<F: BinaryFloatingPoint>(_ value: Rational, rule: FloatingPointRoundingRule)
  -> F where F.RawSignificand: FixedWidthInteger
{
  if value.isZero { return 0 }
  let numerator = value.numerator.magnitude
  let denominator = value.denominator
  if denominator == 1 {
    return roundToFloat(mantissa: value.numerator, exponent: 0, rule: rule)
  }
  // ⌊log2(p/q)⌋ is k or k − 1 for k = bitLength(p) − bitLength(q).
  let k = numerator.bitLength - denominator.bitLength
  let atLeastTwoToK =
    k >= 0 ? numerator >= denominator << k : numerator << -k >= denominator
  let top = atLeastTwoToK ? k : k - 1
  return roundToFloat(negative: value.signum() < 0, topExponent: top, rule: rule) { lastBit in
    let n = lastBit <= 0 ? numerator << -lastBit : numerator
    let d = lastBit > 0 ? denominator << lastBit : denominator
    let (q, r) = n.quotientAndRemainder(dividingBy: d)
    let discarded: DiscardedPart
    if r.isZero {
      discarded = .zero
    } else {
      let c = ExactInteger.compare(r << 1, d)
      discarded = c < 0 ? .belowHalf : (c == 0 ? .half : .aboveHalf)
    }
    return (UInt64(q.withMPZ { __gmpz_get_ui($0) }), discarded)
  }
}

extension Double {
  /// The `Double` nearest to `value` under `rule` (by default to nearest, ties to
  /// even), rounded once; subnormal results and overflow to infinity included.
  public init(_ value: Rational, rounding rule: FloatingPointRoundingRule = .toNearestOrEven) {
    self = roundToFloat(value, rule: rule)
  }

  /// The `Double` nearest to `value` under `rule`, rounded once.
  public init(_ value: Dyadic, rounding rule: FloatingPointRoundingRule = .toNearestOrEven) {
    self = roundToFloat(mantissa: value.mantissa, exponent: value.exponent, rule: rule)
  }

  /// The `Double` nearest to `value` under `rule`, rounded once.
  public init(_ value: ExactInteger, rounding rule: FloatingPointRoundingRule = .toNearestOrEven)
  {
    self = roundToFloat(mantissa: value, exponent: 0, rule: rule)
  }
}

extension Float {
  /// The `Float` nearest to `value` under `rule` (by default to nearest, ties to
  /// even), rounded once (not through `Double`).
  public init(_ value: Rational, rounding rule: FloatingPointRoundingRule = .toNearestOrEven) {
    self = roundToFloat(value, rule: rule)
  }

  /// The `Float` nearest to `value` under `rule`, rounded once.
  public init(_ value: Dyadic, rounding rule: FloatingPointRoundingRule = .toNearestOrEven) {
    self = roundToFloat(mantissa: value.mantissa, exponent: value.exponent, rule: rule)
  }

  /// The `Float` nearest to `value` under `rule`, rounded once.
  public init(_ value: ExactInteger, rounding rule: FloatingPointRoundingRule = .toNearestOrEven)
  {
    self = roundToFloat(mantissa: value, exponent: 0, rule: rule)
  }
}
