import CFLINT

extension IntegerMatrix {
  /// The matrix product (FLINT's `fmpz_mat_mul`).
  public static func * (lhs: IntegerMatrix, rhs: IntegerMatrix) -> IntegerMatrix {
    precondition(lhs.columns == rhs.rows, "matrix product of incompatible shapes")
    return make(rows: lhs.rows, columns: rhs.columns) { c in
      lhs.withMatrix { a in rhs.withMatrix { b in fmpz_mat_mul(c, a, b) } }
    }
  }

  /// The entrywise sum.
  public static func + (lhs: IntegerMatrix, rhs: IntegerMatrix) -> IntegerMatrix {
    precondition(lhs.rows == rhs.rows && lhs.columns == rhs.columns, "shapes differ")
    return make(rows: lhs.rows, columns: lhs.columns) { c in
      lhs.withMatrix { a in rhs.withMatrix { b in fmpz_mat_add(c, a, b) } }
    }
  }

  /// The entrywise difference.
  public static func - (lhs: IntegerMatrix, rhs: IntegerMatrix) -> IntegerMatrix {
    precondition(lhs.rows == rhs.rows && lhs.columns == rhs.columns, "shapes differ")
    return make(rows: lhs.rows, columns: lhs.columns) { c in
      lhs.withMatrix { a in rhs.withMatrix { b in fmpz_mat_sub(c, a, b) } }
    }
  }

  public static func += (lhs: inout IntegerMatrix, rhs: IntegerMatrix) {
    precondition(lhs.rows == rhs.rows && lhs.columns == rhs.columns, "shapes differ")
    lhs.withMutableMatrix { a in rhs.withMatrix { b in fmpz_mat_add(a, a, b) } }
  }

  public static func -= (lhs: inout IntegerMatrix, rhs: IntegerMatrix) {
    precondition(lhs.rows == rhs.rows && lhs.columns == rhs.columns, "shapes differ")
    lhs.withMutableMatrix { a in rhs.withMatrix { b in fmpz_mat_sub(a, a, b) } }
  }

  /// The entrywise negation.
  public static prefix func - (operand: IntegerMatrix) -> IntegerMatrix {
    make(rows: operand.rows, columns: operand.columns) { b in
      operand.withMatrix { fmpz_mat_neg(b, $0) }
    }
  }

  /// Every entry multiplied by `scalar`.
  public static func * (scalar: ExactInteger, matrix: IntegerMatrix) -> IntegerMatrix {
    make(rows: matrix.rows, columns: matrix.columns) { b in
      matrix.withMatrix { a in
        scalar.withMPZ { z in
          var c = fmpz()
          fmpz_init(&c)
          fmpz_set_mpz(&c, z)
          fmpz_mat_scalar_mul_fmpz(b, a, &c)
          fmpz_clear(&c)
        }
      }
    }
  }

  /// Every entry multiplied by `scalar`.
  public static func * (matrix: IntegerMatrix, scalar: ExactInteger) -> IntegerMatrix {
    scalar * matrix
  }

  /// Every entry multiplied by `2^k`, `k ≥ 0`.
  public func multiplied(byPowerOfTwo k: Int) -> IntegerMatrix {
    precondition(k >= 0, "negative power of two")
    return IntegerMatrix.make(rows: rows, columns: columns) { b in
      withMatrix { fmpz_mat_scalar_mul_2exp(b, $0, UInt(k)) }
    }
  }

  /// The transpose.
  public func transposed() -> IntegerMatrix {
    IntegerMatrix.make(rows: columns, columns: rows) { b in
      withMatrix { fmpz_mat_transpose(b, $0) }
    }
  }

  /// The rows at `indices`, in that order (repeats allowed), as a new matrix.
  public func rows(at indices: some Collection<Int>) -> IntegerMatrix {
    IntegerMatrix.make(rows: indices.count, columns: columns) { b in
      withMatrix { a in
        precondition(indices.allSatisfy { $0 >= 0 && $0 < rows }, "row out of range")
        guard columns > 0 else { return }
        for (target, source) in indices.enumerated() {
          let from = rowPointer(a, source)
          let to = rowPointer(b, target)
          for j in 0..<columns { fmpz_set(to + j, from + j) }
        }
      }
    }
  }

  /// The block of rows `rowRange` and columns `columnRange`, as a new matrix.
  public func submatrix(rows rowRange: Range<Int>, columns columnRange: Range<Int>)
    -> IntegerMatrix
  {
    precondition(
      rowRange.lowerBound >= 0 && rowRange.upperBound <= rows && columnRange.lowerBound >= 0
        && columnRange.upperBound <= columns, "submatrix out of range")
    return IntegerMatrix.make(rows: rowRange.count, columns: columnRange.count) { b in
      guard !columnRange.isEmpty else { return }
      withMatrix { a in
        for (target, source) in rowRange.enumerated() {
          let from = rowPointer(a, source) + columnRange.lowerBound
          let to = rowPointer(b, target)
          for j in 0..<columnRange.count { fmpz_set(to + j, from + j) }
        }
      }
    }
  }
}
