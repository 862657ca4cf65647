/// One explanation of one output of a network at one input: a relevance per input feature and,
/// for methods that fit one, a local linear surrogate model.
///
/// Every explainer (OpenBox, LIME, KernelSHAP, gradients, LRP, occlusion, ...) returns this type,
/// so any two can be compared with the same metrics.
public struct Explanation: Codable, Sendable, Equatable {
  /// The method's name as the command line spells it (`openbox`, `lime`, ...).
  public var method: String
  /// The explained output element (e.g. the class index of the logits).
  public var output: Int
  /// The body input's shape (without the copies dimension).
  public var inputShape: [Int]
  /// One relevance per input feature, in the input's flat order.
  public var relevance: [Double]
  /// The local linear model the method fits or derives, if it has one.
  public var surrogate: LinearSurrogate?
  /// The seed of every random choice the method made (nil for deterministic methods).
  public var seed: UInt64?
  /// The settings that reproduce the explanation (sample counts, kernel width, baseline, ...).
  public var settings: [String: String]
  /// Numbers the method reports about itself (LIME's `score`, IG's completeness error, ...).
  public var diagnostics: [String: Double]

  public init(method: String, output: Int, inputShape: [Int], relevance: [Double], surrogate: LinearSurrogate? = nil,
              seed: UInt64? = nil, settings: [String: String] = [:], diagnostics: [String: Double] = [:]) {
    self.method = method
    self.output = output
    self.inputShape = inputShape
    self.relevance = relevance
    self.surrogate = surrogate
    self.seed = seed
    self.settings = settings
    self.diagnostics = diagnostics
  }
}

/// A local linear model `g(x) = intercept + Σ weights[j] · features_j(x)`.
///
/// `features` says what the weights multiply: the input coordinates themselves (OpenBox,
/// gradients) or LIME's interpretable binary features relative to `reference` (1 where a feature
/// keeps x0's value, 0 where it takes the reference value).
public struct LinearSurrogate: Codable, Sendable, Equatable {
  public enum Features: String, Codable, Sendable {
    /// The weights multiply the input coordinates.
    case coordinates
    /// The weights multiply indicators "feature j keeps x0's value" (LIME's interpretable space).
    case presence
  }

  public var weights: [Double]
  public var intercept: Double
  public var features: Features

  public init(weights: [Double], intercept: Double, features: Features) {
    self.weights = weights
    self.intercept = intercept
    self.features = features
  }

  /// The surrogate's value on interpretable feature values `z` (coordinates or presence bits).
  public func predict(_ z: [Double]) -> Double {
    zip(weights, z).reduce(intercept) { $0 + $1.0 * $1.1 }
  }
}
