import CGMP

/// An exact dyadic rational `mantissa · 2^exponent`.
///
/// Every finite `Float` and `Double` is a dyadic rational, and sums, differences
/// and products of dyadics are dyadic, so networks with float parameters can be
/// evaluated exactly without the gcd computations of ``Rational``.
///
/// A `Dyadic` is always normalized: the mantissa is odd, or it is zero with
/// exponent zero. So equal values have equal mantissas and exponents.
public struct Dyadic: Sendable {
  /// The odd (or zero) integer m in m · 2^e.
  public internal(set) var mantissa: ExactInteger
  /// The power of two e in m · 2^e (zero when the value is zero).
  public internal(set) var exponent: Int

  /// `mantissa · 2^exponent`, normalized.
  public init(mantissa: ExactInteger, exponent: Int) {
    self.mantissa = mantissa
    self.exponent = exponent
    normalize()
  }

  /// Wraps parts that are already normalized.
  init(normalizedMantissa mantissa: ExactInteger, exponent: Int) {
    self.mantissa = mantissa
    self.exponent = exponent
  }

  /// Zero.
  public init() {
    self.init(normalizedMantissa: ExactInteger(), exponent: 0)
  }

  /// The integer `value`.
  public init(_ value: Int) {
    self.init(mantissa: ExactInteger(value), exponent: 0)
  }

  /// The integer `value`.
  public init(_ value: ExactInteger) {
    self.init(mantissa: value, exponent: 0)
  }

  /// The integer `value` (part of `Numeric`).
  public init?<T: BinaryInteger>(exactly value: T) {
    self.init(ExactInteger(value))
  }

  /// `value` if its denominator is a power of two, otherwise `nil`.
  public init?(exactly value: Rational) {
    let denominator = value.denominator
    guard denominator.isPowerOfTwoMagnitude else { return nil }
    // An odd numerator is already normalized; an integer may have trailing zeros.
    self.init(mantissa: value.numerator, exponent: 1 - denominator.bitLength)
  }

  mutating func normalize() {
    if mantissa.isZero {
      exponent = 0
      return
    }
    let zeros = mantissa.trailingZeroBitCount
    if zeros > 0 {
      mantissa.withMutableMPZ { __gmpz_tdiv_q_2exp($0, $0, UInt(zeros)) }
      exponent += zeros
    }
  }

  /// -1, 0 or 1: the sign of this number.
  public func signum() -> Int { mantissa.signum() }

  /// Whether this number is zero.
  public var isZero: Bool { mantissa.isZero }

  /// Whether this number is an integer.
  public var isInteger: Bool { exponent >= 0 }

  /// The absolute value.
  public var magnitude: Dyadic {
    Dyadic(normalizedMantissa: mantissa.magnitude, exponent: exponent)
  }

  /// The exponent of the leading bit: `⌊log2 |x|⌋`. The number must not be zero.
  public var leadingBitExponent: Int {
    precondition(!isZero, "zero has no leading bit")
    return exponent + mantissa.bitLength - 1
  }

  /// `self · 2^k`: only the exponent changes.
  public func multiplied(byPowerOfTwo k: Int) -> Dyadic {
    isZero ? self : Dyadic(normalizedMantissa: mantissa, exponent: exponent + k)
  }
}

extension Dyadic: ExpressibleByIntegerLiteral {
  public init(integerLiteral value: Int) {
    self.init(value)
  }
}

extension Rational {
  /// The dyadic `value` as a rational (cheap: the parts are already in lowest terms).
  public init(_ value: Dyadic) {
    self.init()
    storage.with { q in
      value.mantissa.withMPZ { m in
        if value.exponent >= 0 {
          __gmpz_mul_2exp(cgmp_mpq_numref(q), m, UInt(value.exponent))
        } else {
          __gmpz_set(cgmp_mpq_numref(q), m)
          __gmpz_setbit(cgmp_mpq_denref(q), value.exponent.magnitude)
          __gmpz_clrbit(cgmp_mpq_denref(q), 0)
        }
      }
    }
  }
}
