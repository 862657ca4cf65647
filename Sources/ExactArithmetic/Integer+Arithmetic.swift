import CGMP

typealias MPZBinaryOperation = (
  UnsafeMutablePointer<__mpz_struct>?, UnsafePointer<__mpz_struct>?,
  UnsafePointer<__mpz_struct>?
) -> Void

extension ExactInteger {
  @inline(__always)
  static func apply(
    _ operation: MPZBinaryOperation, _ lhs: ExactInteger, _ rhs: ExactInteger
  ) -> ExactInteger {
    make { r in lhs.withMPZ { a in rhs.withMPZ { b in operation(r, a, b) } } }
  }

  @inline(__always)
  mutating func applyInPlace(_ operation: MPZBinaryOperation, _ rhs: ExactInteger) {
    if isKnownUniquelyReferenced(&storage) {
      storage.with { a in rhs.withMPZ { b in operation(a, a, b) } }
    } else {
      self = ExactInteger.apply(operation, self, rhs)
    }
  }
}

extension ExactInteger: AdditiveArithmetic {
  /// Zero.
  public static var zero: ExactInteger { ExactInteger() }

  public static func + (lhs: ExactInteger, rhs: ExactInteger) -> ExactInteger {
    apply(__gmpz_add, lhs, rhs)
  }

  public static func - (lhs: ExactInteger, rhs: ExactInteger) -> ExactInteger {
    apply(__gmpz_sub, lhs, rhs)
  }

  public static func += (lhs: inout ExactInteger, rhs: ExactInteger) {
    lhs.applyInPlace(__gmpz_add, rhs)
  }

  public static func -= (lhs: inout ExactInteger, rhs: ExactInteger) {
    lhs.applyInPlace(__gmpz_sub, rhs)
  }
}

extension ExactInteger: SignedNumeric {
  public static func * (lhs: ExactInteger, rhs: ExactInteger) -> ExactInteger {
    apply(__gmpz_mul, lhs, rhs)
  }

  public static func *= (lhs: inout ExactInteger, rhs: ExactInteger) {
    lhs.applyInPlace(__gmpz_mul, rhs)
  }

  public static prefix func - (operand: ExactInteger) -> ExactInteger {
    make { r in operand.withMPZ { __gmpz_neg(r, $0) } }
  }

  public mutating func negate() {
    withMutableMPZ { __gmpz_neg($0, $0) }
  }
}

extension ExactInteger {
  /// `lhs += a * b` in one step (GMP's `mpz_addmul`).
  public mutating func addProduct(_ a: ExactInteger, _ b: ExactInteger) {
    withMutableMPZ { r in a.withMPZ { x in b.withMPZ { y in __gmpz_addmul(r, x, y) } } }
  }

  /// The quotient rounded toward zero, as for `Int`. `rhs` must not be zero.
  public static func / (lhs: ExactInteger, rhs: ExactInteger) -> ExactInteger {
    precondition(!rhs.isZero, "ExactInteger division by zero")
    return apply(__gmpz_tdiv_q, lhs, rhs)
  }

  /// The remainder of `/`, with the sign of `lhs`, as for `Int`. `rhs` must not be zero.
  public static func % (lhs: ExactInteger, rhs: ExactInteger) -> ExactInteger {
    precondition(!rhs.isZero, "ExactInteger division by zero")
    return apply(__gmpz_tdiv_r, lhs, rhs)
  }

  /// Quotient rounded toward zero and remainder, as for `Int`. `divisor` must not be zero.
  public func quotientAndRemainder(dividingBy divisor: ExactInteger)
    -> (quotient: ExactInteger, remainder: ExactInteger)
  {
    precondition(!divisor.isZero, "ExactInteger division by zero")
    let q = MPZStorage.make()
    let r = MPZStorage.make()
    q.with { qp in
      r.with { rp in withMPZ { a in divisor.withMPZ { b in __gmpz_tdiv_qr(qp, rp, a, b) } } }
    }
    return (ExactInteger(storage: q), ExactInteger(storage: r))
  }

  /// Whether `divisor` divides this integer (every integer is a multiple of 0 only if it is 0).
  public func isMultiple(of divisor: ExactInteger) -> Bool {
    withMPZ { a in divisor.withMPZ { b in __gmpz_divisible_p(a, b) != 0 } }
  }

  /// `self · 2^shift`; a negative `shift` divides by `2^-shift` rounding toward −∞.
  public static func << (lhs: ExactInteger, shift: Int) -> ExactInteger {
    if shift >= 0 {
      return make { r in lhs.withMPZ { __gmpz_mul_2exp(r, $0, UInt(shift)) } }
    }
    return make { r in lhs.withMPZ { __gmpz_fdiv_q_2exp(r, $0, shift.magnitude) } }
  }

  /// `⌊self / 2^shift⌋` (an arithmetic shift); a negative `shift` multiplies by `2^-shift`.
  public static func >> (lhs: ExactInteger, shift: Int) -> ExactInteger {
    precondition(shift != .min, "shift out of range")
    return lhs << -shift
  }

  /// This integer raised to a nonnegative power.
  public func power(_ exponent: Int) -> ExactInteger {
    precondition(exponent >= 0, "negative exponent")
    return ExactInteger.make { r in withMPZ { __gmpz_pow_ui(r, $0, UInt(exponent)) } }
  }

  /// `2^exponent` for `exponent ≥ 0`.
  public static func powerOfTwo(_ exponent: Int) -> ExactInteger {
    precondition(exponent >= 0, "negative exponent")
    return make { __gmpz_setbit($0, UInt(exponent)) }
  }

  /// The greatest common divisor, nonnegative; `gcd(0, 0) = 0`.
  public static func gcd(_ a: ExactInteger, _ b: ExactInteger) -> ExactInteger {
    apply(__gmpz_gcd, a, b)
  }

  /// The least common multiple, nonnegative; 0 when either is 0.
  public static func lcm(_ a: ExactInteger, _ b: ExactInteger) -> ExactInteger {
    apply(__gmpz_lcm, a, b)
  }

  /// `⌊√self⌋` for `self ≥ 0`.
  public func squareRootFloor() -> ExactInteger {
    precondition(signum() >= 0, "square root of a negative integer")
    return ExactInteger.make { r in withMPZ { __gmpz_sqrt(r, $0) } }
  }

  /// `⌈√self⌉` for `self ≥ 0`.
  public func squareRootCeiling() -> ExactInteger {
    precondition(signum() >= 0, "square root of a negative integer")
    let root = MPZStorage.make()
    let remainder = MPZStorage.make()
    root.with { s in
      remainder.with { r in
        withMPZ { __gmpz_sqrtrem(s, r, $0) }
        if cgmp_mpz_sgn(r) != 0 { __gmpz_add_ui(s, s, 1) }
      }
    }
    return ExactInteger(storage: root)
  }

  /// Whether this integer is the square of an integer (0 and 1 included).
  public var isPerfectSquare: Bool {
    withMPZ { __gmpz_perfect_square_p($0) != 0 }
  }
}
