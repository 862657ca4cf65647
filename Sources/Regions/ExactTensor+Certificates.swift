import CFLINT
import ExactArithmetic
import Foundation
import Inference

/// A pointer to indices written in disjoint parts by the blocks of a parallel loop.
private struct SharedIndices: @unchecked Sendable {
  let base: UnsafeMutablePointer<Int>
  init(_ base: UnsafeMutablePointer<Int>) { self.base = base }
}

/// A column's ℓ₁ norm, largest absolute value (ℓ∞ norm) and sum of squares (squared ℓ₂ norm).
public typealias ColumnNorms = (l1: Rational, maxAbs: Rational, squaredL2: Rational)

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
  public func combiningRows(with coefficients: [Rational]) -> [Rational] {
    columnSums(combining: coefficients, norms: false).combination
  }

  /// Per column: the sum of absolute values (ℓ₁ norm), the largest absolute value (ℓ∞ norm) and
  /// the sum of squares (squared ℓ₂ norm), exactly.
  public func columnNorms() -> [ColumnNorms] {
    columnSums(combining: nil, norms: true).norms
  }

  /// ``combiningRows(with:)`` and ``columnNorms()`` in one pass.
  public func columnSummaries(combining coefficients: [Rational]) -> (combination: [Rational], norms: [ColumnNorms]) {
    columnSums(combining: coefficients, norms: true)
  }

  /// Per column, the combination of the rows with `coefficients` (if any) and the norms (if
  /// asked), exactly, on d-bit digits of the integers (see `digitProduct`): with entries
  /// g = Σᵢ Dᵢ·2^(di) and the coefficients over one common denominator, P_r = Σ_a Q_a[r]·2^(da),
  ///
  ///     Σ_r P_r·g_r = Σ_{a,i} 2^(d(a+i))·Σ_r Q_a[r]·Dᵢ[r],    Σ_r |g_r| = Σᵢ 2^(di)·Σ_r |Dᵢ[r]|,
  ///     Σ_r g_r²    = Σ_{i,j} 2^(d(i+j))·Σ_r Dᵢ[r]·Dⱼ[r],
  ///
  /// every inner sum an integer below 2^53, exact in double.
  func columnSums(combining coefficients: [Rational]?, norms: Bool) -> (combination: [Rational], norms: [ColumnNorms]) {
    let (rows, columns) = matrixShape
    if let coefficients { precondition(coefficients.count == rows, "\(coefficients.count) coefficients for \(rows) rows") }
    guard columns > 0 else { return ([], []) }
    let d = digitBits(sumOf: max(rows, 1))
    let p = buffer.with { max(1, digitCount(bits: maximumBits($0, count: elementCount), d: d)) }
    let pairs = norms ? p * (p + 1) / 2 : 0

    // c_r = p_r / q_r = P_r / L with L the lcm of the q_r; the P_r's digits, q of them.
    var denominator = ExactInteger(1)
    var multiplierDigits: [Double] = [0]  // never empty, so its address is never nil
    var multiplierDigitCount = 0
    if let coefficients {
      for c in coefficients where c.denominator != 1 { denominator = ExactInteger.lcm(denominator, c.denominator) }
      let multipliers = FmpzBuffer(count: rows)
      for (r, c) in coefficients.enumerated() where !c.isZero {
        setFmpz(multipliers.base + r, c.denominator == denominator ? c.numerator : c.numerator * (denominator / c.denominator))
      }
      let count = max(1, digitCount(bits: maximumBits(multipliers.base, count: rows), d: d))
      multiplierDigits = [Double](repeating: 0, count: count * rows)
      multiplierDigits.withUnsafeMutableBufferPointer { out in
        for r in 0..<rows { writeDigits(multipliers.base + r, d: d, count: count, into: out.baseAddress! + r, stride: rows) }
      }
      withExtendedLifetime(multipliers) {}
      multiplierDigitCount = count
    }
    let q = multiplierDigitCount

    let combination = FmpzBuffer(count: columns)
    let l1 = FmpzBuffer(count: columns)
    let squares = FmpzBuffer(count: columns)
    var largest = [Int](repeating: -1, count: columns)
    let (x, sum, square, combined) = (SharedIntegers(buffer.base), SharedIntegers(l1.base), SharedIntegers(squares.base), SharedIntegers(combination.base))
    multiplierDigits.withUnsafeBufferPointer { multiplierDigits in
      let multiplierDigits = SharedConstantDoubles(multiplierDigits.baseAddress!)
      largest.withUnsafeMutableBufferPointer { largest in
        let largest = SharedIndices(largest.baseAddress!)
        // Columns are split over the cores; each block runs over every row.
        forEachRange(columns, work: rows * columns * (pairs + p * q)) { block in
          let width = block.count
          var digits = [Double](repeating: 0, count: p * width)
          var absoluteSums = [Double](repeating: 0, count: norms ? p * width : 0)
          var products = [Double](repeating: 0, count: pairs * width)
          var weighted = [Double](repeating: 0, count: q * p * width)
          for r in 0..<rows {
            let row = x.base + r * columns
            digits.withUnsafeMutableBufferPointer { digits in
              let base = digits.baseAddress!
              for t in 0..<digits.count { base[t] = 0 }
              for j in block where row[j] != 0 {
                writeDigits(row + j, d: d, count: p, into: base + (j - block.lowerBound), stride: width)
                if norms {
                  let best = largest.base[j]
                  if best < 0 || fmpz_cmpabs(row + j, x.base + best * columns + j) > 0 { largest.base[j] = r }
                }
              }
            }
            digits.withUnsafeBufferPointer { digits in
              let digits = digits.baseAddress!
              if norms {
                absoluteSums.withUnsafeMutableBufferPointer { absoluteSums in
                  products.withUnsafeMutableBufferPointer { products in
                    var pair = 0
                    for i in 0..<p {
                      let di = digits + i * width
                      let ai = absoluteSums.baseAddress! + i * width
                      for c in 0..<width { ai[c] += abs(di[c]) }
                      for j in i..<p {
                        let dj = digits + j * width
                        let out = products.baseAddress! + pair * width
                        for c in 0..<width { out[c] += di[c] * dj[c] }
                        pair += 1
                      }
                    }
                  }
                }
              }
              weighted.withUnsafeMutableBufferPointer { weighted in
                for a in 0..<q {
                  let multiplier = multiplierDigits.base[a * rows + r]
                  guard multiplier != 0 else { continue }
                  for i in 0..<p {
                    let di = digits + i * width
                    let out = weighted.baseAddress! + (a * p + i) * width
                    for c in 0..<width { out[c] += multiplier * di[c] }
                  }
                }
              }
            }
          }
          let limbs = limbCount(terms: max(2 * p - 1, p + q - 1), d: d)
          withUnsafeTemporaryAllocation(of: Int.self, capacity: max(2 * p - 1, p + q - 1)) { terms in
            withUnsafeTemporaryAllocation(of: UInt.self, capacity: limbs) { scratch in
              for c in 0..<width {
                let j = block.lowerBound + c
                if q > 0 {
                  let count = p + q - 1
                  let t = UnsafeMutableBufferPointer(rebasing: terms[0..<count])
                  t.initialize(repeating: 0)
                  for a in 0..<q { for i in 0..<p { t[a + i] += Int(weighted[(a * p + i) * width + c]) } }
                  accumulate(t, d: d, into: scratch)
                  setFmpz(combined.base + j, twosComplement: scratch)
                }
                guard norms else { continue }
                let t = UnsafeMutableBufferPointer(rebasing: terms[0..<(2 * p - 1)])
                t.initialize(repeating: 0)
                for i in 0..<p { t[i] = Int(absoluteSums[i * width + c]) }
                accumulate(t, d: d, into: scratch)
                setFmpz(sum.base + j, twosComplement: scratch)
                t.initialize(repeating: 0)
                var pair = 0
                for i in 0..<p {
                  for k in i..<p {
                    t[i + k] += (i == k ? 1 : 2) * Int(products[pair * width + c])
                    pair += 1
                  }
                }
                accumulate(t, d: d, into: scratch)
                setFmpz(square.base + j, twosComplement: scratch)
              }
            }
          }
        }
      }
    }
    withExtendedLifetime(buffer) {}
    let factor = unit.value / Rational(denominator)
    let combinationValues: [Rational] = coefficients == nil ? [] : combination.with { s in
      (0..<columns).map { j in s[j] == 0 ? Rational() : Rational(exactInteger(s + j)) * factor }
    }
    guard norms else { return (combinationValues, []) }
    let squaredUnit = unit.times(unit)
    let normValues = withExtendedLifetime((l1, squares)) {
      buffer.with { x in
        (0..<columns).map { j in
          ColumnNorms(l1: rational(of: l1.base + j, scale: unit),
                      maxAbs: largest[j] < 0 ? Rational() : rational(of: x + largest[j] * columns + j, scale: unit).magnitude,
                      squaredL2: rational(of: squares.base + j, scale: squaredUnit))
        }
      }
    }
    return (combinationValues, normValues)
  }

  /// Every element's value as `"p/q"` text, row-major (converted on all cores).
  public var fractionStrings: [String] {
    let count = elementCount
    guard count >= 4096 else { return fractionStrings(0..<count) }
    let blocks = ProcessInfo.processInfo.activeProcessorCount
    return parallelMap(blocks, jobs: blocks) { block in
      fractionStrings((block * count / blocks)..<((block + 1) * count / blocks))
    }.flatMap { $0.get() }
  }

  /// The `"p/q"` text of the elements in `range`.
  private func fractionStrings(_ range: Range<Int>) -> [String] {
    buffer.with { x in
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
