import CGMP

extension Rational: Equatable, Comparable, Hashable {
  public static func == (lhs: Rational, rhs: Rational) -> Bool {
    lhs.storage === rhs.storage || lhs.withMPQ { a in rhs.withMPQ { b in __gmpq_equal(a, b) != 0 } }
  }

  public static func < (lhs: Rational, rhs: Rational) -> Bool {
    compare(lhs, rhs) < 0
  }

  /// -1, 0 or 1 as `lhs` is less than, equal to or greater than `rhs`.
  static func compare(_ lhs: Rational, _ rhs: Rational) -> Int {
    let c = lhs.withMPQ { a in rhs.withMPQ { b in __gmpq_cmp(a, b) } }
    return c < 0 ? -1 : (c > 0 ? 1 : 0)
  }

  public func hash(into hasher: inout Hasher) {
    hasher.combine(numerator)
    hasher.combine(denominator)
  }
}
