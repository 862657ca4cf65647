import CFLINT
import ExactArithmetic
import Foundation
import Inference

/// A pointer to indices written in disjoint parts by the blocks of a parallel loop.
private struct SharedIndices: @unchecked Sendable {
  let base: UnsafeMutablePointer<Int>
  init(_ base: UnsafeMutablePointer<Int>) { self.base = base }
}

// Helpers for certificates. They view the tensor as a matrix: `shape[0]` rows (the copies, e.g.
// one per input dimension) and the remaining elements as columns.

extension ExactTensor {
  /// The number of rows (`shape[0]`) and columns (the other elements) of the matrix view.
  var matrixShape: (rows: Int, columns: Int) {
    let rows = shape.first ?? 1
    return (rows, rows == 0 ? 0 : elementCount / rows)
  }

  /// `Σ_r c_r · row_r` for every column: with the rows of Aᵀ (or Gᵀ) and x0's coordinates as
  /// coefficients, A·x0 (or G·x0).
  ///
  /// Exact and cheap: the coefficients are brought to one common denominator, the sums are
  /// integer multiply-adds, and each column is divided by the denominator once at the end.
  public func combiningRows(with coefficients: [Rational]) -> [Rational] {
    let (rows, columns) = matrixShape
    precondition(coefficients.count == rows, "\(coefficients.count) coefficients for \(rows) rows")
    guard columns > 0 else { return [] }
    // c_r = p_r / q_r = P_r / L with L the lcm of the q_r.
    var denominator = ExactInteger(1)
    var numerators: [ExactInteger] = []
    var denominators: [ExactInteger] = []
    numerators.reserveCapacity(rows)
    denominators.reserveCapacity(rows)
    for c in coefficients {
      let (p, q) = (c.numerator, c.denominator)
      numerators.append(p)
      denominators.append(q)
      if q != 1 { denominator = ExactInteger.lcm(denominator, q) }
    }
    // The row vector of the P_r times the matrix, as one exact product.
    let multipliers = FmpzBuffer(count: rows)
    for r in 0..<rows where !numerators[r].isZero {
      setFmpz(multipliers.base + r, denominators[r] == denominator ? numerators[r] : numerators[r] * (denominator / denominators[r]))
    }
    let sums = FmpzBuffer(count: columns)
    buffer.with { x in ExactTensor.denseProduct(multipliers.base, x, into: sums, m: 1, k: rows, n: columns) }
    withExtendedLifetime(multipliers) {}
    let factor = unit.value / Rational(denominator)
    return sums.with { s in
      (0..<columns).map { j in s[j] == 0 ? Rational() : Rational(exactInteger(s + j)) * factor }
    }
  }

