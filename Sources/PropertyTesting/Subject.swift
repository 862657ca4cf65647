import Certification
import DataIO
import ExactArithmetic
import Explainers
import Foundation
import Inference
import Model
import Regions

/// A model and the inputs its properties are checked around: the float cores, the exact engine
/// and, per input x0, the exact OpenBox explanation (``Anchor``), computed once and shared by
/// every property that needs it.
public final class Subject: @unchecked Sendable {
  public let modelPath: String
  public let modelSHA256: String
  public let network: Network
  /// The float32 core: the model's own arithmetic (patterns and explanations a user gets).
  public let floatCore: FloatCore<Float>
  /// The float64 core (explainers' arithmetic).
  public let doubleCore: FloatCore<Double>
  public let explained: ExplainedModel
  /// Every example of the inputs file, split along the batch axis (body inputs; token ids for
  /// token models).
  public let examples: [(input: DenseTensor<Double>, tokens: [Int]?)]
  public let inputsPath: String

  private var anchors: [Int: Anchor] = [:]
  private let lock = NSLock()

  /// Loads the model and the inputs; errors name the file.
  public convenience init(modelPath: String, inputsPath: String) throws {
    try self.init(certifier: try Certifier(modelPath: modelPath), inputsPath: inputsPath)
  }

  /// A loaded model with the inputs of a file; errors name the file.
  public convenience init(certifier: Certifier, inputsPath: String) throws {
    let array = try NumericArray.load(path: inputsPath)
    let network = certifier.network
    let bound = try network.bind(array, file: inputsPath)
    let examples = bound.examples(batchAxis: network.batchAxis, tokenIDs: network.embedding == nil ? nil : array.asDoubles)
    guard !examples.isEmpty else { throw ModelError("\(inputsPath): holds no input") }
    self.init(certifier: certifier, examples: examples, inputsPath: inputsPath)
  }

  /// Loads the model and takes the examples as given (body inputs), e.g. a counterexample's x0.
  public convenience init(modelPath: String, examples: [(input: DenseTensor<Double>, tokens: [Int]?)], inputsPath: String) throws {
    self.init(certifier: try Certifier(modelPath: modelPath), examples: examples, inputsPath: inputsPath)
  }

  init(certifier: Certifier, examples: [(input: DenseTensor<Double>, tokens: [Int]?)], inputsPath: String) {
    modelPath = certifier.modelPath
    self.inputsPath = inputsPath
    modelSHA256 = certifier.modelSHA256
    network = certifier.network
    floatCore = FloatCore(network)
    doubleCore = FloatCore(network)
    explained = ExplainedModel(network)
    self.examples = examples
  }

  /// The exact explanation around example `index` (computed on first use, then shared).
  public func anchor(_ index: Int) throws -> Anchor {
    lock.lock()
    if let anchor = anchors[index] {
      lock.unlock()
      return anchor
    }
    lock.unlock()
    guard examples.indices.contains(index) else {
      throw ModelError("\(inputsPath): has \(examples.count) examples, there is no example \(index)")
    }
    let anchor = try Anchor(subject: self, index: index)
    lock.lock()
    defer { lock.unlock() }
    if let existing = anchors[index] { return existing }
    anchors[index] = anchor
    return anchor
  }
}

/// One input x0 with its exact OpenBox explanation: the pattern σ0, A and c, the polyhedron
/// P = {x : G·x ≤ h}, the slack of every inequality at x0 and the certified radii.
public final class Anchor: @unchecked Sendable {
  public let index: Int
  public let x0: DenseTensor<Double>
  public let tokens: [Int]?
  public let plan: Plan
  /// The exact pattern at x0.
  public let pattern: ActivationPattern
  public let region: Region<ExactTensor>
  /// x0's coordinates, exactly.
  public let exactX0: [Rational]
  /// h.
  public let bounds: [Rational]
  /// ‖gᵢ‖₁, ‖gᵢ‖∞, ‖gᵢ‖₂² per inequality.
  public let norms: [ColumnNorms]
  /// Certified radii of balls around x0 inside P (rounded down to doubles; +∞ when P is the
  /// whole space): ℓ∞ exactly, ℓ₂ from the exact lower bound.
  public let radiusLinf: Double
  public let radiusL2: Double
  /// The float explanation's predicted class (argmax of the first body output at x0).
  public let predicted: Int
  /// Constraint indices of every (site, element).
  let constraintsOf: [SiteElement: [Int]]
  unowned let subject: Subject

