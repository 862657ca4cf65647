import Foundation
import Model

/// The part of the reference LIME (marcotcr/lime, `lime_base.LimeBase`) shared by its tabular,
/// image and text explainers: the exponential kernel, feature selection, and the weighted ridge
/// surrogate with its `score` and `local_pred`.
public enum LimeBase {
  /// How the features of the surrogate are chosen (`feature_selection`).
  public enum FeatureSelection: String, Sendable, CaseIterable {
    /// `forward_selection` when at most 6 features are asked for, else `highest_weights`.
    case auto
    /// Every feature.
    case none
    /// Greedily add the feature whose unpenalised weighted fit scores best.
    case forwardSelection = "forward_selection"
    /// The features with the largest |coefficient × first row| of a ridge fit (alpha 0.01) on all.
    case highestWeights = "highest_weights"
  }

  /// The kernel `sqrt(exp(−d² / width²))` of every LIME explainer.
  public static func kernel(_ distance: Double, width: Double) -> Double {
    (Foundation.exp(-(distance * distance) / (width * width))).squareRoot()
  }

  /// What `explain_instance_with_data` returns.
  public struct Result: Sendable, Equatable {
    /// The selected features, in selection order, and their coefficients.
    public var features: [Int]
    public var coefficients: [Double]
    public var intercept: Double
    /// Weighted R² of the surrogate on the samples.
    public var score: Double
    /// The surrogate's prediction on the first sample (the explained instance).
    public var localPrediction: Double

    /// The coefficients spread over all `count` features (zero where not selected).
    public func weights(count: Int) -> [Double] {
      var result = [Double](repeating: 0, count: count)
      for (j, w) in zip(features, coefficients) { result[j] = w }
      return result
    }
  }

  /// `LimeBase.explain_instance_with_data`: `data` is [rows, columns] with the explained
  /// instance first, `labels` the model's values on each row, `weights` the kernel of each
  /// row's distance; the surrogate is `Ridge(alpha=1)`.
  public static func explain(data: [Double], rows: Int, columns: Int, labels: [Double], weights: [Double],
                             numFeatures: Int, selection: FeatureSelection, alpha: Double = 1) throws -> Result {
    try explain(data: data, rows: rows, columns: columns, labels: [labels], weights: weights, numFeatures: numFeatures,
                selection: selection, alpha: alpha)[0]
  }

  /// The same for several labels on the same samples (the reference's `labels`): one result per
  /// entry of `labels`, each the model's values on every row. The weighted Gram matrix is
  /// computed once for all.
  public static func explain(data: [Double], rows: Int, columns: Int, labels: [[Double]], weights: [Double],
                             numFeatures: Int, selection: FeatureSelection, alpha: Double = 1) throws -> [Result] {
    guard let first = labels.first else { return [] }
    let shared = WeightedRidge(data: data, rows: rows, columns: columns, targets: first, weights: weights)
    return try labels.enumerated().map { k, values in
      let ridge = k == 0 ? shared : shared.retargeted(values)
      let used = try select(ridge, numFeatures: numFeatures, selection: selection)
      let fit = ridge.fit(alpha: alpha, subset: used)
      return Result(features: used, coefficients: fit.coefficients, intercept: fit.intercept, score: ridge.score(fit),
                    localPrediction: fit.predict(data[0..<columns]))
    }
  }

  /// `LimeBase.feature_selection`.
  static func select(_ ridge: WeightedRidge, numFeatures: Int, selection: FeatureSelection) throws -> [Int] {
    let columns = ridge.columns
    switch selection {
    case .none:
      return Array(0..<columns)
    case .auto:
      return try select(ridge, numFeatures: numFeatures, selection: numFeatures <= 6 ? .forwardSelection : .highestWeights)
    case .highestWeights:
      let fit = ridge.fit(alpha: 0.01)
      let weighted = (0..<columns).map { fit.coefficients[$0] * ridge.data[$0] }
      // Python's stable sort by |value|, descending: ties keep the lower index first.
      let order = (0..<columns).sorted { abs(weighted[$0]) > abs(weighted[$1]) || (abs(weighted[$0]) == abs(weighted[$1]) && $0 < $1) }
      return Array(order.prefix(max(numFeatures, 0)))
    case .forwardSelection:
      var used: [Int] = []
      for _ in 0..<min(numFeatures, columns) {
        var best = 0, bestScore = -100_000_000.0
        for feature in 0..<columns where !used.contains(feature) {
          let score = ridge.score(ridge.fit(alpha: 0, subset: used + [feature]))
          if score > bestScore {
            best = feature
            bestScore = score
          }
        }
        used.append(best)
      }
      return used
    }
  }

  /// Cosine distance of each binary row to the first (an all-ones row), as scikit-learn's
  /// `pairwise_distances(metric="cosine")` computes it (a zero row is at distance 1).
  static func cosineDistances(_ data: [Double], rows: Int, columns: Int) -> [Double] {
    let first = Array(data[0..<columns])
    let firstNorm = first.reduce(0) { $0 + $1 * $1 }.squareRoot()
    return (0..<rows).map { r in
      var dot = 0.0, norm = 0.0
      for c in 0..<columns {
        let v = data[r * columns + c]
        dot += v * first[c]
        norm += v * v
      }
      let n = norm.squareRoot()
      guard n > 0, firstNorm > 0 else { return 1 }
      return max(0, 1 - dot / (n * firstNorm))
    }
  }
}

/// A problem with an explainer's settings or data.
public struct ExplainerError: Error, CustomStringConvertible, Sendable {
  public var message: String
  public init(_ message: String) { self.message = message }
  public var description: String { message }
}
