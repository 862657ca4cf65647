import Foundation
import Inference
import Model

/// LIME for images and text: interpretable features are groups of input coordinates that are
/// kept (1) or replaced (0) together, following the reference `LimeImageExplainer` and
/// `LimeTextExplainer` (marcotcr/lime).
///
/// - **Image** (NCHW inputs): the groups are square grid patches (setting `patch`; the
///   reference segments with quickshift superpixels — grid patches are used here instead). A
///   removed patch takes, per channel, the mean of its own pixels (the reference's
///   `hide_color=None`) or a given value. Reference defaults: 1000 samples, each patch kept
///   with probability ½ (`randint(0, 2)`), the first sample keeps all; cosine distance of the
///   bits to all-ones, kernel width 0.25; `num_features=100000` (so every patch is kept by
///   `highest_weights`); `Ridge(alpha=1)`.
/// - **Text** (models whose input is token ids): the groups are the distinct tokens of the
///   sentence (`bow=True`: a token's every occurrence together, in order of first occurrence).
///   A removed token's positions get the embedding of token id 0 (`<pad>`) — the sequence keeps
///   its length, where the reference deletes the word from the string. Reference defaults: 5000
///   samples, each sample removes a uniform number 1…d of distinct tokens, cosine distance × 100,
///   kernel width 25, 10 features, `feature_selection='auto'`, `Ridge(alpha=1)`.
///
/// The relevance of a coordinate is its group's coefficient divided by the group's size (so a
/// group's relevances sum to its coefficient); the surrogate is over presence bits with the
/// groups as its interpretation.
public struct LimeGroupsExplainer: Explainer {
  public enum Mode: String, Sendable { case image, text }

  public var mode: Mode
  public var samples: Int
  public var kernelWidth: Double
  public var numFeatures: Int
  public var selection: LimeBase.FeatureSelection
  public var target: OutputTarget
  /// Image patch side (pixels).
  public var patch: Int
  /// The value of removed image pixels (nil: the patch's mean per channel).
  public var hideValue: Double?
  /// Text: group a token's occurrences together.
  public var bagOfWords: Bool

  public init(mode: Mode, samples: Int? = nil, kernelWidth: Double? = nil, numFeatures: Int? = nil,
              selection: LimeBase.FeatureSelection = .auto, target: OutputTarget = .logit, patch: Int = 2,
              hideValue: Double? = nil, bagOfWords: Bool = true) {
    self.mode = mode
    self.samples = samples ?? (mode == .image ? 1000 : 5000)
    self.kernelWidth = kernelWidth ?? (mode == .image ? 0.25 : 25)
    self.numFeatures = numFeatures ?? (mode == .image ? 100_000 : 10)
    self.selection = selection
    self.target = target
    self.patch = patch
    self.hideValue = hideValue
    self.bagOfWords = bagOfWords
  }

  public var method: String { "lime" }

  /// The groups of `x0`'s coordinates and what each coordinate becomes when its group is removed.
  public func groups(_ model: ExplainedModel, at x0: DenseTensor<Double>) throws -> (groups: [[Int]], removed: [Double]) {
    let n = x0.elements.count
    var removed = [Double](repeating: 0, count: n)
    switch mode {
    case .image:
      guard x0.shape.count == 4 else { throw ExplainerError("image LIME needs an NCHW input, got shape \(x0.shape)") }
      let groups = FeatureGroups.patches(shape: x0.shape, size: patch)
      let plane = x0.shape[2] * x0.shape[3], channels = x0.shape[1]
      for group in groups {
        if let hideValue {
          for i in group { removed[i] = hideValue }
          continue
        }
        var sums = [Double](repeating: 0, count: channels), counts = [Double](repeating: 0, count: channels)
        for i in group {
          sums[(i / plane) % channels] += x0.elements[i]
          counts[(i / plane) % channels] += 1
        }
        for i in group { removed[i] = sums[(i / plane) % channels] / counts[(i / plane) % channels] }
      }
      return (groups, removed)
    case .text:
      guard let pad = model.padVector else { throw ExplainerError("text LIME needs a model whose input is token ids") }
      let positions = FeatureGroups.tokenPositions(shape: x0.shape)
      for p in positions { for (k, i) in p.enumerated() { removed[i] = pad[k] } }
      guard bagOfWords, let ids = model.tokenIDs(of: x0) else { return (positions, removed) }
      var order: [Int] = []
      var byToken: [Int: [Int]] = [:]
      for (p, id) in ids.enumerated() {
        if byToken[id] == nil { order.append(id) }
        byToken[id, default: []] += positions[p]
      }
      return (order.map { byToken[$0]! }, removed)
    }
  }