  init(subject: Subject, index: Int) throws {
    self.subject = subject
    self.index = index
    let example = subject.examples[index]
    x0 = example.input
    tokens = example.tokens
    plan = try subject.floatCore.plan(for: x0.shape)
    let exactInput = try ExactTensor(exactly: x0.reshaped([1] + x0.shape))
    pattern = plan.evaluate(exactInput).pattern
    region = plan.region(pattern: pattern, unitVectors: ExactTensor.identity(count: plan.inputCount, shape: x0.shape))
    exactX0 = exactInput.values
    bounds = region.bounds.values
    let gx: [Rational]
    (gx, norms) = region.constraintValuesAndNorms(at: exactX0)
    let radii = Region<ExactTensor>.ballRadii(slacks: zip(bounds, gx).map { $0 - $1 }, norms: norms)
    radiusLinf = radii.linf.map { max(0, Double($0, rounding: .down)) } ?? .infinity
    radiusL2 = radii.l2Lower.map { max(0, Double($0, rounding: .down)) } ?? .infinity
    var map: [SiteElement: [Int]] = [:]
    for (i, origin) in region.origins.enumerated() { map[SiteElement(site: origin.site, element: origin.element), default: []].append(i) }
    constraintsOf = map
    let logits = try subject.doubleCore.run(x0.reshaped([1] + x0.shape)).logits[plan.bodyOutputNames[0]]!.elements
    predicted = logits.indices.max { logits[$0] < logits[$1] || (logits[$0] == logits[$1] && $0 > $1) } ?? 0
  }

  /// Number of scalar inputs (the explanation's input space).
  public var inputCount: Int { plan.inputCount }

  /// The certified radius in a norm.
  public func certifiedRadius(_ norm: Norm) -> Double { norm == .linf ? radiusLinf : radiusL2 }

  // MARK: Membership

  /// How a point sits with respect to P, exactly.
  public struct Membership: Sendable {
    /// G·x ≤ h holds.
    public var inside: Bool
    /// Indices of the inequalities that hold with equality (x on those facets).
    public var tight: [Int]
    /// Indices of violated inequalities.
    public var violated: [Int]
    /// A lower bound on x's Euclidean distance from P: the largest (gᵢ·x − hᵢ)/‖gᵢ‖₂ (0 inside).
    public var distanceL2: Double
    /// The same with ‖gᵢ‖₁: a lower bound on the ℓ∞ distance from P.
    public var distanceLinf: Double
  }

  /// Exact membership of `x` (flat coordinates) in P.
  public func membership(_ x: [Double]) throws -> Membership {
    let xr = try x.map { try Rational(exactly: $0) }
    let gx = region.constraintValues(at: xr)
    var tight: [Int] = [], violated: [Int] = []
    var d2 = 0.0, dinf = 0.0
    for i in bounds.indices where !(gx[i] < bounds[i]) {
      if gx[i] == bounds[i] {
        tight.append(i)
        continue
      }
      violated.append(i)
      let excess = gx[i] - bounds[i]
      if !norms[i].l1.isZero {
        d2 = max(d2, Double(excess) / Double(norms[i].squaredL2).squareRoot())
        dinf = max(dinf, Double(excess / norms[i].l1))
      }
    }
    return Membership(inside: violated.isEmpty, tight: tight, violated: violated, distanceL2: d2, distanceLinf: dinf)
  }

  /// Whether `other` differs from σ0 only at neurons whose inequality of P is tight at a point
  /// (a tie: the point lies on that facet, where both pieces agree).
  public func differsOnlyAtTies(_ other: ActivationPattern, tight: [Int]) -> Bool {
    let tightSet = Set(tight)
    for (site, element) in pattern.differences(from: other) {
      let rows = constraintsOf[SiteElement(site: site, element: element)] ?? []
      if !rows.contains(where: tightSet.contains) { return false }
    }
    return true
  }

