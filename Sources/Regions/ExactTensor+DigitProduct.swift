import CBLAS
import CFLINT
import Foundation
import Model
#if canImport(Glibc)
import Glibc
#endif

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
    _ x: UnsafeMutablePointer<fmpz>, _ b: UnsafeMutablePointer<fmpz>, into result: FmpzBuffer,
    m: Int, k: Int, n: Int
  ) -> Bool {
    // A kernel the processor cannot run (forced by OPENBLAS_CORETYPE) would die of an illegal
    // instruction: FLINT computes the product instead.
    guard OpenBLASThreads.kernelRuns else { return false }
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
    // The stacked product, its rows split over the cores (one single-threaded BLAS call each).
    OpenBLASThreads.configure()
    var products = [Double](repeating: 0, count: px * m * pb * n)
    xd.withUnsafeBufferPointer { xd in
      bd.withUnsafeBufferPointer { bd in
        products.withUnsafeMutableBufferPointer { out in
          let (a, b, c) = (SharedConstantDoubles(xd.baseAddress!), SharedConstantDoubles(bd.baseAddress!), SharedDoubles(out.baseAddress!))
          let columns = pb * n
          forEachRange(px * m, work: px * m * k * columns / digitProductShare) { rows in
            guard !rows.isEmpty else { return }
            cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(rows.count), Int32(columns), Int32(k),
                        1, a.base + rows.lowerBound * k, Int32(k), b.base, Int32(columns), 0, c.base + rows.lowerBound * columns, Int32(columns))
          }
        }
      }
    }
    // BLAS is trusted with nothing: its product is checked exactly (Freivalds) while it is put
    // together, and a product that fails the check is discarded and recomputed by FLINT (the
    // caller's fallback).
    faultInjection?(&products)
    let check = DigitProductChecks.areEnabled ? FreivaldsCheck(xd, bd, rows: px * m, k: k, columns: pb * n) : nil
    let wrong = DigitProductChecks.Counter()

    // C[r, s] = Σ_{i,j} P[i·m + r, j·n + s] · 2^(d(i+j)) = Σ_t S_t · 2^(dt), each entry's GMP
    // integer (if it needs one) in an arena the result owns: no allocation per entry. The rows
    // of P that make row r of C are checked just before they are used, while in cache.
    let terms = px + pb - 1
    let limbs = limbCount(terms: terms, d: d)
    let arena = result.attachArena(integers: m * n, limbs: limbs)
    products.withUnsafeBufferPointer { p in
      let p = SharedConstantDoubles(p.baseAddress!)
      let c = SharedIntegers(result.base)
      forEachRange(m, work: m * n * px * pb) { rows in
        withUnsafeTemporaryAllocation(of: Int.self, capacity: terms) { sums in
          withUnsafeTemporaryAllocation(of: UInt.self, capacity: limbs) { scratch in
            for r in rows {
              if let check {
                for i in 0..<px where !check.holds(row: i * m + r, of: p.base) { return wrong.add(1) }
              }
              for s in 0..<n {
                sums.initialize(repeating: 0)
                for i in 0..<px {
                  let row = p.base + (i * m + r) * pb * n + s
                  for j in 0..<pb { sums[i + j] &+= Int(row[j * n]) }
                }
                accumulate(sums, d: d, into: scratch)
                arena.store(scratch, into: c.base + r * n + s, slot: r * n + s)
              }
            }
          }
        }
      }
    }
    guard wrong.count == 0 else {
      DigitProductChecks.failed.add(1)
      result.discardArena()
      return false
    }
    DigitProductChecks.passed.add(1)
    return true
  }

  /// Freivalds' check of a digit product P = Xd·Bd [rows, columns] that BLAS computed: every
  /// entry must be an integer below 2^53 in magnitude, and P·r ≡ Xd·(Bd·r) (mod 2^64) for two
  /// random vectors r of odd 64-bit integers: O(rows·columns + rows·k + k·columns) integer
  /// operations against the product's O(rows·k·columns). Rows are checked by the assembly, just
  /// before it reads them.
  ///
  /// A wrong P passes one vector with probability at most 2^(v−63), where 2^v is the largest
  /// power of two dividing the least-divisible error entry of its wrong rows (v ≤ 53, as errors
  /// are below 2^54): at most 2^−10, and a row with a single wrong entry never passes (odd
  /// multipliers are units modulo 2^64). Two independent vectors: at most 2^−20.
  struct FreivaldsCheck: @unchecked Sendable {
    let columns: Int
    let r1: [UInt64], r2: [UInt64]
    /// Xd·(Bd·r) per row of P, for both vectors (interleaved).
    let expected: [UInt64]

    init(_ xd: [Double], _ bd: [Double], rows: Int, k: Int, columns: Int) {
      var generator = SystemRandomNumberGenerator()
      let r1 = (0..<columns).map { _ in generator.next() as UInt64 | 1 }
      let r2 = (0..<columns).map { _ in generator.next() as UInt64 | 1 }
      // Bd·r and then Xd·(Bd·r), wrapping: exact modulo 2^64 (the digits are exact small integers).
      var b = [UInt64](repeating: 0, count: 2 * k)
      for t in 0..<k {
        var (s1, s2): (UInt64, UInt64) = (0, 0)
        for j in 0..<columns {
          let v = UInt64(bitPattern: Int64(bd[t * columns + j]))
          s1 &+= v &* r1[j]
          s2 &+= v &* r2[j]
        }
        (b[2 * t], b[2 * t + 1]) = (s1, s2)
      }
      var expected = [UInt64](repeating: 0, count: 2 * rows)
      let bFinal = b
      xd.withUnsafeBufferPointer { xd in
        expected.withUnsafeMutableBufferPointer { out in
          let (x, out) = (SharedConstantDoubles(xd.baseAddress!), SharedUInt64s(out.baseAddress!))
          forEachRange(rows, work: rows * k) { range in
            for i in range {
              var (e1, e2): (UInt64, UInt64) = (0, 0)
              for t in 0..<k {
                let v = UInt64(bitPattern: Int64(x.base[i * k + t]))
                e1 &+= v &* bFinal[2 * t]
                e2 &+= v &* bFinal[2 * t + 1]
              }
              (out.base[2 * i], out.base[2 * i + 1]) = (e1, e2)
            }
          }
        }
      }
      (self.columns, self.r1, self.r2, self.expected) = (columns, r1, r2, expected)
    }

    /// Whether a row of P (`columns` doubles at `p + row·columns`) holds integers below 2^53
    /// whose residues P·r equal Xd·(Bd·r) for both vectors. An entry that is not such an integer
    /// fails before it is converted (the assembly reads the entries as integers, truncated as
    /// here, so what is checked is what is used).
    func holds(row: Int, of p: UnsafePointer<Double>) -> Bool {
      let entries = p + row * columns
      var (actual1, actual2): (UInt64, UInt64) = (0, 0)
      return r1.withUnsafeBufferPointer { r1 in
        r2.withUnsafeBufferPointer { r2 in
          for j in 0..<columns {
            let value = entries[j]
            guard abs(value) < 0x1p53 else { return false }
            let v = UInt64(bitPattern: Int64(value))
            actual1 &+= v &* r1[j]
            actual2 &+= v &* r2[j]
          }
          return actual1 == expected[2 * row] && actual2 == expected[2 * row + 1]
        }
      }
    }
  }

  /// Test hook: corrupts the BLAS digit products before they are checked (nil in production).
  nonisolated(unsafe) static var faultInjection: ((inout [Double]) -> Void)?

  /// BLAS is fast enough per multiply-add that only large products are worth splitting.
  static let digitProductShare = 64

  /// Above this many digit products (px · pb), FLINT's product is used instead.
  static let maximumDigitProducts = 48
}

