import Certification
import ExactArithmetic
import Explainers
import Foundation
import Inference
import Model
import Regions

/// The properties of explanations the tester checks, by the name suites use.
public enum PropertyName: String, Sendable, Codable, CaseIterable {
  /// For x in P, the exact network output equals A·x + c exactly (a check of ExplainCert's own
  /// exact engine and region extraction).
  case exactness
  /// x satisfies G·x ≤ h exactly if and only if the exact pattern at x is σ0 (up to ties on the
  /// facets x lies on); the float32 pattern's agreement with the exact one is reported beside it.
  case regionMembership = "region-membership"
  /// The explanation of x0 is the explanation of every sampled x within the radius: x in P must
  /// have exactly x0's A (else a defect), x outside P with another A is a counterexample to the
  /// claimed radius, reported with the cosine similarity of the explanations and the distance
  /// from P.
  case consistency
  /// The float32 explanation (the float core's Jacobian, with its own pattern) is within
  /// `max_abs_error + max_rel_error·|exact|` of the exact A at x, entry by entry.
  case floatFaithfulness = "float-faithfulness"
  /// An explainer's surrogate predicts the model: |g(x′) − f(x′)| ≤ τ on nearby x′.
  case explainerFidelity = "explainer-fidelity"

  /// What replay must see by default when a counterexample of this property is saved: a
  /// violated property of ExplainCert's own must stay fixed; a finding about an explanation
  /// (a radius too large, an explainer's error) must keep reproducing.
  public var defaultExpectation: Expectation {
    switch self {
    case .exactness, .regionMembership: return .fixed
    case .consistency, .floatFaithfulness, .explainerFidelity: return .reproduce
    }
  }
}

/// What `replay` must see for a saved counterexample.
public enum Expectation: String, Sendable, Codable {
  /// A finding that must keep reproducing bit for bit.
  case reproduce
  /// A defect that must stay fixed: the property must hold at the saved input.
  case fixed
}

/// Which output an explainer explains.
public enum OutputChoice: Sendable, Equatable, CustomStringConvertible {
  /// The float core's predicted class at x0.
  case predicted
  case index(Int)

  public var description: String {
    switch self {
    case .predicted: return "predicted"
    case .index(let i): return "\(i)"
    }
  }
}

/// One property of a suite with all its settings.
public struct PropertySpec: Sendable, Equatable {
  public var name: PropertyName
  /// The name the suite used (`lime-fidelity` is explainer-fidelity with LIME).
  public var spelledAs: String
  public var samples: Int
  public var generator: GeneratorSettings
  public var maxAbsError: Double
  public var maxRelError: Double
  public var explainer: String
  public var output: OutputChoice
  /// Settings handed to the explainer by its own names (`kernel-width`, `mode`, ...).
  public var explainerOptions: [String: String]
  /// The explainer's sample count (`num_samples`; nil: its default).
  public var explainerSamples: Int?
  public var expectation: Expectation

  public init(name: PropertyName) {
    self.name = name
    spelledAs = name.rawValue
    samples = name == .floatFaithfulness ? 10 : 50
    generator = GeneratorSettings()
    maxAbsError = name == .explainerFidelity ? 1e-6 : 1e-5
    maxRelError = 0
    explainer = OpenBoxSurrogateExplainer.name
    output = .predicted
    explainerOptions = [:]
    expectation = name.defaultExpectation
  }

  /// The settings as text, sorted (written into counterexamples and reports).
  public var settingsDescription: [String: String] {
    var s: [String: String] = [
      "samples": "\(samples)", "generator": generator.kind.rawValue, "radius": generator.radius.description,
      "norm": generator.norm.rawValue,
    ]
    if [.sparse, .pixel, .synonyms, .mixed].contains(generator.kind) { s["k"] = "\(generator.k)" }
    if [.patch, .mixed].contains(generator.kind) { s["patch"] = "\(generator.patch)" }
    if let image = generator.image { s["image"] = image.map(String.init).joined(separator: "x") }
    if let domain = generator.domain { s["domain"] = domain.summary }
    switch name {
    case .floatFaithfulness:
      s["max_abs_error"] = "\(maxAbsError)"
      s["max_rel_error"] = "\(maxRelError)"
    case .explainerFidelity:
      s["max_abs_error"] = "\(maxAbsError)"
      s["explainer"] = explainer
      s["output"] = output.description
      for (k, v) in explainerOptions { s["options." + k] = v }
      if let explainerSamples { s["num_samples"] = "\(explainerSamples)" }
    default: break
    }
    return s
  }
}

