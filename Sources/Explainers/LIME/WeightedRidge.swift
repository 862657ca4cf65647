import Model

/// Weighted ridge regression with an intercept, as scikit-learn's `Ridge(alpha, fit_intercept=True)`
/// fits it with `sample_weight` (the `cholesky` solver): X and y are centred on their weighted
/// means, rows scaled by √w, and `(XcᵀXc + αI)·coef = Xcᵀyc` solved; `intercept = ȳ − x̄·coef`.
///
/// The weighted means and the Gram matrix of all columns are computed once (through BLAS), so
/// fits on subsets of the columns (LIME's feature selection, then its final fit) reuse them.
public struct WeightedRidge: Sendable {
  public let rows, columns: Int
  /// Row-major [rows, columns].
  public let data: [Double]
  public private(set) var targets: [Double]
  public let weights: [Double]
  /// Weighted column means and the weighted target mean.
  public let means: [Double]
  public private(set) var targetMean: Double
  /// XcᵀWXc, [columns, columns], and XcᵀW·yc.
  let gram: [Double]
  private(set) var moment: [Double]
  /// Whether each column varies over the weighted rows.
  let isVarying: [Bool]
  /// The varying columns of X centred and scaled by √w, transposed: [varying columns, rows].
  private let scaled: [Double]
  private let varying: [Int]

  public init(data: [Double], rows: Int, columns: Int, targets: [Double], weights: [Double]) {
    precondition(data.count == rows * columns && targets.count == rows && weights.count == rows, "ridge: inconsistent sizes")
    self.rows = rows
    self.columns = columns
    self.data = data
    self.weights = weights
    let total = weights.reduce(0, +)
    var means = [Double](repeating: 0, count: columns)
    for r in 0..<rows where weights[r] != 0 {
      for c in 0..<columns { means[c] += weights[r] * data[r * columns + c] }
    }
    means = means.map { $0 / total }
    self.means = means
    // Columns that are constant on the weighted rows centre to zero: their Gram rows and
    // moments are zero, so only the others go through the product.
    let varying = (0..<columns).filter { c in (0..<rows).contains { weights[$0] != 0 && data[$0 * columns + c] != means[c] } }
    let m = varying.count
    // Centred, √w-scaled, transposed: [varying columns, rows], written in blocks of rows.
    var scaled = [Double](repeating: 0, count: rows * m)
    let roots = weights.map { $0.squareRoot() }
    let block = 64
    scaled.withUnsafeMutableBufferPointer { out in
      data.withUnsafeBufferPointer { x in
        for start in stride(from: 0, to: rows, by: block) {
          let end = min(start + block, rows)
          for (i, c) in varying.enumerated() {
            let mean = means[c]
            for r in start..<end { out[i * rows + r] = (x[r * columns + c] - mean) * roots[r] }
          }
        }
      }
    }
    var small = [Double](repeating: 0, count: m * m)
    scaled.withUnsafeBufferPointer { x in
      small.withUnsafeMutableBufferPointer { c in symmetricProduct(x.baseAddress!, into: c.baseAddress!, n: m, k: rows) }
    }
    var gram = [Double](repeating: 0, count: columns * columns)
    for (i, ci) in varying.enumerated() {
      for (j, cj) in varying.enumerated() { gram[ci * columns + cj] = small[i * m + j] }
    }
    self.gram = gram
    var isVarying = [Bool](repeating: false, count: columns)
    for c in varying { isVarying[c] = true }
    self.isVarying = isVarying
    self.scaled = scaled
    self.varying = varying
    (self.targets, targetMean, moment) = ([], 0, [])
    retarget(targets)
  }

  /// The same rows and weights with other targets (another output of the same samples): the
  /// Gram matrix is kept, only the moment XcᵀW·yc is computed again.
  public func retargeted(_ targets: [Double]) -> WeightedRidge {
    var copy = self
    copy.retarget(targets)
    return copy
  }

  private mutating func retarget(_ targets: [Double]) {
    precondition(targets.count == rows, "ridge: \(targets.count) targets for \(rows) rows")
    self.targets = targets
    targetMean = zip(weights, targets).reduce(0) { $0 + $1.0 * $1.1 } / weights.reduce(0, +)
    let scaledTargets = (0..<rows).map { (targets[$0] - targetMean) * weights[$0].squareRoot() }
    let smallMoment = multiply(scaled, scaledTargets, m: varying.count, n: 1, k: rows)
    moment = [Double](repeating: 0, count: columns)
    for (i, c) in varying.enumerated() { moment[c] = smallMoment[i] }
  }

