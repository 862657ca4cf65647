import Inference
import Model

/// A method that explains one output of a network at one input.
///
/// Implementations are deterministic given `seed`: the same model, input, output, settings and
/// seed give the same explanation, bit for bit.
public protocol Explainer: Sendable {
  /// The method's name as the command line spells it.
  var method: String { get }

  /// Explains body output `output` (a flat index into the body's first output) at `x0`, one body
  /// input without the copies dimension.
  func explain(_ model: ExplainedModel, at x0: DenseTensor<Double>, output: Int, seed: UInt64) throws -> Explanation

  /// Explains each of `outputs` at `x0`: what `explain(_:at:output:seed:)` gives for each (a
  /// method may share work between them, as LIME shares its samples).
  func explain(_ model: ExplainedModel, at x0: DenseTensor<Double>, outputs: [Int], seed: UInt64) throws -> [Explanation]
}

extension Explainer {
  public func explain(_ model: ExplainedModel, at x0: DenseTensor<Double>, outputs: [Int], seed: UInt64) throws -> [Explanation] {
    try outputs.map { try explain(model, at: x0, output: $0, seed: seed) }
  }
}

/// A network with its float core, as explainers see it.
public struct ExplainedModel: Sendable {
  public let network: Network
  /// Float64 evaluation, for the gradient and relevance methods and OpenBox.
  public let core: FloatCore<Double>
  /// Float32 evaluation, for black-box queries in float32.
  let queryCore: FloatCore<Float>
  /// The precision of black-box queries (LIME, KernelSHAP, occlusion): see
  /// ``outputs(_:shape:output:target:precision:)``.
  public let queryPrecision: QueryPrecision
  /// Plans of the traced copy of the network (every value kept), for backward passes.
  let tracePlans = TracePlans()
  /// The network's leading affine layers, split off, by input shape.
  let affinePrefixes = AffinePrefixes()

  public init(_ network: Network, queryPrecision: QueryPrecision = .float32) {
    self.network = network
    self.queryPrecision = queryPrecision
    core = FloatCore<Double>(network)
    queryCore = FloatCore<Float>(network)
  }

  /// The name of the piecewise-linear body output that explainers explain (the logits).
  /// The graph's first output, or the input of the output link that computes it.
  public var outputName: String {
    let first = network.outputNames[0]
    return network.links.first { $0.output == first }?.input ?? first
  }
}