/// What one sample showed.
public struct SampleVerdict: Sendable {
  /// The property holds at the sample.
  public var holds: Bool
  /// What was seen and what the property expects (exact rationals as `p/q`, floats in their
  /// shortest round-trip text), for reports and counterexamples.
  public var observed: [String: String] = [:]
  public var expected: [String: String] = [:]
  /// One line about a violation.
  public var summary: String = ""
  /// Counts summed over the samples (e.g. "in P").
  public var tallies: [String: Int] = [:]
  /// Extremes over the samples.
  public var maxima: [String: Double] = [:]
  public var minima: [String: Double] = [:]
  /// Whether the property could judge the sample at all (exactness says nothing outside P): a
  /// case none of whose samples was judged tested nothing (``CaseResult/Status/vacuous``).
  public var judged = true

  init(holds: Bool) { self.holds = holds }
}

/// Checks one property around one anchor. Stateless apart from caches, so shrinking and replay
/// can ask about single points.
public final class PropertyChecker: @unchecked Sendable {
  public let spec: PropertySpec
  public let anchor: Anchor
  public let seed: UInt64
  let explainers: ExplainerCatalog
  private var linearCache: [ActivationPattern: [String: ExactTensor]] = [:]
  private var explanation: Explanation?
  private let lock = NSLock()

  public init(spec: PropertySpec, anchor: Anchor, seed: UInt64, explainers: ExplainerCatalog = .standard) {
    self.spec = spec
    self.anchor = anchor
    self.seed = seed
    self.explainers = explainers
  }

  /// The verdict at every point.
  public func check(_ points: [[Double]]) throws -> [SampleVerdict] {
    switch spec.name {
    case .exactness: return try exactness(points)
    case .regionMembership: return try regionMembership(points)
    case .consistency: return try consistency(points)
    case .floatFaithfulness: return try floatFaithfulness(points)
    case .explainerFidelity: return try fidelity(points)
    }
  }

  /// Whether the property fails at one point.
  public func fails(_ point: [Double]) throws -> Bool {
    try !check([point])[0].holds
  }

  // MARK: exactness

  func exactness(_ points: [[Double]]) throws -> [SampleVerdict] {
    let evaluations = try anchor.exactEvaluation(points)
    return try zip(points, evaluations).map { x, evaluation in
      let membership = try anchor.membership(x)
      guard membership.inside else {
        var v = SampleVerdict(holds: true)
        v.tallies["outside P (not checked)"] = 1
        v.judged = false
        return v
      }
      var v = SampleVerdict(holds: true)
      v.tallies["in P, f(x) = A·x + c"] = 1
      let xr = try x.map { try Rational(exactly: $0) }
      for name in anchor.plan.bodyOutputNames {
        let ax = anchor.region.linear[name]!.combiningRows(with: xr)
        let c = anchor.region.constant[name]!.values
        let f = evaluation.outputs[name]!
        for i in f.indices where ax[i] + c[i] != f[i] {
          v = SampleVerdict(holds: false)
          v.observed = ["output": name, "element": "\(i)", "f(x)": f[i].fractionString]
          v.expected = ["A·x + c": (ax[i] + c[i]).fractionString]
          v.summary = "x is in P but f(x)[\(i)] = \(Double(f[i])) differs from (A·x + c)[\(i)] = \(Double(ax[i] + c[i]))"
          v.tallies["in P, f(x) ≠ A·x + c"] = 1
          return v
        }
      }
      return v
    }
  }

  // MARK: region-membership

  func regionMembership(_ points: [[Double]]) throws -> [SampleVerdict] {
    let evaluations = try anchor.exactEvaluation(points, outputs: false)
    let floats = try anchor.floatPatterns(points)
    return try points.indices.map { k in
      let membership = try anchor.membership(points[k])
      let pattern = evaluations[k].pattern
      let same = pattern == anchor.pattern
      let holds = membership.inside ? anchor.differsOnlyAtTies(pattern, tight: membership.tight) : !same
      var v = SampleVerdict(holds: holds)
      v.tallies[membership.inside ? "in P" : "outside P"] = 1
      if membership.inside && !same { v.tallies["on a facet, tie"] = 1 }
      v.tallies["float pattern = exact"] = floats[k] == pattern ? 1 : 0
      v.observed = [
        "G·x ≤ h": "\(membership.inside)", "tight inequalities": "\(membership.tight.count)",
        "violated inequalities": "\(membership.violated.count)",
        "neurons differing from σ0": "\(anchor.pattern.differences(from: pattern).count)",
      ]
      v.expected = ["exact pattern at x": membership.inside ? "σ0 (up to ties on tight facets)" : "not σ0"]
      if !holds {
        v.summary = membership.inside
          ? "x satisfies G·x ≤ h but its exact pattern differs from σ0 at \(anchor.pattern.differences(from: pattern).count) neuron(s) whose inequality is not tight"
          : "x violates \(membership.violated.count) inequality(ies) of P but its exact pattern is σ0"
      }
      return v
    }
  }

