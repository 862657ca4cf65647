import CFLINT
import Model

// The contraction with a weight matrix, on FLINT integer matrices.
//
// The weights W [n, k] are converted once (cached) to integers Wᵀ [k, n] with one power of two;
// the tensor's integers, viewed as a matrix X [m, k], are multiplied by FLINT's `fmpz_mat_mul`,
// and the scales multiply. Two things keep the integer work small:
// - columns of X that are zero for every copy (inactive ReLU neurons under a fixed pattern, for
//   the unit-vector copies of an OpenBox extraction) are dropped with the matching rows of Wᵀ;
// - a sparse X (the unit vectors themselves, or im2col patches of them) is multiplied row by
//   row as a sum of scaled rows of Wᵀ instead of as a dense product.
// Large products are split by rows over the available cores.

extension ExactTensor {
  public func multiplied(byTransposeOf weight: Constant) -> ExactTensor {
    precondition(weight.shape.count == 2, "a weight matrix must have two dimensions")
    let (n, k) = (weight.shape[0], weight.shape[1])
    precondition(shape.last == k, "contraction of shape \(shape) with weights \(weight.shape)")
    let outShape = Array(shape.dropLast()) + [n]
    let w = ConstantCache.integers(of: weight, layout: .transposed)
    let unit = self.unit.times(powerOfTwo: w.exponent)
    let m = k == 0 ? 0 : elementCount / k
    guard m > 0, n > 0, k > 0, !w.isZero else {
      return ExactTensor.make(shape: outShape, unit: unit) { _, _ in }
    }
    return buffer.with { x in
      // Columns of X with a nonzero entry, and the number of nonzero entries.
      var used = [Bool](repeating: false, count: k)
      var nonzero = 0
      for i in 0..<m {
        let row = x + i * k
        for j in 0..<k where row[j] != 0 {
          used[j] = true
          nonzero += 1
        }
      }
      let columns = (0..<k).filter { used[$0] }
      let result = FmpzBuffer(count: m * n)
      if columns.isEmpty {
        return ExactTensor(shape: outShape, buffer: result, unit: unit)
      }
      w.integers.with { wt in
        if nonzero * Self.sparseDensity <= m * columns.count {
          Self.sparseProduct(x, wt, into: result.base, m: m, k: k, n: n, nonzero: nonzero)
        } else if columns.count == k {
          Self.denseProduct(x, wt, into: result, m: m, k: k, n: n)
        } else {
          // Drop the unused columns of X and rows of Wᵀ (copying words, sharing GMP integers).
          let kept = columns.count
          let a = FmpzBuffer(count: m * kept, sharingWith: [buffer])
          let b = FmpzBuffer(count: kept * n, sharingWith: [w.integers])
          for (target, source) in columns.enumerated() {
            (b.base + target * n).update(from: wt + source * n, count: n)
          }
          for i in 0..<m {
            let from = x + i * k
            let to = a.base + i * kept
            for (target, source) in columns.enumerated() { to[target] = from[source] }
          }
          Self.denseProduct(a.base, b.base, into: result, m: m, k: kept, n: n)
          withExtendedLifetime((a, b)) {}
        }
      }
      withExtendedLifetime(w) {}
      return ExactTensor(shape: outShape, buffer: result, unit: unit)
    }
  }

  /// X is multiplied row by row when at most one entry in this many is nonzero.
  static let sparseDensity = 16

  /// `C[m, n] = X[m, k] · B[k, n]`: by digit products on BLAS when it pays (see
  /// `digitProduct`), else through `fmpz_mat_mul` on row blocks in parallel.
  static func denseProduct(
    _ x: UnsafeMutablePointer<fmpz>, _ b: UnsafeMutablePointer<fmpz>, into result: FmpzBuffer,
    m: Int, k: Int, n: Int
  ) {
    if m * k * n >= minimumDigitProductWork && digitProduct(x, b, into: result, m: m, k: k, n: n) { return }
    let (x, b, c) = (SharedIntegers(x), SharedIntegers(b), SharedIntegers(result.base))
    forEachRange(m, work: m * k * n / parallelShare) { rows in
      guard !rows.isEmpty else { return }
      withMatrixView(x.base + rows.lowerBound * k, rows: rows.count, columns: k) { a in
        withMatrixView(b.base, rows: k, columns: n) { b in
          withMatrixView(c.base + rows.lowerBound * n, rows: rows.count, columns: n) { c in
            fmpz_mat_mul(c, a, b)
          }
        }
      }
    }
  }

  /// `C[m, n] = X[m, k] · B[k, n]` for a sparse X: each row of C sums the rows of B that the
  /// row of X selects, scaled.
  static func sparseProduct(
    _ x: UnsafeMutablePointer<fmpz>, _ b: UnsafeMutablePointer<fmpz>, into c: UnsafeMutablePointer<fmpz>,
    m: Int, k: Int, n: Int, nonzero: Int
  ) {
    let (x, b, c) = (SharedIntegers(x), SharedIntegers(b), SharedIntegers(c))
    forEachRange(m, work: nonzero * n) { rows in
      for i in rows {
        let row = x.base + i * k
        let out = c.base + i * n
        for j in 0..<k where row[j] != 0 {
          let source = b.base + j * n
          if row[j] == 1 {
            _fmpz_vec_add(out, out, source, n)
          } else if row[j] == -1 {
            _fmpz_vec_sub(out, out, source, n)
          } else {
            _fmpz_vec_scalar_addmul_fmpz(out, source, n, row + j)
          }
        }
      }
    }
  }

  /// Smaller products (in multiply-adds) stay with FLINT.
  static let minimumDigitProductWork = 1 << 15

  /// FLINT's products are fast enough per multiply-add that only large ones are worth splitting.
  static let parallelShare = 16
}

/// Calls `body` with a FLINT matrix that views `rows × columns` contiguous integers (row-major)
/// without owning them: the same layout `fmpz_mat_init` makes, so FLINT reads and writes it as
/// one of its own matrices. It must not be cleared, resized or swapped.
private func withMatrixView<R>(
  _ entries: UnsafeMutablePointer<fmpz>, rows: Int, columns: Int,
  _ body: (UnsafeMutablePointer<fmpz_mat_struct>) -> R
) -> R {
  let pointers = UnsafeMutablePointer<UnsafeMutablePointer<fmpz>?>.allocate(capacity: max(rows, 1))
  defer { pointers.deallocate() }
  for i in 0..<rows { pointers[i] = entries + i * columns }
  var view = fmpz_mat_struct(entries: entries, r: rows, c: columns, rows: pointers)
  return withUnsafeMutablePointer(to: &view) { body($0) }
}
