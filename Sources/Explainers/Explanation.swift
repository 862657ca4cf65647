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

  /// How an input maps to presence features.
  public enum Interpretation: Codable, Sendable, Equatable {
    /// Feature j is present when input coordinate j falls in the same bin as x0's: a value v
    /// is in bin #{e ∈ edges[j] : e < v} (NumPy's `searchsorted`, as LIME's discretizers).
    case bins(edges: [[Double]], reference: [Int])
    /// Feature g is present when every input coordinate in `groups[g]` keeps x0's value
    /// (`reference`, the whole input): LIME's image patches and text tokens.
    case groups([[Int]], reference: [Double])
  }

  public var weights: [Double]
  public var intercept: Double
  public var features: Features
  /// For presence features, how an input maps to them (nil when unknown).
  public var interpretation: Interpretation?

  public init(weights: [Double], intercept: Double, features: Features, interpretation: Interpretation? = nil) {
    self.weights = weights
    self.intercept = intercept
    self.features = features
    self.interpretation = interpretation
  }

  /// The surrogate's value on interpretable feature values `z` (coordinates or presence bits).
  public func predict(_ z: [Double]) -> Double {
    zip(weights, z).reduce(intercept) { $0 + $1.0 * $1.1 }
  }
}

extension LinearSurrogate {
  /// The interpretable features of an input `x` (flat, the body input's order): the coordinates
  /// themselves, or the presence bits of ``interpretation`` (nil if the surrogate has none).
  public func interpretableFeatures(of x: [Double]) -> [Double]? {
    switch (features, interpretation) {
    case (.coordinates, _):
      return x
    case (.presence, .bins(let edges, let reference)?):
      return zip(edges.indices, reference).map { j, bin in
        edges[j].filter { $0 < x[j] }.count == bin ? 1 : 0
      }
    case (.presence, .groups(let groups, let reference)?):
      return groups.map { group in group.allSatisfy { x[$0] == reference[$0] } ? 1 : 0 }
    case (.presence, nil):
      return nil
    }
  }

  /// The surrogate's prediction at an input `x` (nil if its features of `x` are unknown).
  public func predict(at x: [Double]) -> Double? {
    interpretableFeatures(of: x).map(predict)
  }
}

