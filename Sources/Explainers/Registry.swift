import Inference
import Model

/// Explainers by the names the command line uses, built from string settings.
public enum ExplainerRegistry {
  /// Every method name, with the settings it reads.
  public static let methods: [(name: String, settings: [String], summary: String)] = [
    ("openbox", [], "exact local affine model A·x + c of x0's region; relevance A[k,:] ⊙ x0"),
    ("lime", ["mode", "discretize", "kernel-width", "num-features", "feature-selection", "target", "around", "scale", "patch", "hide", "bow"],
     "LIME (tabular, image patches, text tokens) as the reference lime package"),
    ("kernelshap", ["patch", "target", "exact-limit"], "KernelSHAP with the Shapley kernel, background zeros or given rows"),
    ("gradient", [], "saliency ∂f/∂x"),
    ("squared-gradient", [], "sensitivity analysis (∂f/∂x)²"),
    ("gradient-x-input", [], "x ⊙ ∂f/∂x"),
    ("integrated-gradients", ["baseline", "steps", "integration"], "Integrated Gradients from a baseline (exact path integral by default)"),
    ("guided-backprop", ["squared"], "Guided Backprop (squared=true: its square, as seed 004)"),
    ("lrp-epsilon", ["epsilon"], "LRP-ε"),
    ("lrp-alpha-beta", ["alpha", "beta"], "LRP-αβ (α1β0 by default, α2β1)"),
    ("deep-taylor", ["rule", "low", "high"], "deep Taylor decomposition, z⁺ or z^B at the input layer"),
    ("occlusion", ["patch", "stride", "baseline", "target"], "occlusion by sliding windows"),
    ("grad-cam", ["layer"], "Grad-CAM for convolutional models"),
  ]

  public static var names: [String] { methods.map(\.name) }