/// A pointer to doubles written in disjoint parts by the blocks of a parallel loop.
struct SharedDoubles: @unchecked Sendable {
  let base: UnsafeMutablePointer<Double>
  init(_ base: UnsafeMutablePointer<Double>) { self.base = base }
}

/// A pointer to 64-bit words written in disjoint parts by the blocks of a parallel loop.
struct SharedUInt64s: @unchecked Sendable {
  let base: UnsafeMutablePointer<UInt64>
  init(_ base: UnsafeMutablePointer<UInt64>) { self.base = base }
}

/// A pointer to doubles read by the blocks of a parallel loop.
struct SharedConstantDoubles: @unchecked Sendable {
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

/// Limbs enough for Σ_t S_t · 2^(dt) over `terms` terms with |S_t| < 2^63, in two's complement.
func limbCount(terms: Int, d: Int) -> Int {
  (d * (terms - 1) + 64 + bitLength(terms) + 1 + 63) / 64
}

/// Σ_t sums[t] · 2^(d·t) as `limbs.count` two's complement limbs (enough of them: see
/// `limbCount`), with 128-bit arithmetic while the value allows.
func accumulate(_ sums: UnsafeMutableBufferPointer<Int>, d: Int, into limbs: UnsafeMutableBufferPointer<UInt>) {
  var widest = 0
  for t in 0..<sums.count { widest = max(widest, bitLength(Int(sums[t].magnitude >> 1)) + 1) }
  // |value| < 2^bound; the terms below 2^64 and their sum below 2^lowBound.
  let bound = d * (sums.count - 1) + widest + bitLength(sums.count)
  let lowBound = 63 + widest + bitLength(sums.count)
  if bound <= 126 {
    var value: Int128 = 0
    for t in 0..<sums.count { value &+= Int128(sums[t]) << (d * t) }
    limbs[0] = UInt(truncatingIfNeeded: value)
    limbs[1] = UInt(truncatingIfNeeded: value >> 64)
    let sign: UInt = value < 0 ? .max : 0
    for l in 2..<max(limbs.count, 2) { limbs[l] = sign }
  } else if bound <= 190 && lowBound <= 126 {
    // low + high · 2^64, each an Int128: low sign-extended plus high one limb up.
    var low: Int128 = 0, high: Int128 = 0
    for t in 0..<sums.count {
      let shift = d * t
      if shift < 64 { low &+= Int128(sums[t]) << shift } else { high &+= Int128(sums[t]) << (shift - 64) }
    }
    let (middle, carry) = UInt(truncatingIfNeeded: low >> 64).addingReportingOverflow(UInt(truncatingIfNeeded: high))
    let top = (low < 0 ? -1 : 0) &+ (high >> 64) &+ (carry ? 1 : 0)
    limbs[0] = UInt(truncatingIfNeeded: low)
    limbs[1] = middle
    limbs[2] = UInt(truncatingIfNeeded: top)
    let sign: UInt = top < 0 ? .max : 0
    for l in 3..<max(limbs.count, 3) { limbs[l] = sign }
  } else {
    for l in 0..<limbs.count { limbs[l] = 0 }
    for t in 0..<sums.count where sums[t] != 0 {
      // Add sums[t] · 2^(d·t): the sign-extended 128-bit value shifted into place, then the
      // carry and the sign extension through the higher limbs.
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
  }
}

/// Turns two's complement limbs into sign and magnitude in place: the sign, and the number of
/// limbs the magnitude uses.
func signAndMagnitude(_ limbs: UnsafeMutableBufferPointer<UInt>) -> (negative: Bool, used: Int) {
  let negative = limbs[limbs.count - 1] >> 63 == 1
  if negative {
    var carry: UInt = 1
    for l in 0..<limbs.count {
      let (value, overflow) = (~limbs[l]).addingReportingOverflow(carry)
      limbs[l] = value
      carry = overflow ? 1 : 0
    }
  }
  var used = limbs.count
  while used > 0 && limbs[used - 1] == 0 { used -= 1 }
  return (negative, used)
}

/// Sets `target` to the two's complement `limbs` (which it overwrites) through FLINT.
func setFmpz(_ target: UnsafeMutablePointer<fmpz>, twosComplement limbs: UnsafeMutableBufferPointer<UInt>) {
  let (negative, used) = signAndMagnitude(limbs)
  fmpz_set_ui_array(target, limbs.baseAddress!, max(used, 1))
  if negative { fmpz_neg(target, target) }
}

/// OpenBLAS runs on one thread unless the environment says otherwise (`OPENBLAS_NUM_THREADS`,
/// `OMP_NUM_THREADS`): the digit products split their rows over the cores themselves, and
/// OpenBLAS's own threads on top of those oversubscribe the cores and spin in `sched_yield`.
/// (The digit products are exact in any order, so OpenBLAS's choice of kernel never matters.)
enum OpenBLASThreads {
  private static let configured: Bool = {
    if getenv("OPENBLAS_NUM_THREADS") != nil || getenv("OMP_NUM_THREADS") != nil { return false }
    openblas_set_num_threads(1)
    return true
  }()

  /// Applies the policy (once per process).
  @inline(__always) static func configure() { _ = configured }

  /// Whether this processor can run the kernel OpenBLAS chose (see `CBLAS/shim.h`).
  static let kernelRuns = explaincert_openblas_kernel_runs() != 0
}

/// How many BLAS digit products passed and failed Freivalds' check in this process (a failed one
/// is recomputed by FLINT); `certify` reports failures.
public enum DigitProductChecks {
  public static let passed = Counter()
  public static let failed = Counter()
  /// Whether BLAS products are checked: always, except while `bench --certificate` measures
  /// what the checks cost.
  public nonisolated(unsafe) static var areEnabled = true

  /// A thread-safe count.
  public final class Counter: @unchecked Sendable {
    private var value = 0
    private let lock = NSLock()
    func add(_ n: Int) { lock.lock(); value += n; lock.unlock() }
    public var count: Int { lock.lock(); defer { lock.unlock() }; return value }
  }
}
