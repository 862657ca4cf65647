import CGMP

/// An arbitrary-precision signed integer, backed by a GMP `mpz_t`.
///
/// `ExactInteger` is a value type with copy-on-write storage: copies share one
/// GMP integer until one of them is mutated, and the GMP memory is freed when
/// the last copy goes away.
///
/// It is `Sendable` because a shared storage cell is never written: every
/// mutation first checks `isKnownUniquelyReferenced` and copies otherwise, and
/// GMP functions only read their source operands, so concurrent readers of one
/// cell are safe.
public struct ExactInteger: @unchecked Sendable {
  var storage: MPZStorage

  init(storage: MPZStorage) {
    self.storage = storage
  }

  /// Zero.
  public init() {
    storage = .make()
  }

  /// The integer `value`.
  public init(_ value: Int) {
    storage = .make()
    storage.with { __gmpz_set_si($0, value) }
  }

  /// The integer `value`, of any width.
  public init<T: BinaryInteger>(_ value: T) {
    storage = .make()
    if let small = Int(exactly: value) {
      storage.with { __gmpz_set_si($0, small) }
    } else if let small = UInt(exactly: value) {
      storage.with { __gmpz_set_ui($0, small) }
    } else {
      let words = Array(value.magnitude.words)
      storage.with { z in
        words.withUnsafeBufferPointer { buffer in
          __gmpz_import(z, buffer.count, -1, MemoryLayout<UInt>.size, 0, 0, buffer.baseAddress)
        }
        if value < 0 { __gmpz_neg(z, z) }
      }
    }
  }

  /// The integer `value`, if it is an integer (part of `Numeric`).
  public init?<T: BinaryInteger>(exactly value: T) {
    self.init(value)
  }

  // MARK: Storage access

  /// Calls `body` with a pointer to this integer's `mpz_t`, which it must only read.
  @inline(__always)
  func withMPZ<R>(_ body: (UnsafeMutablePointer<__mpz_struct>) throws -> R) rethrows -> R {
    try storage.with(body)
  }

  /// Calls `body` with a pointer to this integer's `mpz_t`, which it may write,
  /// after copying the storage if it is shared.
  @inline(__always)
  mutating func withMutableMPZ<R>(
    _ body: (UnsafeMutablePointer<__mpz_struct>) throws -> R
  ) rethrows -> R {
    if !isKnownUniquelyReferenced(&storage) {
      let copy = MPZStorage.make()
      copy.with { target in storage.with { __gmpz_set(target, $0) } }
      storage = copy
    }
    return try storage.with(body)
  }

  /// A new integer set by `body`, which receives a pointer to a fresh zero `mpz_t`.
  @inline(__always)
  static func make(_ body: (UnsafeMutablePointer<__mpz_struct>) throws -> Void) rethrows
    -> ExactInteger
  {
    let result = MPZStorage.make()
    try result.with(body)
    return ExactInteger(storage: result)
  }

  // MARK: Properties

  /// -1, 0 or 1: the sign of this integer.
  public func signum() -> Int {
    Int(withMPZ { cgmp_mpz_sgn($0) })
  }

  /// Whether this integer is zero.
  public var isZero: Bool { signum() == 0 }

  /// Whether this integer is odd.
  public var isOdd: Bool { withMPZ { cgmp_mpz_odd_p($0) != 0 } }

  /// The absolute value.
  public var magnitude: ExactInteger {
    signum() >= 0 ? self : ExactInteger.make { r in withMPZ { __gmpz_abs(r, $0) } }
  }

  /// The number of bits of the absolute value: 0 for zero, `k + 1` for `2^k ≤ |x| < 2^(k+1)`.
  public var bitLength: Int {
    isZero ? 0 : withMPZ { __gmpz_sizeinbase($0, 2) }
  }

  /// The number of trailing zero bits of the absolute value (0 for zero).
  public var trailingZeroBitCount: Int {
    isZero ? 0 : withMPZ { Int(__gmpz_scan1($0, 0)) }
  }

  /// Whether the absolute value is a power of two (2^0 = 1 included).
  public var isPowerOfTwoMagnitude: Bool {
    !isZero && trailingZeroBitCount == bitLength - 1
  }
}

extension ExactInteger: ExpressibleByIntegerLiteral {
  public init(integerLiteral value: Int) {
    self.init(value)
  }
}

extension Int {
  /// `value` as an `Int`, or `nil` when it does not fit.
  public init?(exactly value: ExactInteger) {
    guard value.withMPZ({ __gmpz_fits_slong_p($0) }) != 0 else { return nil }
    self = value.withMPZ { __gmpz_get_si($0) }
  }
}
