import CFLINT
import CGMP

extension IntegerMatrix {
  /// Integer entries `m_k` and one shared exponent `e` with `values[k] = m_k · 2^e`
  /// exactly for every k.
  ///
  /// `e` is the largest such exponent: the minimum over the nonzero values of the
  /// exponent of their lowest set bit, capped at `maximumExponent` (pass the
  /// exponent of another array to put both on one scale). An all-zero input gives
  /// `e = min(0, maximumExponent)`. `values` are in row-major order and read from
  /// their bit patterns (subnormals included, `-0.0` gives 0).
  /// - Throws: ``NonFiniteValueError`` naming the first NaN or infinity.
  public static func scaled(
    rows: Int, columns: Int, values: [Double], maximumExponent: Int = .max
  ) throws(NonFiniteValueError) -> (matrix: IntegerMatrix, exponent: Int) {
    try scaledFloatingPoint(
      rows: rows, columns: columns, values: values, maximumExponent: maximumExponent)
  }

  /// Integer entries `m_k` and one exponent `e` with `values[k] = m_k · 2^e`
  /// exactly for every k, `e` as large as possible (at most `maximumExponent`).
  /// - Throws: ``NonFiniteValueError`` naming the first NaN or infinity.
  public static func scaled(
    rows: Int, columns: Int, values: [Float], maximumExponent: Int = .max
  ) throws(NonFiniteValueError) -> (matrix: IntegerMatrix, exponent: Int) {
    try scaledFloatingPoint(
      rows: rows, columns: columns, values: values, maximumExponent: maximumExponent)
  }

  static func scaledFloatingPoint<F: BinaryFloatingPoint>(
    rows: Int, columns: Int, values: [F], maximumExponent: Int
  ) throws(NonFiniteValueError) -> (matrix: IntegerMatrix, exponent: Int)
  where F.RawSignificand: FixedWidthInteger {
    precondition(values.count == rows * columns, "value count does not match the shape")
    // Pass 1: the exponent of the lowest set bit over all values.
    var exponent = maximumExponent
    var sawNonzero = false
    for (k, value) in values.enumerated() {
      guard let (_, significand, e) = decompose(value) else {
        throw NonFiniteValueError(value, index: k)
      }
      if significand != 0 {
        exponent = min(exponent, e + significand.trailingZeroBitCount)
        sawNonzero = true
      }
    }
    if !sawNonzero { exponent = min(0, maximumExponent) }
    // Pass 2: m_k = significand · 2^(e_k − exponent).
    let matrix = make(rows: rows, columns: columns) { m in
      guard columns > 0 else { return }
      values.withUnsafeBufferPointer { source in
        for i in 0..<rows {
          let row = rowPointer(m, i)
          for j in 0..<columns {
            let (negative, significand, e) = decompose(source[i * columns + j])!
            if significand == 0 { continue }
            let shift = e - exponent
            let bits = 64 - significand.leadingZeroBitCount + shift
            if bits <= 62 {
              let magnitude = Int(significand << shift)
              fmpz_set_si(row + j, negative ? -magnitude : magnitude)
            } else {
              fmpz_set_ui(row + j, UInt(significand))
              fmpz_mul_2exp(row + j, row + j, UInt(shift))
              if negative { fmpz_neg(row + j, row + j) }
            }
          }
        }
      }
    }
    return (matrix, exponent)
  }

  /// Every entry times `2^exponent`, each rounded once to the nearest `Double`
  /// under `rule` (by default ties to even), in row-major order.
  public func doubles(
    scaledBy exponent: Int, rounding rule: FloatingPointRoundingRule = .toNearestOrEven
  ) -> [Double] {
    guard columns > 0 else { return [] }
    return withMatrix { m in
      var result = [Double]()
      result.reserveCapacity(rows * columns)
      for i in 0..<rows {
        let row = rowPointer(m, i)
        for j in 0..<columns {
          let entry = row[j]
          if cflint_coeff_is_mpz(entry) == 0 {
            result.append(
              roundToFloat(
                negative: entry < 0, significand: UInt64(entry.magnitude), exponent: exponent,
                rule: rule))
          } else {
            let value = ExactInteger.make { fmpz_get_mpz($0, row + j) }
            result.append(roundToFloat(mantissa: value, exponent: exponent, rule: rule))
          }
        }
      }
      return result
    }
  }
}
