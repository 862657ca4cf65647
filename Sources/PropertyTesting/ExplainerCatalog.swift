import Explainers
import Inference
import Model

/// What an explainer is built from: the suite's settings and the model it will explain.
public struct ExplainerRequest: Sendable {
  /// Settings by the explainer's own names (`kernel-width`, `mode`, ...), as text.
  public var settings: [String: String]
  /// The sample count (LIME's, KernelSHAP's `num_samples`), nil for the method's default.
  public var samples: Int?
  public var model: ExplainedModel
  /// The body input's shape.
  public var shape: [Int]
  /// Training rows (every example of the suite's inputs, as body inputs): LIME's statistics,
  /// KernelSHAP's background.
  public var data: [[Double]]
}

/// The explainers `explainer-fidelity` can test, by the name suites use: this module's own
/// (`openbox-surrogate`) and every method of the Explainers registry (`lime`, `kernelshap`,
/// `openbox`, `gradient`, ...). A new explainer plugs in with one entry.
public struct ExplainerCatalog: Sendable {
  public typealias Factory = @Sendable (ExplainerRequest) throws -> any Explainer
  public var factories: [String: Factory]

  public init(factories: [String: Factory]) {
    self.factories = factories
  }

  /// The explainers this build knows.
  public static let standard: ExplainerCatalog = {
    var factories: [String: Factory] = [
      OpenBoxSurrogateExplainer.name: { request in try OpenBoxSurrogateExplainer(settings: request.settings) },
    ]
    for name in ExplainerRegistry.names where factories[name] == nil {
      factories[name] = { request in
        try ExplainerRegistry.make(name, model: request.model, shape: request.shape, settings: request.settings,
                                   samples: request.samples, data: request.data)
      }
    }
    return ExplainerCatalog(factories: factories)
  }()

  /// The names, sorted.
  public var names: [String] { factories.keys.sorted() }

  public func make(_ name: String, _ request: ExplainerRequest) throws -> any Explainer {
    guard let factory = factories[name] else {
      throw SuiteError(message: "unknown explainer '\(name)' (known: \(names.joined(separator: ", ")))")
    }
    return try factory(request)
  }
}

/// The OpenBox explanation as a surrogate model: g(x) = A_j·x + (f_j(x0) − A_j·x0) for the
/// explained output j, with A the float64 core's Jacobian at x0 (its own pattern). Inside x0's
/// region it predicts the model up to float64 rounding; outside it, it is the tangent of one
/// linear piece — which is what explainer-fidelity measures.
public struct OpenBoxSurrogateExplainer: Explainer {
  public static let name = "openbox-surrogate"
  public var method: String { Self.name }

  public init(settings: [String: String] = [:]) throws {
    if let unknown = settings.keys.sorted().first {
      throw SuiteError(message: "explainer '\(Self.name)' takes no option '\(unknown)'")
    }
  }

  public func explain(_ model: ExplainedModel, at x0: DenseTensor<Double>, output: Int, seed: UInt64) throws -> Explanation {
    let name = try model.core.plan(for: x0.shape).bodyOutputNames[0]
    guard let jacobian = try model.core.jacobian(at: x0)[name] else {
      throw ModelError("'\(name)' is not an output of the piecewise-linear body")
    }
    let n = jacobian.shape[1]
    guard output >= 0, output < jacobian.shape[0] else {
      throw ModelError("output \(output) is out of range: the body output has \(jacobian.shape[0]) elements")
    }
    let weights = Array(jacobian.elements[(output * n)..<((output + 1) * n)])
    let value = try model.core.run(x0.reshaped([1] + x0.shape)).logits[name]!.elements[output]
    let intercept = value - zip(weights, x0.elements).reduce(0) { $0 + $1.0 * $1.1 }
    return Explanation(method: method, output: output, inputShape: x0.shape, relevance: zip(weights, x0.elements).map { $0 * $1 },
                       surrogate: LinearSurrogate(weights: weights, intercept: intercept, features: .coordinates),
                       settings: ["core": "float64"])
  }
}
