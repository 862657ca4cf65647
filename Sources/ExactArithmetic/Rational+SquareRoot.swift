import CGMP

extension Rational {
  /// Exact bounds on the square root of this nonnegative number, to
  /// `fractionalBits` binary digits after the point.
  ///
  /// Returns `lower = ⌊√x · 2^b⌋ / 2^b` and `upper = ⌈√x · 2^b⌉ / 2^b`, so
  /// `lower ≤ √x ≤ upper` and `upper − lower ≤ 2^-b`, with `lower == upper`
  /// exactly when `√x · 2^b` is an integer. Both are dyadic rationals.
  public func squareRootBounds(fractionalBits bits: Int) -> (lower: Rational, upper: Rational) {
    precondition(signum() >= 0, "square root of a negative number")
    precondition(bits >= 0, "negative number of bits")
    // N = ⌊p · 4^b / q⌋, s = ⌊√N⌋ = ⌊√(x · 4^b)⌋.
    let scaled = MPZStorage.make()
    let remainder = MPZStorage.make()
    let root = MPZStorage.make()
    let exact: Bool = scaled.with { n in
      remainder.with { r in
        root.with { s in
          withMPQ { q in
            __gmpz_mul_2exp(n, cgmp_mpq_numref(q), UInt(2 * bits))
            __gmpz_tdiv_qr(n, r, n, cgmp_mpq_denref(q))
          }
          let divisionExact = cgmp_mpz_sgn(r) == 0
          __gmpz_sqrtrem(s, r, n)
          return divisionExact && cgmp_mpz_sgn(r) == 0
        }
      }
    }
    let s = ExactInteger(storage: root)
    let lower = Rational(s).multiplied(byPowerOfTwo: -bits)
    if exact { return (lower, lower) }
    let upper = Rational(s + 1).multiplied(byPowerOfTwo: -bits)
    return (lower, upper)
  }
}