  // MARK: consistency

  /// Aᵀ of a pattern, cached.
  func linear(_ pattern: ActivationPattern) -> [String: ExactTensor] {
    if pattern == anchor.pattern { return anchor.region.linear }
    lock.lock()
    if let cached = linearCache[pattern] {
      lock.unlock()
      return cached
    }
    lock.unlock()
    let value = anchor.exactLinear(pattern)
    lock.lock()
    if linearCache.count > 256 { linearCache.removeAll() }
    linearCache[pattern] = value
    lock.unlock()
    return value
  }

  /// The explained output's row of A (as doubles) from Aᵀ of the first body output.
  func explainedRow(_ linear: [String: ExactTensor], output: Int) -> [Double] {
    let aT = linear[anchor.plan.bodyOutputNames[0]]!.roundedToDouble()
    let n = anchor.inputCount
    let m = aT.elements.count / n
    return (0..<n).map { aT.elements[$0 * m + output] }
  }

  func consistency(_ points: [[Double]]) throws -> [SampleVerdict] {
    let evaluations = try anchor.exactEvaluation(points, outputs: false)
    return try points.indices.map { k in
      let pattern = evaluations[k].pattern
      if pattern == anchor.pattern {
        var v = SampleVerdict(holds: true)
        v.tallies["pattern σ0"] = 1
        return v
      }
      let membership = try anchor.membership(points[k])
      let a = linear(pattern)
      let a0 = anchor.region.linear
      if anchor.plan.bodyOutputNames.allSatisfy({ a[$0]! == a0[$0]! }) {
        var v = SampleVerdict(holds: true)
        v.tallies["other pattern, same A"] = 1
        return v
      }
      let row = explainedRow(a, output: anchor.predicted)
      let row0 = explainedRow(a0, output: anchor.predicted)
      let cosine = Metrics.cosine(row, row0)
      var maxDelta = 0.0
      for name in anchor.plan.bodyOutputNames {
        let x = a[name]!.roundedToDouble().elements, y = a0[name]!.roundedToDouble().elements
        for (p, q) in zip(x, y) { maxDelta = max(maxDelta, abs(p - q)) }
      }
      var v = SampleVerdict(holds: false)
      v.tallies[membership.inside ? "in P, other A (tie)" : "outside P, other A"] = 1
      v.minima["cosine of explanations"] = cosine
      v.maxima["distance from P (ℓ₂, lower bound)"] = membership.distanceL2
      v.observed = [
        "explanation": "differs from x0's", "in P": "\(membership.inside)",
        "cosine (explained class)": "\(cosine)", "max |ΔA|": "\(maxDelta)",
        "distance from P (ℓ₂, lower bound)": "\(membership.distanceL2)",
        "distance from P (ℓ∞, lower bound)": "\(membership.distanceLinf)",
        "neurons differing from σ0": "\(anchor.pattern.differences(from: pattern).count)",
      ]
      v.expected = ["explanation": "identical to x0's (A of σ0)"]
      v.summary = membership.inside
        ? "x is in P (on a facet) but its explanation differs from x0's (cosine \(format(cosine)))"
        : "x is outside P (ℓ₂ distance ≥ \(format(membership.distanceL2))) and its explanation differs from x0's: cosine \(format(cosine)), max |ΔA| \(format(maxDelta))"
      return v
    }
  }

  // MARK: float-faithfulness