  /// Per column: the sum of absolute values (ℓ₁ norm), the largest absolute value (ℓ∞ norm) and
  /// the sum of squares (squared ℓ₂ norm), exactly.
  ///
  /// The sums are taken on d-bit digits of the integers (see `digitProduct`): with entries
  /// Σᵢ Dᵢ·2^(di), a column's ℓ₁ norm is Σᵢ 2^(di)·Σ_r |Dᵢ[r]| and its sum of squares
  /// Σ_{i,j} 2^(d(i+j))·Σ_r Dᵢ[r]·Dⱼ[r], every inner sum exact in double.
  public func columnNorms() -> [(l1: Rational, maxAbs: Rational, squaredL2: Rational)] {
    let (rows, columns) = matrixShape
    guard columns > 0 else { return [] }
    let d = digitBits(sumOf: max(rows, 1))
    let p = buffer.with { max(1, digitCount(bits: maximumBits($0, count: elementCount), d: d)) }
    let pairs = p * (p + 1) / 2
    let l1 = FmpzBuffer(count: columns)
    let squares = FmpzBuffer(count: columns)
    var largest = [Int](repeating: -1, count: columns)
    let (x, sum, square) = (SharedIntegers(buffer.base), SharedIntegers(l1.base), SharedIntegers(squares.base))
    largest.withUnsafeMutableBufferPointer { largest in
      let largest = SharedIndices(largest.baseAddress!)
      // Columns are split over the cores; each block runs over every row.
      forEachRange(columns, work: rows * columns * pairs) { block in
        let width = block.count
        var digits = [Double](repeating: 0, count: p * width)
        var absoluteSums = [Double](repeating: 0, count: p * width)
        var products = [Double](repeating: 0, count: pairs * width)
        for r in 0..<rows {
          let row = x.base + r * columns
          digits.withUnsafeMutableBufferPointer { digits in
            let base = digits.baseAddress!
            for t in 0..<digits.count { base[t] = 0 }
            for j in block where row[j] != 0 {
              writeDigits(row + j, d: d, count: p, into: base + (j - block.lowerBound), stride: width)
              let best = largest.base[j]
              if best < 0 || fmpz_cmpabs(row + j, x.base + best * columns + j) > 0 { largest.base[j] = r }
            }
          }
          digits.withUnsafeBufferPointer { digits in
            absoluteSums.withUnsafeMutableBufferPointer { absoluteSums in
              products.withUnsafeMutableBufferPointer { products in
                var pair = 0
                for i in 0..<p {
                  let di = digits.baseAddress! + i * width
                  let ai = absoluteSums.baseAddress! + i * width
                  for c in 0..<width { ai[c] += abs(di[c]) }
                  for j in i..<p {
                    let dj = digits.baseAddress! + j * width
                    let out = products.baseAddress! + pair * width
                    for c in 0..<width { out[c] += di[c] * dj[c] }
                    pair += 1
                  }
                }
              }
            }
          }
        }
        let limbs = limbCount(terms: 2 * p - 1, d: d)
        withUnsafeTemporaryAllocation(of: Int.self, capacity: 2 * p - 1) { terms in
          withUnsafeTemporaryAllocation(of: UInt.self, capacity: limbs) { scratch in
            for c in 0..<width {
              let j = block.lowerBound + c
              terms.initialize(repeating: 0)
              for i in 0..<p { terms[i] = Int(absoluteSums[i * width + c]) }
              accumulate(terms, d: d, into: scratch)
              setFmpz(sum.base + j, twosComplement: scratch)
              terms.initialize(repeating: 0)
              var pair = 0
              for i in 0..<p {
                for k in i..<p {
                  terms[i + k] += (i == k ? 1 : 2) * Int(products[pair * width + c])
                  pair += 1
                }
              }
              accumulate(terms, d: d, into: scratch)
              setFmpz(square.base + j, twosComplement: scratch)
            }
          }
        }
      }
    }
    withExtendedLifetime(buffer) {}
    let squaredUnit = unit.times(unit)
    return withExtendedLifetime((l1, squares)) {
      buffer.with { x in
        (0..<columns).map { j in
          (rational(of: l1.base + j, scale: unit),
           largest[j] < 0 ? Rational() : rational(of: x + largest[j] * columns + j, scale: unit).magnitude,
           rational(of: squares.base + j, scale: squaredUnit))
        }
      }
    }
  }

  /// Every element's value as `"p/q"` text, row-major (converted on all cores).
  public var fractionStrings: [String] {
    let count = elementCount
    let cores = ProcessInfo.processInfo.activeProcessorCount
    let blocks = count < 1024 ? 1 : cores
    let parts = parallelMap(blocks, jobs: blocks) { (block: Int) -> [String] in
      let range = (block * count / blocks)..<((block + 1) * count / blocks)
      return buffer.with { x in
        guard unit.isDyadic else { return range.map { rational(of: x + $0, scale: unit).fractionString } }
        // m·2^e in lowest terms is (m / 2^t) / 2^-(e+t) with t the trailing zero bits of m: no
        // gcd, and the few distinct denominators are converted once.
        var denominators: [Int: String] = [:]
        let odd = FmpzBuffer(count: 1)
        return range.map { i in
          let entry = x + i
          if entry.pointee == 0 { return "0/1" }
          let trailing = Int(fmpz_val2(entry))
          let exponent = unit.exponent + trailing
          guard exponent < 0 else { return rational(of: entry, scale: unit).fractionString }
          fmpz_fdiv_q_2exp(odd.base, entry, UInt(trailing))
          let digits = fmpz_get_str(nil, 10, odd.base)!
          defer { flint_free(digits) }
          if denominators[-exponent] == nil { denominators[-exponent] = ExactInteger.powerOfTwo(-exponent).description }
          return String(cString: digits) + "/" + denominators[-exponent]!
        }
      }
    }
    return parts.flatMap { $0.get() }
  }

  /// Column `j` of the matrix view.
  public func column(_ j: Int) -> [Rational] {
    let (rows, columns) = matrixShape
    precondition(j >= 0 && j < columns, "column \(j) out of range")
    return buffer.with { x in (0..<rows).map { rational(of: x + $0 * columns + j, scale: unit) } }
  }

  /// Row `r` of the matrix view.
  public func row(_ r: Int) -> [Rational] {
    let (rows, columns) = matrixShape
    precondition(r >= 0 && r < rows, "row \(r) out of range")
    return buffer.with { x in (0..<columns).map { rational(of: x + r * columns + $0, scale: unit) } }
  }
}
