import CGMP

extension ExactInteger: Equatable, Comparable, Hashable {
  public static func == (lhs: ExactInteger, rhs: ExactInteger) -> Bool {
    lhs.storage === rhs.storage || compare(lhs, rhs) == 0
  }

  public static func < (lhs: ExactInteger, rhs: ExactInteger) -> Bool {
    compare(lhs, rhs) < 0
  }

  /// -1, 0 or 1 as `lhs` is less than, equal to or greater than `rhs`.
  static func compare(_ lhs: ExactInteger, _ rhs: ExactInteger) -> Int {
    let c = lhs.withMPZ { a in rhs.withMPZ { b in __gmpz_cmp(a, b) } }
    return c < 0 ? -1 : (c > 0 ? 1 : 0)
  }

  public func hash(into hasher: inout Hasher) {
    withMPZ { z in
      hasher.combine(cgmp_mpz_sgn(z))
      let count = cgmp_mpz_size(z)
      if count > 0 {
        hasher.combine(
          bytes: UnsafeRawBufferPointer(
            start: cgmp_mpz_limbs(z), count: count * MemoryLayout<mp_limb_t>.size))
      }
    }
  }
}
