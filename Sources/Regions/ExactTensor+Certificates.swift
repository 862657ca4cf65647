import CFLINT
import ExactArithmetic

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
    // P_r as FLINT integers, for the rows with a nonzero coefficient.
    let used = (0..<rows).filter { !numerators[$0].isZero }
    let multipliers = FmpzBuffer(count: used.count)
    for (index, r) in used.enumerated() {
      let p = denominators[r] == denominator ? numerators[r] : numerators[r] * (denominator / denominators[r])
      setFmpz(multipliers.base + index, p)
    }
    let sums = FmpzBuffer(count: columns)
    let (x, s, p) = (SharedIntegers(buffer.base), SharedIntegers(sums.base), SharedIntegers(multipliers.base))
    // Columns are split over the cores; each block runs over every used row.
    forEachRange(columns, work: used.count * columns) { block in
      for (index, r) in used.enumerated() {
        _fmpz_vec_scalar_addmul_fmpz(s.base + block.lowerBound, x.base + r * columns + block.lowerBound, block.count, p.base + index)
      }
    }
    withExtendedLifetime((buffer, multipliers)) {}
    let factor = unit.value / Rational(denominator)
    return sums.with { s in
      (0..<columns).map { j in s[j] == 0 ? Rational() : Rational(exactInteger(s + j)) * factor }
    }
  }

  /// Per column: the sum of absolute values (ℓ₁ norm), the largest absolute value (ℓ∞ norm) and
  /// the sum of squares (squared ℓ₂ norm), exactly.
  public func columnNorms() -> [(l1: Rational, maxAbs: Rational, squaredL2: Rational)] {
    let (rows, columns) = matrixShape
    guard columns > 0 else { return [] }
    let l1 = FmpzBuffer(count: columns)
    let maxAbs = FmpzBuffer(count: columns)
    let squares = FmpzBuffer(count: columns)
    let (x, sum, largest, square) = (SharedIntegers(buffer.base), SharedIntegers(l1.base), SharedIntegers(maxAbs.base), SharedIntegers(squares.base))
    // Columns are split over the cores; each block runs over every row.
    forEachRange(columns, work: rows * columns) { block in
      for r in 0..<rows {
        let row = x.base + r * columns
        for j in block where row[j] != 0 {
          if fmpz_sgn(row + j) > 0 {
            fmpz_add(sum.base + j, sum.base + j, row + j)
          } else {
            fmpz_sub(sum.base + j, sum.base + j, row + j)
          }
          if fmpz_cmpabs(row + j, largest.base + j) > 0 { fmpz_abs(largest.base + j, row + j) }
          fmpz_addmul(square.base + j, row + j, row + j)
        }
      }
    }
    withExtendedLifetime(buffer) {}
    let squaredUnit = unit.times(unit)
    return withExtendedLifetime((l1, maxAbs, squares)) {
      (0..<columns).map { j in
        (rational(of: l1.base + j, scale: unit), rational(of: maxAbs.base + j, scale: unit),
         rational(of: squares.base + j, scale: squaredUnit))
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