  /// The explainer for `method` at inputs of `shape` on `model`.
  ///
  /// - `samples`: LIME's and KernelSHAP's sample counts (nil: their defaults).
  /// - `data`: rows (whole body inputs) for LIME's training statistics and KernelSHAP's
  ///   background; nil: LIME uses x0 alone, KernelSHAP zeros.
  public static func make(_ method: String, model: ExplainedModel, shape: [Int], settings: [String: String] = [:],
                          samples: Int? = nil, data: [[Double]]? = nil) throws -> any Explainer {
    guard let entry = methods.first(where: { $0.name == method }) else {
      throw ExplainerError("unknown method '\(method)'; methods: \(names.joined(separator: ", "))")
    }
    if let unknown = settings.keys.sorted().first(where: { !entry.settings.contains($0) }) {
      let known = entry.settings.isEmpty ? "none" : entry.settings.joined(separator: ", ")
      throw ExplainerError("method '\(method)' has no setting '\(unknown)' (its settings: \(known))")
    }
    let reader = SettingReader(method: method, settings: settings)
    switch method {
    case "openbox": return OpenBoxExplainer()
    case "gradient": return GradientExplainer(.gradient)
    case "squared-gradient": return GradientExplainer(.squaredGradient)
    case "gradient-x-input": return GradientExplainer(.gradientTimesInput)
    case "guided-backprop": return GuidedBackpropExplainer(squared: try reader.bool("squared") ?? false)
    case "lrp-epsilon": return RelevanceExplainer.epsilon(try reader.double("epsilon") ?? 1e-6)
    case "lrp-alpha-beta":
      let alpha = try reader.double("alpha") ?? 1, beta = try reader.double("beta") ?? alpha - 1
      guard alpha >= 0, beta >= 0 else { throw ExplainerError("lrp-alpha-beta needs alpha ≥ 0 and beta ≥ 0") }
      return RelevanceExplainer.alphaBeta(alpha: alpha, beta: beta)
    case "deep-taylor":
      switch settings["rule"] ?? "z-plus" {
      case "z-plus", "zplus": return RelevanceExplainer.zPlus
      case "z-box", "zbox", "zb": return RelevanceExplainer.zBox(low: try reader.double("low"), high: try reader.double("high"))
      case let other: throw ExplainerError("deep-taylor rule must be z-plus or z-box, got '\(other)'")
      }
    case "integrated-gradients":
      let n = shape.reduce(1, *)
      var baseline: [Double]? = nil
      if let text = settings["baseline"], text != "zeros" {
        guard let value = Double(text) else { throw ExplainerError("integrated-gradients baseline must be 'zeros' or a number, got '\(text)'") }
        baseline = [Double](repeating: value, count: n)
      }
      let integration = try reader.choice("integration", IntegratedGradientsExplainer.Integration.self) ?? .exact
      return IntegratedGradientsExplainer(baseline: baseline, steps: try reader.int("steps") ?? 50, integration: integration)
    case "occlusion":
      return OcclusionExplainer(patch: try reader.int("patch") ?? 1, stride: try reader.int("stride"), baseline: try reader.double("baseline"),
                                target: try reader.choice("target", OutputTarget.self) ?? .logit)
    case "grad-cam":
      return GradCAMExplainer(layer: settings["layer"])
    case "kernelshap":
      return KernelSHAPExplainer(background: data, samples: samples, patch: try reader.int("patch") ?? 1,
                                 exactLimit: try reader.int("exact-limit") ?? 12, target: try reader.choice("target", OutputTarget.self) ?? .logit)
    case "lime":
      let target = try reader.choice("target", OutputTarget.self) ?? .logit
      let selection = try reader.choice("feature-selection", LimeBase.FeatureSelection.self) ?? .auto
      let kind = try reader.choice("mode", InputKind.self) ?? model.inputKind(shape: shape)
      switch kind {
      case .tabular:
        let n = shape.reduce(1, *)
        guard let rows = data, !rows.isEmpty else { throw ExplainerError("tabular LIME needs training data") }
        guard rows.allSatisfy({ $0.count == n }) else { throw ExplainerError("LIME training rows must each have \(n) values") }
        return try LimeTabularExplainer(training: rows, discretization: try reader.choice("discretize", LimeTabularExplainer.Discretization.self) ?? .quartile,
                                        samples: samples ?? 5000, kernelWidth: try reader.double("kernel-width"),
                                        numFeatures: try reader.int("num-features") ?? 10, selection: selection, target: target,
                                        sampleAroundInstance: try reader.bool("around") ?? false, scaleFactor: try reader.double("scale") ?? 1)
      case .image, .text:
        let bow = try reader.bool("bow") ?? true
        var hide: Double? = nil
        if let text = settings["hide"], text != "mean" {
          guard let value = Double(text) else { throw ExplainerError("lime hide must be 'mean' or a number, got '\(text)'") }
          hide = value
        }
        return LimeGroupsExplainer(mode: kind == .image ? .image : .text, samples: samples, kernelWidth: try reader.double("kernel-width"),
                                   numFeatures: try reader.int("num-features"), selection: selection, target: target,
                                   patch: try reader.int("patch") ?? (shape.count == 4 && shape[2] > 16 ? 4 : 2), hideValue: hide, bagOfWords: bow)
      }
    default:
      throw ExplainerError("unknown method '\(method)'")
    }
  }
}

/// Typed reading of string settings, with errors naming the method and the setting.
struct SettingReader {
  var method: String
  var settings: [String: String]

  func double(_ key: String) throws -> Double? {
    guard let text = settings[key] else { return nil }
    guard let value = Double(text), value.isFinite else { throw ExplainerError("\(method) setting \(key) must be a number, got '\(text)'") }
    return value
  }

  func int(_ key: String) throws -> Int? {
    guard let text = settings[key] else { return nil }
    guard let value = Int(text), value >= 0 else { throw ExplainerError("\(method) setting \(key) must be a whole number ≥ 0, got '\(text)'") }
    return value
  }

  func bool(_ key: String) throws -> Bool? {
    guard let text = settings[key] else { return nil }
    guard let value = Bool(text) else { throw ExplainerError("\(method) setting \(key) must be true or false, got '\(text)'") }
    return value
  }

  func choice<T: RawRepresentable & CaseIterable>(_ key: String, _ type: T.Type) throws -> T? where T.RawValue == String {
    guard let text = settings[key] else { return nil }
    guard let value = T(rawValue: text) else {
      throw ExplainerError("\(method) setting \(key) must be one of \(T.allCases.map(\.rawValue).joined(separator: ", ")), got '\(text)'")
    }
    return value
  }
}