  func floatFaithfulness(_ points: [[Double]]) throws -> [SampleVerdict] {
    let evaluations = try anchor.exactEvaluation(points, outputs: false)
    let floats = try anchor.floatPatterns(points)
    let n = anchor.inputCount
    return try points.indices.map { k in
      let x = DenseTensor<Double>(shape: anchor.x0.shape, elements: points[k]).float32
      let jacobian = try anchor.subject.floatCore.jacobian(at: x)
      let exact = linear(evaluations[k].pattern)
      var worst = (excess: -Double.infinity, error: 0.0, output: "", i: 0, j: 0, float: 0.0, exact: 0.0)
      var maxError = 0.0
      for name in anchor.plan.bodyOutputNames {
        let e = exact[name]!.roundedToDouble().elements
        let f = jacobian[name]!.elements
        let m = f.count / n
        for i in 0..<m {
          for j in 0..<n {
            let fv = Double(f[i * n + j]), ev = e[j * m + i]
            let error = abs(fv - ev)
            maxError = max(maxError, error)
            let excess = error - (spec.maxAbsError + spec.maxRelError * abs(ev))
            if excess > worst.excess { worst = (excess, error, name, i, j, fv, ev) }
          }
        }
      }
      let holds = worst.excess <= 0
      var v = SampleVerdict(holds: holds)
      v.maxima["max |float − exact|"] = maxError
      v.tallies["float pattern ≠ exact"] = floats[k] == evaluations[k].pattern ? 0 : 1
      v.observed = [
        "max |float − exact|": "\(maxError)", "worst entry": "\(worst.output)[\(worst.i)][\(worst.j)]",
        "float": "\(worst.float)", "float pattern = exact": "\(floats[k] == evaluations[k].pattern)",
      ]
      v.expected = ["exact": "\(worst.exact)", "tolerance": "\(spec.maxAbsError) + \(spec.maxRelError)·|exact|"]
      if !holds {
        v.summary = "float explanation entry \(worst.output)[\(worst.i)][\(worst.j)] = \(worst.float), exact \(worst.exact): error \(format(worst.error)) beyond tolerance"
          + (floats[k] == evaluations[k].pattern ? "" : " (the float pattern differs from the exact one)")
      }
      return v
    }
  }

  // MARK: explainer-fidelity

  /// The explainer's explanation of x0 (computed once).
  public func explainerExplanation() throws -> Explanation {
    lock.lock()
    if let explanation {
      lock.unlock()
      return explanation
    }
    lock.unlock()
    let subject = anchor.subject
    let explainer = try explainers.make(spec.explainer, ExplainerRequest(
      settings: spec.explainerOptions, samples: spec.explainerSamples, model: subject.explained, shape: anchor.x0.shape,
      data: subject.examples.filter { $0.input.shape == anchor.x0.shape }.map(\.input.elements)))
    let output: Int
    switch spec.output {
    case .predicted: output = anchor.predicted
    case .index(let i): output = i
    }
    let made = try explainer.explain(anchor.subject.explained, at: anchor.x0, output: output, seed: seed)
    guard made.surrogate != nil else {
      throw SuiteError(message: "explainer '\(spec.explainer)' gives no surrogate model; explainer-fidelity needs one")
    }
    lock.lock()
    explanation = made
    lock.unlock()
    return made
  }

  func fidelity(_ points: [[Double]]) throws -> [SampleVerdict] {
    let explanation = try explainerExplanation()
    let surrogate = explanation.surrogate!
    let x0 = anchor.x0.elements
    // The surrogate at a nearby input: over coordinates, or over the presence features its
    // interpretation defines (LIME's bins, patches, tokens). A presence surrogate without one
    // sees x′ as a mask of x0 against the reference value (`reference`/`baseline`, default 0).
    let reference = Double(explanation.settings["reference"] ?? explanation.settings["baseline"] ?? "") ?? 0
    var evaluated = points
    var predictions: [Double] = []
    for x in points {
      if let g = surrogate.predict(at: x) {
        predictions.append(g)
      } else {
        let z = zip(x, x0).map { $0 == $1 ? 1.0 : 0.0 }
        predictions.append(surrogate.predict(z))
        evaluated[predictions.count - 1] = zip(z, x0).map { $0 == 1 ? $1 : reference }
      }
    }
    let outputs = try anchor.doubleOutputs(evaluated)
    return points.indices.map { k in
      let g = predictions[k]
      let f = outputs[k][explanation.output]
      let gap = abs(g - f)
      var v = SampleVerdict(holds: gap <= spec.maxAbsError)
      v.maxima["max |surrogate − model|"] = gap
      v.observed = ["surrogate g(x′)": "\(g)", "model f(x′)": "\(f)", "|g − f|": "\(gap)"]
      v.expected = ["|g − f| ≤": "\(spec.maxAbsError)"]
      if !v.holds {
        v.summary = "\(explanation.method)'s surrogate gives \(g) where the model gives \(f): |g − f| = \(format(gap)) > τ = \(spec.maxAbsError)"
      }
      return v
    }
  }
}

/// Four significant digits.
func format(_ value: Double) -> String {
  String(format: "%.4g", value)
}