  /// A fitted model on a subset of the columns.
  public struct Fit: Sendable {
    /// The columns used, in the order of `coefficients`.
    public var columns: [Int]
    public var coefficients: [Double]
    public var intercept: Double

    /// The prediction for one full row of the data (all columns).
    public func predict(_ row: ArraySlice<Double>) -> Double {
      let base = row.startIndex
      return zip(columns, coefficients).reduce(intercept) { $0 + $1.1 * row[base + $1.0] }
    }
  }

  /// Fits on `subset` (all columns when nil) with penalty `alpha`.
  public func fit(alpha: Double, subset: [Int]? = nil) -> Fit {
    let used = subset ?? Array(0..<columns)
    // A column constant on the weighted rows has a zero Gram row and moment: its coefficient is
    // 0 (for alpha > 0 exactly; for alpha = 0 the minimum-norm choice), so only the others are solved.
    let solved = used.enumerated().filter { isVarying[$0.element] }
    let m = solved.count
    var a = [Double](repeating: 0, count: m * m)
    var b = [Double](repeating: 0, count: m)
    for (i, ci) in solved.enumerated() {
      for (j, cj) in solved.enumerated() { a[i * m + j] = gram[ci.element * columns + cj.element] }
      a[i * m + i] += alpha
      b[i] = moment[ci.element]
    }
    let solution = SymmetricSolver.solve(a, b, size: m)
    var coefficients = [Double](repeating: 0, count: used.count)
    for (i, entry) in solved.enumerated() { coefficients[entry.offset] = solution[i] }
    let intercept = targetMean - zip(used, coefficients).reduce(0) { $0 + means[$1.0] * $1.1 }
    return Fit(columns: used, coefficients: coefficients, intercept: intercept)
  }

  /// The weighted coefficient of determination R² of a fit on this data (scikit-learn's `score`).
  public func score(_ fit: Fit) -> Double {
    var residual = 0.0, spread = 0.0
    for r in 0..<rows {
      let prediction = fit.predict(data[(r * columns)..<((r + 1) * columns)])
      residual += weights[r] * (targets[r] - prediction) * (targets[r] - prediction)
      spread += weights[r] * (targets[r] - targetMean) * (targets[r] - targetMean)
    }
    if spread == 0 { return residual == 0 ? 1 : 0 }
    return 1 - residual / spread
  }
}

/// Solves symmetric positive (semi)definite systems.
enum SymmetricSolver {
  /// `A·x = b` by Cholesky; when A is singular, by Gaussian elimination with partial pivoting
  /// and zero for the free unknowns (a minimum-effort least-squares answer).
  static func solve(_ a: [Double], _ b: [Double], size n: Int) -> [Double] {
    if n == 0 { return [] }
    if let x = cholesky(a, b, size: n) { return x }
    return eliminate(a, b, size: n)
  }

  static func cholesky(_ a: [Double], _ b: [Double], size n: Int) -> [Double]? {
    var x = b
    return solvePositiveDefinite(a, &x, n: n) ? x : nil
  }

  static func eliminate(_ a: [Double], _ b: [Double], size n: Int) -> [Double] {
    var m = a, r = b
    var pivotColumn = [Int](repeating: -1, count: n)
    var row = 0
    let scale = a.map(abs).max() ?? 1
    for column in 0..<n where row < n {
      let pivot = (row..<n).max { abs(m[$0 * n + column]) < abs(m[$1 * n + column]) }!
      guard abs(m[pivot * n + column]) > 1e-12 * scale else { continue }
      if pivot != row {
        for k in 0..<n { m.swapAt(pivot * n + k, row * n + k) }
        r.swapAt(pivot, row)
      }
      for i in 0..<n where i != row {
        let f = m[i * n + column] / m[row * n + column]
        if f == 0 { continue }
        for k in 0..<n { m[i * n + k] -= f * m[row * n + k] }
        r[i] -= f * r[row]
      }
      pivotColumn[row] = column
      row += 1
    }
    var x = [Double](repeating: 0, count: n)
    for i in 0..<row { x[pivotColumn[i]] = r[i] / m[i * n + pivotColumn[i]] }
    return x
  }
}