  // MARK: Evaluation

  /// The exact evaluation of several points: per point its pattern and its body outputs.
  /// Without `outputs`, only the patterns are returned (the outputs' rationals are not built).
  public func exactEvaluation(_ points: [[Double]], outputs wanted: Bool = true) throws -> [(pattern: ActivationPattern, outputs: [String: [Rational]])] {
    guard !points.isEmpty else { return [] }
    let batch = try ExactTensor(exactly: stacked(points))
    let evaluation = plan.evaluate(batch)
    let patterns = plan.splitPattern(evaluation.pattern, copies: points.count)
    var outputs = [[String: [Rational]]](repeating: [:], count: points.count)
    for (name, value) in evaluation.outputs where wanted {
      let all = value.values
      let size = all.count / points.count
      for k in points.indices { outputs[k][name] = Array(all[(k * size)..<((k + 1) * size)]) }
    }
    return points.indices.map { (patterns[$0], outputs[$0]) }
  }

  /// The float32 core's patterns at several points. Each point is run on its own: a batched
  /// product (BLAS gemm) may round differently from a single one (gemv), and a report must not
  /// depend on which points shared a batch.
  public func floatPatterns(_ points: [[Double]]) throws -> [ActivationPattern] {
    try points.map { x in
      try subject.floatCore.run(DenseTensor<Double>(shape: [1] + x0.shape, elements: x).float32).pattern
    }
  }

  /// The float64 core's body outputs at several points (flat, per point), each run on its own
  /// (see ``floatPatterns(_:)``).
  public func doubleOutputs(_ points: [[Double]]) throws -> [[Double]] {
    try points.map { x in
      try subject.doubleCore.run(DenseTensor<Double>(shape: [1] + x0.shape, elements: x)).logits[plan.bodyOutputNames[0]]!.elements
    }
  }

  /// Aᵀ for a pattern, exactly (per body output; rows are inputs).
  public func exactLinear(_ pattern: ActivationPattern) -> [String: ExactTensor] {
    plan.evaluate(ExactTensor.identity(count: plan.inputCount, shape: x0.shape), mode: .fixed(pattern), offsets: false).outputs
  }

  /// Points stacked along a new leading dimension.
  func stacked(_ points: [[Double]]) -> DenseTensor<Double> {
    DenseTensor(shape: [points.count] + x0.shape, elements: points.flatMap { $0 })
  }
}

extension Plan {
  /// Splits the pattern of an evaluation of `copies` stacked inputs into one pattern per input.
  /// Elementwise and MaxPool sites store their choices copy by copy; an RNN site stores them
  /// time step by time step, each step holding every copy.
  public func splitPattern(_ pattern: ActivationPattern, copies: Int) -> [ActivationPattern] {
    if copies == 1 { return [pattern] }
    var result = [[[UInt8]]](repeating: [], count: copies)
    for (site, choices) in zip(sites, pattern.choices) {
      let count = choices.count / copies
      var isRNN = false
      if case .elementwise(_, _, let name) = site.kind, name == "RNN" { isRNN = true }
      if isRNN {
        let steps = site.shape[0]
        let chunk = count / steps
        for c in 0..<copies {
          var own: [UInt8] = []
          own.reserveCapacity(count)
          for t in 0..<steps {
            let start = (t * copies + c) * chunk
            own += choices[start..<(start + chunk)]
          }
          result[c].append(own)
        }
      } else {
        for c in 0..<copies { result[c].append(Array(choices[(c * count)..<((c + 1) * count)])) }
      }
    }
    return result.map { ActivationPattern(choices: $0) }
  }
}

/// A norm for balls of nearby inputs.
public enum Norm: String, Sendable, Codable, CaseIterable {
  case linf, l2

  /// `ℓ∞`, `ℓ₂`.
  public var symbol: String { self == .linf ? "ℓ∞" : "ℓ₂" }
}

/// A neuron: a pattern site and an element of its choices.
struct SiteElement: Hashable {
  var site: Int
  var element: Int
}
