import Inference
import Model

extension ExplainedModel {
  /// One modified backward pass from body output `output` at `x0`: the signal at the input, the
  /// output's value, and the trace. The pass starts from the one-hot vector (gradient) or from
  /// the output's value on that element (relevance).
  public func backward(_ x0: DenseTensor<Double>, output: Int, rules: BackwardRules, pattern: ActivationPattern? = nil,
                       keeping: Set<String> = []) throws -> (input: [Double], value: Double, trace: Trace, kept: [String: [Double]]) {
    let trace = try trace(x0, pattern: pattern)
    guard let logits = trace.values[trace.outputName] else {
      throw ModelError("the body output '\(trace.outputName)' was not computed")
    }
    guard output >= 0, output < logits.count else {
      throw ModelError("output index \(output) is out of range: '\(trace.outputName)' has \(logits.count) elements")
    }
    var seed = [Double](repeating: 0, count: logits.count)
    seed[output] = rules.signal == .gradient ? 1 : logits[output]
    let (input, kept) = try ModifiedBackward(trace: trace, rules: rules).run(seed: seed, keeping: keeping)
    return (input, logits[output], trace, kept)
  }
}

/// Saliency from the gradient of the explained output at x0 (one backward pass).
///
/// - `gradient`: ∂f/∂x (Simonyan et al. 2014).
/// - `squared-gradient`: (∂f/∂x)², the sensitivity analysis of seed 004.
/// - `gradient-x-input`: x ⊙ ∂f/∂x (Shrikumar et al. 2016); on a piecewise-linear network these
///   are OpenBox's contributions A[k,:] ⊙ x (in float).
public struct GradientExplainer: Explainer {
  public enum Variant: String, Sendable, CaseIterable {
    case gradient
    case squaredGradient = "squared-gradient"
    case gradientTimesInput = "gradient-x-input"
  }

  public var variant: Variant

  public init(_ variant: Variant = .gradient) {
    self.variant = variant
  }

  public var method: String { variant.rawValue }

  public func explain(_ model: ExplainedModel, at x0: DenseTensor<Double>, output: Int, seed: UInt64) throws -> Explanation {
    let (gradient, value, _, _) = try model.backward(x0, output: output, rules: .gradient)
    let relevance: [Double]
    switch variant {
    case .gradient: relevance = gradient
    case .squaredGradient: relevance = gradient.map { $0 * $0 }
    case .gradientTimesInput: relevance = zip(gradient, x0.elements).map { $0 * $1 }
    }
    return Explanation(method: method, output: output, inputShape: x0.shape, relevance: relevance,
                       surrogate: variant == .squaredGradient ? nil
                         : LinearSurrogate(weights: gradient, intercept: value - zip(gradient, x0.elements).reduce(0) { $0 + $1.0 * $1.1 }, features: .coordinates),
                       diagnostics: ["outputValue": value])
  }
}

/// Guided Backprop (Springenberg et al. 2015): the gradient with negative signals stopped at
/// every activation (see ``ActivationRule/guided``); `squared` gives its square, the GB relevance
/// of seed 004.
public struct GuidedBackpropExplainer: Explainer {
  public var squared: Bool

  public init(squared: Bool = false) {
    self.squared = squared
  }

  public var method: String { "guided-backprop" }

  public func explain(_ model: ExplainedModel, at x0: DenseTensor<Double>, output: Int, seed: UInt64) throws -> Explanation {
    let (signal, value, _, _) = try model.backward(x0, output: output, rules: .guided)
    return Explanation(method: method, output: output, inputShape: x0.shape, relevance: squared ? signal.map { $0 * $0 } : signal,
                       settings: squared ? ["squared": "true"] : [:], diagnostics: ["outputValue": value])
  }
}

/// Layer-wise relevance propagation and deep Taylor decomposition: one relevance pass with the
/// rules of ``BackwardRules``, starting from the explained output's value.
///
/// - `lrp-epsilon`: ``LinearRule/epsilon(_:)`` at every weighted layer (setting `epsilon`,
///   default 1e-6 as Zennit's).
/// - `lrp-alpha-beta`: ``LinearRule/alphaBeta(alpha:beta:)`` at every weighted layer, the input
///   layer included (settings `alpha`, `beta`: α1β0 by default, α2β1 with `alpha=2,beta=1`).
/// - `deep-taylor`: z⁺ at every weighted layer (`rule=z-plus`, the default), or z^B at the
///   layers that read the input and z⁺ elsewhere (`rule=z-box` with the box `low`, `high`;
///   default low = min(0, min x0), high = max(1, max x0)).
///
/// Activations pass relevance unchanged, average pooling and sums of two values use
/// ``LinearRule/norm`` (LRP-ε: its ε), max pooling routes it to the chosen element. Diagnostics: the output's
/// value, the sum of the input relevances and their difference (the conservation error).
public struct RelevanceExplainer: Explainer {
  public let method: String
  public let rules: BackwardRules
  public let settings: [String: String]

  public init(method: String, rules: BackwardRules, settings: [String: String] = [:]) {
    self.method = method
    self.rules = rules
    self.settings = settings
  }

  /// LRP-ε; average pooling and sums of two values take the same ε (so that ε → 0 is LRP-0
  /// everywhere).
  public static func epsilon(_ epsilon: Double = 1e-6) -> RelevanceExplainer {
    var rules = BackwardRules.lrp(.epsilon(epsilon))
    rules.pooling = .epsilon(epsilon)
    return RelevanceExplainer(method: "lrp-epsilon", rules: rules, settings: ["epsilon": "\(epsilon)"])
  }

  public static func alphaBeta(alpha: Double = 1, beta: Double = 0) -> RelevanceExplainer {
    RelevanceExplainer(method: "lrp-alpha-beta", rules: .lrp(.alphaBeta(alpha: alpha, beta: beta)),
                       settings: ["alpha": "\(alpha)", "beta": "\(beta)"])
  }

  public static let zPlus = RelevanceExplainer(method: "deep-taylor", rules: .lrp(.zPlus), settings: ["rule": "z-plus"])

  /// z^B at the input layer with the box [low, high] (nil: min(0, min x0) and max(1, max x0)).
  public static func zBox(low: Double? = nil, high: Double? = nil) -> RelevanceExplainer {
    var rules = BackwardRules.lrp(.zPlus)
    rules.inputLayer = .zBox
    var settings = ["rule": "z-box"]
    if let low { rules.lowerBound = low; settings["low"] = "\(low)" }
    if let high { rules.upperBound = high; settings["high"] = "\(high)" }
    return RelevanceExplainer(method: "deep-taylor", rules: rules, settings: settings)
  }

  public func explain(_ model: ExplainedModel, at x0: DenseTensor<Double>, output: Int, seed: UInt64) throws -> Explanation {
    var rules = self.rules
    var settings = self.settings
    if rules.inputLayer == .zBox {
      if settings["low"] == nil { rules.lowerBound = min(0, x0.elements.min() ?? 0) }
      if settings["high"] == nil { rules.upperBound = max(1, x0.elements.max() ?? 1) }
      settings["low"] = "\(rules.lowerBound)"
      settings["high"] = "\(rules.upperBound)"
    }
    let (relevance, value, _, _) = try model.backward(x0, output: output, rules: rules)
    let total = relevance.reduce(0, +)
    return Explanation(method: method, output: output, inputShape: x0.shape, relevance: relevance, settings: settings,
                       diagnostics: ["outputValue": value, "relevanceSum": total, "conservationError": abs(total - value)])
  }
}
