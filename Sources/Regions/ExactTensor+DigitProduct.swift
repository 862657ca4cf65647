import CBLAS
import CFLINT

// Exact integer matrix products on the float unit: every integer is cut into signed digits of
// d bits, each digit is a double, and the digit matrices are multiplied by BLAS (`dgemm`).
//
// With |digit| < 2^d and an inner dimension k, every partial sum of a digit product has
// magnitude below k · 2^2d ≤ 2^53, so each one is an integer that double represents exactly,
// whatever order BLAS adds in. The product is then Σ_{i,j} (X_i · B_j) · 2^(d(i+j)), put together
// per entry in 64-bit limbs. All digit products come from one `dgemm`: the digit matrices of X
// stacked by rows times those of B stacked by columns.
//
// This is the multi-precision product FLINT would make with a BLAS backend (Debian's FLINT 2.9
// has none): a few times faster than `fmpz_mat_mul` on the 40–130-bit entries of an OpenBox
// extraction.

extension ExactTensor {
  /// `C[m, n] = X[m, k] · B[k, n]` by digit products on BLAS; false (C untouched) when the digits
  /// would be too many for it to pay (very wide entries: FLINT's own product is better there).
  static func digitProduct(
    _ x: UnsafeMutablePointer<fmpz>, _ b: UnsafeMutablePointer<fmpz>, into c: UnsafeMutablePointer<fmpz>,
    m: Int, k: Int, n: Int
  ) -> Bool {
    let d = digitBits(sumOf: k)
    guard d >= 8 else { return false }
    let px = digitCount(bits: maximumBits(x, count: m * k), d: d)
    let pb = digitCount(bits: maximumBits(b, count: k * n), d: d)
    guard px > 0, pb > 0 else { return true }  // a zero factor: C stays zero
    guard px * pb <= maximumDigitProducts else { return false }

    // X's digits stacked by rows: [px·m, k]; B's by columns: [k, pb·n].
    var xd = [Double](repeating: 0, count: px * m * k)
    var bd = [Double](repeating: 0, count: k * pb * n)
    xd.withUnsafeMutableBufferPointer { out in
      let out = SharedDoubles(out.baseAddress!)
      let x = SharedIntegers(x)
      forEachRange(m, work: m * k * px) { rows in
        for i in rows {
          for j in 0..<k { writeDigits(x.base + i * k + j, d: d, count: px, into: out.base + i * k + j, stride: m * k) }
        }
      }
    }
    bd.withUnsafeMutableBufferPointer { out in
      let out = SharedDoubles(out.baseAddress!)
      let b = SharedIntegers(b)
      forEachRange(k, work: k * n * pb) { rows in
        for r in rows {
          for j in 0..<n { writeDigits(b.base + r * n + j, d: d, count: pb, into: out.base + r * pb * n + j, stride: n) }
        }
      }
    }
    var products = [Double](repeating: 0, count: px * m * pb * n)
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(px * m), Int32(pb * n), Int32(k),
                1, xd, Int32(k), bd, Int32(pb * n), 0, &products, Int32(pb * n))

    // C[r, s] = Σ_{i,j} P[i·m + r, j·n + s] · 2^(d(i+j)) = Σ_t S_t · 2^(dt), |S_t| < 2^56.
    let terms = px + pb - 1
    products.withUnsafeBufferPointer { p in
      let p = SharedConstantDoubles(p.baseAddress!)
      let c = SharedIntegers(c)
      forEachRange(m, work: m * n * px * pb) { rows in
        withUnsafeTemporaryAllocation(of: Int.self, capacity: terms) { sums in
          var scratch = [UInt](repeating: 0, count: (d * (terms - 1) + 64 + 63) / 64 + 1)
          for r in rows {
            for s in 0..<n {
              sums.initialize(repeating: 0)
              for i in 0..<px {
                let row = p.base + (i * m + r) * pb * n + s
                for j in 0..<pb { sums[i + j] &+= Int(row[j * n]) }
              }
              setFmpz(c.base + r * n + s, digitSums: sums, d: d, scratch: &scratch)
            }
          }
        }
      }
    }
    return true
  }

  /// Above this many digit products (px · pb), FLINT's product is used instead.
  static let maximumDigitProducts = 48
}

/// A pointer to doubles written in disjoint parts by the blocks of a parallel loop.
struct SharedDoubles: @unchecked Sendable {
  let base: UnsafeMutablePointer<Double>
  init(_ base: UnsafeMutablePointer<Double>) { self.base = base }
}

/// A pointer to doubles read by the blocks of a parallel loop.
private struct SharedConstantDoubles: @unchecked Sendable {
  let base: UnsafePointer<Double>
  init(_ base: UnsafePointer<Double>) { self.base = base }
}

/// The digit width d for which a sum of `terms` products of two d-bit digits stays below 2^53.
func digitBits(sumOf terms: Int) -> Int {
  (53 - bitLength(terms - 1)) / 2
}

/// Number of bits of a nonnegative integer (0 for 0).
private func bitLength(_ value: Int) -> Int {
  value <= 0 ? 0 : Int.bitWidth - value.leadingZeroBitCount
}

/// The largest number of bits of the magnitudes of `count` integers.
func maximumBits(_ entries: UnsafePointer<fmpz>, count: Int) -> Int {
  var smallBits = 0, largestLimbs: Int32 = 0, top: UInt = 0
  for i in 0..<count {
    let word = entries[i]
    if cflint_coeff_is_mpz(word) == 0 {
      smallBits = max(smallBits, UInt.bitWidth - word.magnitude.leadingZeroBitCount)
    } else {
      let integer = cflint_coeff_to_ptr(word)!.pointee
      let limbs = integer._mp_size.magnitude
      if limbs > largestLimbs {
        largestLimbs = Int32(limbs)
        top = UInt(integer._mp_d[Int(limbs) - 1])
      } else if limbs == largestLimbs {
        top = max(top, UInt(integer._mp_d[Int(limbs) - 1]))
      }
    }
  }
  guard largestLimbs > 0 else { return smallBits }
  return max(smallBits, Int(largestLimbs - 1) * UInt.bitWidth + UInt.bitWidth - top.leadingZeroBitCount)
}

