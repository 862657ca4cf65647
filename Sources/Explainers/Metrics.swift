/// Measures comparing explanations and predictions (seed 000: RMSE, MAE, MAPE; seed 004: cosine).
public enum Metrics {
  /// Cosine similarity of two vectors, or nil (not applicable) when either is zero.
  public static func definedCosine(_ a: [Double], _ b: [Double]) -> Double? {
    a.allSatisfy({ $0 == 0 }) || b.allSatisfy({ $0 == 0 }) ? nil : cosine(a, b)
  }

  /// Cosine similarity of two vectors (0 when either is zero).
  public static func cosine(_ a: [Double], _ b: [Double]) -> Double {
    let dot = zip(a, b).reduce(0) { $0 + $1.0 * $1.1 }
    let na = a.reduce(0) { $0 + $1 * $1 }.squareRoot()
    let nb = b.reduce(0) { $0 + $1 * $1 }.squareRoot()
    return na == 0 || nb == 0 ? 0 : dot / (na * nb)
  }

  /// Root mean squared error.
  public static func rmse(_ predicted: [Double], _ actual: [Double]) -> Double {
    guard !actual.isEmpty else { return 0 }
    return (zip(predicted, actual).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } / Double(actual.count)).squareRoot()
  }

  /// Mean absolute error.
  public static func mae(_ predicted: [Double], _ actual: [Double]) -> Double {
    guard !actual.isEmpty else { return 0 }
    return zip(predicted, actual).reduce(0) { $0 + abs($1.0 - $1.1) } / Double(actual.count)
  }

  /// Mean absolute percentage error (in percent), over the entries whose actual value is nonzero.
  public static func mape(_ predicted: [Double], _ actual: [Double]) -> Double {
    let terms = zip(predicted, actual).filter { $0.1 != 0 }.map { abs(($0.0 - $0.1) / $0.1) }
    return terms.isEmpty ? 0 : 100 * terms.reduce(0, +) / Double(terms.count)
  }

  /// The indices of the k largest |values|, largest first (ties: lower index first).
  public static func topK(_ values: [Double], _ k: Int) -> [Int] {
    Array(values.indices.sorted { abs(values[$0]) > abs(values[$1]) || (abs(values[$0]) == abs(values[$1]) && $0 < $1) }.prefix(k))
  }

  /// The share of the top-k features two explanations have in common.
  public static func topKAgreement(_ a: [Double], _ b: [Double], k: Int) -> Double {
    guard k > 0 else { return 1 }
    return Double(Set(topK(a, k)).intersection(topK(b, k)).count) / Double(min(k, a.count))
  }
}
