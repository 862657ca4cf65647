import Foundation
import Inference
import Model

/// The affine layers a network starts with, P(x) = J·x + P(0), split off the rest (see
/// `Network.splitAfterAffinePrefix`): an input that differs from a known one in a few
/// coordinates gets P from a few rows of J instead of the whole layer (KernelSHAP's coalitions,
/// which replace a few players of a background row, or of x0).
struct AffinePrefix: Sendable {
  /// The number of P's outputs.
  let width: Int
  /// Jᵀ, [inputs, width]: row i is P's change per unit of input i.
  let transposedJacobian: [Double]
  /// The rest of the network, queried as the whole one is (same outputs and links).
  let suffix: ExplainedModel
  /// The suffix's input shape (P's output, without the copies dimension).
  let suffixShape: [Int]
  private let plan: Plan
  private let outputName: String

  /// Nil when the network does not start with affine layers, or J would be large (more than
  /// 2²⁴ entries).
  init?(_ model: ExplainedModel, shape: [Int]) throws {
    guard let (prefix, suffix) = try model.network.splitAfterAffinePrefix(inputShape: shape) else { return nil }
    plan = try Plan(prefix, inputShape: shape)
    outputName = prefix.outputNames[0]
    suffixShape = plan.shape(of: outputName) ?? []
    width = suffixShape.reduce(1, *)
    let n = plan.inputCount
    guard n * max(n, width) <= 1 << 24 else { return nil }
    let identity = DenseTensor<Double>(shape: [n] + shape) { out in for j in 0..<n { out[j * n + j] = 1 } }
    transposedJacobian = plan.evaluate(identity, mode: .discard, offsets: false).outputs[outputName]!.elements
    self.suffix = ExplainedModel(suffix, queryPrecision: model.queryPrecision)
  }

  /// P (in float64) at each of the inputs stored one after another in `points`.
  func values(_ points: [Double]) -> [Double] {
    let copies = points.count / plan.inputCount
    return plan.evaluate(DenseTensor(shape: [copies] + plan.inputShape, elements: points), mode: .discard).outputs[outputName]!.elements
  }
}

/// The affine prefixes of one network by input shape, built once.
final class AffinePrefixes: @unchecked Sendable {
  private var prefixes: [[Int]: AffinePrefix?] = [:]
  private let lock = NSLock()

  func prefix(of model: ExplainedModel, shape: [Int]) throws -> AffinePrefix? {
    lock.lock()
    defer { lock.unlock() }
    if let known = prefixes[shape] { return known }
    let prefix = try AffinePrefix(model, shape: shape)
    prefixes[shape] = .some(prefix)
    return prefix
  }
}