  public func explain(_ model: ExplainedModel, at x0: DenseTensor<Double>, output: Int, seed: UInt64) throws -> Explanation {
    try explain(model, at: x0, outputs: [output], seed: seed)[0]
  }

  /// Explains several outputs on one set of samples (the reference's `labels`), each as
  /// ``explain(_:at:output:seed:)`` alone would.
  public func explain(_ model: ExplainedModel, at x0: DenseTensor<Double>, outputs: [Int], seed: UInt64) throws -> [Explanation] {
    guard samples >= 2 else { throw ExplainerError("LIME needs at least 2 samples, got \(samples)") }
    let (groups, removed) = try groups(model, at: x0)
    let d = groups.count
    var generator = SeededGenerator(seed: seed)
    var data = [Double](repeating: 1, count: samples * d)
    for r in 1..<samples {
      switch mode {
      case .image:
        for j in 0..<d { data[r * d + j] = Double(generator.integer(below: 2)) }
      case .text:
        let size = 1 + generator.integer(below: d)
        for j in generator.sample(size, from: d) { data[r * d + j] = 0 }
      }
    }
    var inputs = [Double]()
    inputs.reserveCapacity(samples * x0.elements.count)
    for r in 0..<samples {
      var x = x0.elements
      for j in 0..<d where data[r * d + j] == 0 {
        for i in groups[j] { x[i] = removed[i] }
      }
      inputs += x
    }
    let labels = try model.outputs(inputs, shape: x0.shape, outputs: outputs, target: target)
    let scale = mode == .text ? 100.0 : 1.0
    let distances = LimeBase.cosineDistances(data, rows: samples, columns: d).map { $0 * scale }
    let weights = distances.map { LimeBase.kernel($0, width: kernelWidth) }
    let results = try LimeBase.explain(data: data, rows: samples, columns: d, labels: labels, weights: weights,
                                       numFeatures: numFeatures, selection: selection)
    return zip(outputs, zip(results, labels)).map { output, fitted in
      explanation(of: output, fitted.0, prediction: fitted.1[0], x0: x0, groups: groups, model: model, seed: seed)
    }
  }

  /// The explanation of one output from its LIME fit on the groups.
  private func explanation(of output: Int, _ result: LimeBase.Result, prediction: Double, x0: DenseTensor<Double>, groups: [[Int]],
                           model: ExplainedModel, seed: UInt64) -> Explanation {
    let d = groups.count
    let coefficients = result.weights(count: d)
    var relevance = [Double](repeating: 0, count: x0.elements.count)
    for (j, group) in groups.enumerated() {
      for i in group { relevance[i] += coefficients[j] / Double(group.count) }
    }
    var settings = ["mode": mode.rawValue, "queries": model.queryPrecision.rawValue, "samples": "\(samples)", "kernelWidth": "\(kernelWidth)", "numFeatures": "\(numFeatures)",
                    "featureSelection": selection.rawValue, "target": target.rawValue, "groups": "\(d)",
                    "selected": result.features.map(String.init).joined(separator: ",")]
    switch mode {
    case .image:
      settings["segmentation"] = "grid patches of \(patch)×\(patch) pixels"
      settings["hide"] = hideValue.map { "\($0)" } ?? "patch mean"
    case .text:
      settings["removal"] = "token replaced by <pad> (id 0)"
      settings["bow"] = "\(bagOfWords)"
    }
    return Explanation(
      method: method, output: output, inputShape: x0.shape, relevance: relevance,
      surrogate: LinearSurrogate(weights: coefficients, intercept: result.intercept, features: .presence,
                                 interpretation: .groups(groups, reference: x0.elements)),
      seed: seed, settings: settings,
      diagnostics: ["score": result.score, "localPrediction": result.localPrediction, "intercept": result.intercept,
                    "prediction": prediction])
  }
}
