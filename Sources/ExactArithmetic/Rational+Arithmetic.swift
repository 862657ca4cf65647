import CGMP

typealias MPQBinaryOperation = (
  UnsafeMutablePointer<__mpq_struct>?, UnsafePointer<__mpq_struct>?,
  UnsafePointer<__mpq_struct>?
) -> Void

extension Rational {
  @inline(__always)
  static func apply(_ operation: MPQBinaryOperation, _ lhs: Rational, _ rhs: Rational)
    -> Rational
  {
    make { r in lhs.withMPQ { a in rhs.withMPQ { b in operation(r, a, b) } } }
  }

  @inline(__always)
  mutating func applyInPlace(_ operation: MPQBinaryOperation, _ rhs: Rational) {
    if isKnownUniquelyReferenced(&storage) {
      storage.with { a in rhs.withMPQ { b in operation(a, a, b) } }
    } else {
      self = Rational.apply(operation, self, rhs)
    }
  }
}

extension Rational: AdditiveArithmetic {
  /// Zero.
  public static var zero: Rational { Rational() }

  public static func + (lhs: Rational, rhs: Rational) -> Rational {
    apply(__gmpq_add, lhs, rhs)
  }

  public static func - (lhs: Rational, rhs: Rational) -> Rational {
    apply(__gmpq_sub, lhs, rhs)
  }

  public static func += (lhs: inout Rational, rhs: Rational) {
    lhs.applyInPlace(__gmpq_add, rhs)
  }

  public static func -= (lhs: inout Rational, rhs: Rational) {
    lhs.applyInPlace(__gmpq_sub, rhs)
  }
}

extension Rational: SignedNumeric {
  public static func * (lhs: Rational, rhs: Rational) -> Rational {
    apply(__gmpq_mul, lhs, rhs)
  }

  public static func *= (lhs: inout Rational, rhs: Rational) {
    lhs.applyInPlace(__gmpq_mul, rhs)
  }

  public static prefix func - (operand: Rational) -> Rational {
    make { r in operand.withMPQ { __gmpq_neg(r, $0) } }
  }

  public mutating func negate() {
    self = -self
  }
}

extension Rational {
  /// The exact quotient. `rhs` must not be zero.
  public static func / (lhs: Rational, rhs: Rational) -> Rational {
    precondition(!rhs.isZero, "Rational division by zero")
    return apply(__gmpq_div, lhs, rhs)
  }

  /// Divides in place. `rhs` must not be zero.
  public static func /= (lhs: inout Rational, rhs: Rational) {
    precondition(!rhs.isZero, "Rational division by zero")
    lhs.applyInPlace(__gmpq_div, rhs)
  }

  /// `1 / self`. This number must not be zero.
  public func reciprocal() -> Rational {
    precondition(!isZero, "reciprocal of zero")
    return Rational.make { r in withMPQ { __gmpq_inv(r, $0) } }
  }

  /// `self · 2^exponent`, exact for any sign of `exponent` (cheap: no gcd).
  public func multiplied(byPowerOfTwo exponent: Int) -> Rational {
    if exponent >= 0 {
      return Rational.make { r in withMPQ { __gmpq_mul_2exp(r, $0, UInt(exponent)) } }
    }
    return Rational.make { r in withMPQ { __gmpq_div_2exp(r, $0, exponent.magnitude) } }
  }

  /// This number raised to an integer power; a negative power needs a nonzero number.
  public func power(_ exponent: Int) -> Rational {
    if exponent < 0 {
      precondition(!isZero, "zero raised to a negative power")
      return reciprocal().power(0 - exponent)
    }
    return Rational.make { r in
      withMPQ { q in
        __gmpz_pow_ui(cgmp_mpq_numref(r), cgmp_mpq_numref(q), UInt(exponent))
        __gmpz_pow_ui(cgmp_mpq_denref(r), cgmp_mpq_denref(q), UInt(exponent))
      }
    }
  }
}