/// Digits of `d` bits needed for `bits`-bit magnitudes.
func digitCount(bits: Int, d: Int) -> Int {
  (bits + d - 1) / d
}

/// Writes the `count` signed `d`-bit digits of `entry` (least significant first), `stride` apart.
func writeDigits(_ entry: UnsafePointer<fmpz>, d: Int, count: Int, into out: UnsafeMutablePointer<Double>, stride: Int) {
  let word = entry.pointee
  if word == 0 { return }
  let mask = (UInt(1) << d) - 1
  if cflint_coeff_is_mpz(word) == 0 {
    let negative = word < 0
    var magnitude = word.magnitude
    for i in 0..<count where magnitude != 0 {
      let digit = Double(magnitude & mask)
      out[i * stride] = negative ? -digit : digit
      magnitude >>= UInt(d)
    }
    return
  }
  let integer = cflint_coeff_to_ptr(word)!.pointee
  let size = Int(integer._mp_size.magnitude)
  let negative = integer._mp_size < 0
  let limbs = integer._mp_d!
  for i in 0..<count {
    let bit = i * d
    let index = bit / 64, offset = bit % 64
    guard index < size else { break }
    var value = UInt(limbs[index]) >> UInt(offset)
    if offset + d > 64 && index + 1 < size { value |= UInt(limbs[index + 1]) << UInt(64 - offset) }
    let digit = Double(value & mask)
    out[i * stride] = negative ? -digit : digit
  }
}

/// Sets `target` to Σ_t sums[t] · 2^(d·t): with 128-bit arithmetic while the value fits in 192
/// bits, else in `scratch` (two's complement limbs, at least d·(T−1) + 128 bits long).
func setFmpz(_ target: UnsafeMutablePointer<fmpz>, digitSums sums: UnsafeMutableBufferPointer<Int>, d: Int, scratch: inout [UInt]) {
  var widest = 0
  for t in 0..<sums.count { widest = max(widest, bitLength(Int(sums[t].magnitude >> 1)) + 1) }
  // |value| < 2^bound, and every term and partial sum of the low part below 2^lowBound.
  let bound = d * (sums.count - 1) + widest + bitLength(sums.count)
  let lowBound = 63 + widest + bitLength(sums.count)
  if bound <= 126 {
    var value: Int128 = 0
    for t in 0..<sums.count { value &+= Int128(sums[t]) << (d * t) }
    fmpz_set_signed_uiui(target, UInt(truncatingIfNeeded: value >> 64), UInt(truncatingIfNeeded: value))
  } else if bound <= 190 && lowBound <= 126 {
    // low + high · 2^64, each an Int128.
    var low: Int128 = 0, high: Int128 = 0
    for t in 0..<sums.count {
      let shift = d * t
      if shift < 64 { low &+= Int128(sums[t]) << shift } else { high &+= Int128(sums[t]) << (shift - 64) }
    }
    // 192-bit two's complement: low sign-extended plus high shifted by one limb.
    let l0 = UInt(truncatingIfNeeded: low), l1 = UInt(truncatingIfNeeded: low >> 64), l2: UInt = low < 0 ? .max : 0
    let (m1, carry) = l1.addingReportingOverflow(UInt(truncatingIfNeeded: high))
    let m2 = l2 &+ UInt(truncatingIfNeeded: high >> 64) &+ (carry ? 1 : 0)
    fmpz_set_signed_uiuiui(target, m2, m1, l0)
  } else {
    setFmpzLimbs(target, digitSums: sums, d: d, limbs: &scratch)
  }
}

/// `setFmpz` for any width: the sum in two's complement limbs, then sign and magnitude.
private func setFmpzLimbs(_ target: UnsafeMutablePointer<fmpz>, digitSums sums: UnsafeMutableBufferPointer<Int>, d: Int, limbs: inout [UInt]) {
  for l in limbs.indices { limbs[l] = 0 }
  for t in 0..<sums.count where sums[t] != 0 {
    // Add sums[t] · 2^(d·t): the sign-extended 128-bit value shifted into place, then the carry
    // and the sign extension through the higher limbs.
    let sum = sums[t]
    let index = d * t / 64, offset = d * t % 64
    let low = UInt(bitPattern: sum) << UInt(offset)
    let high = offset == 0 ? (sum < 0 ? UInt.max : 0) : UInt(bitPattern: sum >> (64 - offset))
    let signExtension: UInt = sum < 0 ? .max : 0
    var carry: UInt = 0
    for l in index..<limbs.count {
      let addend = l == index ? low : (l == index + 1 ? high : signExtension)
      let (partial, overflow1) = limbs[l].addingReportingOverflow(addend)
      let (total, overflow2) = partial.addingReportingOverflow(carry)
      limbs[l] = total
      carry = (overflow1 ? 1 : 0) + (overflow2 ? 1 : 0)
    }
  }
  let negative = limbs[limbs.count - 1] >> 63 == 1
  if negative {
    var carry: UInt = 1
    for l in limbs.indices {
      let (value, overflow) = (~limbs[l]).addingReportingOverflow(carry)
      limbs[l] = value
      carry = overflow ? 1 : 0
    }
  }
  limbs.withUnsafeBufferPointer { fmpz_set_ui_array(target, $0.baseAddress!, $0.count) }
  if negative { fmpz_neg(target, target) }
}
