import CGMP

/// An exact rational number p/q, backed by a GMP `mpq_t`.
///
/// A `Rational` is always canonical: `gcd(p, q) = 1` and `q > 0`, so equal
/// values have equal numerators and denominators.
///
/// `Rational` is a value type with copy-on-write storage; the GMP memory is
/// freed when the last copy goes away. It is `Sendable` for the same reason as
/// ``ExactInteger``: shared storage is never written, only read.
public struct Rational: @unchecked Sendable {
  var storage: MPQStorage

  init(storage: MPQStorage) {
    self.storage = storage
  }

  /// Zero.
  public init() {
    storage = .make()
  }

  /// The integer `value`.
  public init(_ value: Int) {
    storage = .make()
    storage.with { __gmpq_set_si($0, value, 1) }
  }

  /// The integer `value`.
  public init(_ value: ExactInteger) {
    storage = .make()
    storage.with { q in value.withMPZ { __gmpq_set_z(q, $0) } }
  }

  /// `numerator / denominator`, reduced to lowest terms. `denominator` must not be zero.
  public init(_ numerator: ExactInteger, _ denominator: ExactInteger) {
    precondition(!denominator.isZero, "Rational with a zero denominator")
    storage = .make()
    storage.with { q in
      numerator.withMPZ { __gmpq_set_num(q, $0) }
      denominator.withMPZ { __gmpq_set_den(q, $0) }
      __gmpq_canonicalize(q)
    }
  }

  /// The integer `value` (part of `Numeric`).
  public init?<T: BinaryInteger>(exactly value: T) {
    self.init(ExactInteger(value))
  }

  // MARK: Storage access

  @inline(__always)
  func withMPQ<R>(_ body: (UnsafeMutablePointer<__mpq_struct>) throws -> R) rethrows -> R {
    try storage.with(body)
  }

  @inline(__always)
  static func make(_ body: (UnsafeMutablePointer<__mpq_struct>) throws -> Void) rethrows
    -> Rational
  {
    let result = MPQStorage.make()
    try result.with(body)
    return Rational(storage: result)
  }

  // MARK: Properties

  /// The numerator p of p/q in lowest terms; it carries the sign.
  public var numerator: ExactInteger {
    ExactInteger.make { z in withMPQ { __gmpz_set(z, cgmp_mpq_numref($0)) } }
  }

  /// The denominator q of p/q in lowest terms; always positive.
  public var denominator: ExactInteger {
    ExactInteger.make { z in withMPQ { __gmpz_set(z, cgmp_mpq_denref($0)) } }
  }

  /// -1, 0 or 1: the sign of this number.
  public func signum() -> Int {
    Int(withMPQ { cgmp_mpq_sgn($0) })
  }

  /// Whether this number is zero.
  public var isZero: Bool { signum() == 0 }

  /// Whether this number is an integer (its denominator is 1).
  public var isInteger: Bool {
    withMPQ { __gmpz_cmp_ui(cgmp_mpq_denref($0), 1) == 0 }
  }

  /// The absolute value.
  public var magnitude: Rational {
    signum() >= 0 ? self : Rational.make { r in withMPQ { __gmpq_abs(r, $0) } }
  }

  /// The greatest integer ≤ this number.
  public func floor() -> ExactInteger {
    ExactInteger.make { z in
      withMPQ { __gmpz_fdiv_q(z, cgmp_mpq_numref($0), cgmp_mpq_denref($0)) }
    }
  }

  /// The least integer ≥ this number.
  public func ceiling() -> ExactInteger {
    ExactInteger.make { z in
      withMPQ { __gmpz_cdiv_q(z, cgmp_mpq_numref($0), cgmp_mpq_denref($0)) }
    }
  }
}

extension Rational: ExpressibleByIntegerLiteral {
  public init(integerLiteral value: Int) {
    self.init(value)
  }
}
