import Foundation
import Inference
import Model

/// Every value of a network's piecewise-linear body at one input, and its activation pattern:
/// what a backward pass reads.
///
/// The values come from the float core's own operator semantics (``Plan/evaluate``, in
/// float64 on the stored parameters), evaluated on a copy of the network whose outputs are all
/// of its values; nothing here re-implements a forward pass.
public struct Trace: Sendable {
  /// The plan of the traced copy of the network (its nodes are the network's nodes).
  public let plan: Plan
  /// Every value by name (one input: no copies dimension), in the value's flat order.
  public let values: [String: [Double]]
  /// The activation pattern the evaluation recorded (or followed, when one was given).
  public let pattern: ActivationPattern
  /// The body output explainers explain.
  public let outputName: String

  /// The shape of a value (without the copies dimension).
  public func shape(of name: String) -> [Int] { plan.shape(of: name) ?? [] }
}

/// Plans of the traced copy of a network, one per input shape.
final class TracePlans: @unchecked Sendable {
  private var plans: [[Int]: Plan] = [:]
  private let lock = NSLock()

  func plan(for network: Network, shape: [Int]) throws -> Plan {
    lock.lock()
    defer { lock.unlock() }
    if let plan = plans[shape] { return plan }
    var traced = network
    // Unused outputs (an RNN's `Y` when only `Y_h` is read) get names, so that they are kept.
    for (i, node) in traced.nodes.enumerated() {
      for (k, name) in node.outputs.enumerated() where name.isEmpty {
        traced.nodes[i].outputs[k] = "explainers.unnamed.\(i).\(k)"
      }
    }
    let linkOutputs = Set(network.links.map(\.output))
    traced.outputNames = traced.nodes.flatMap(\.outputs).filter { !$0.isEmpty && !linkOutputs.contains($0) }
    let plan = try Plan(traced, inputShape: shape)
    plans[shape] = plan
    return plan
  }
}

extension ExplainedModel {
  /// Evaluates every value of the body at `x0` (one body input), recording its activation
  /// pattern, or following `pattern` when one is given (then the values are those of that
  /// pattern's affine map at `x0`, wherever `x0` lies).
  public func trace(_ x0: DenseTensor<Double>, pattern: ActivationPattern? = nil) throws -> Trace {
    let plan = try tracePlans.plan(for: network, shape: x0.shape)
    let mode: PatternMode = pattern.map { .fixed($0) } ?? .record
    let evaluation = plan.evaluate(x0.reshaped([1] + x0.shape), mode: mode)
    var values = evaluation.outputs.mapValues(\.elements)
    values[network.bodyInputName] = x0.elements
    return Trace(plan: plan, values: values, pattern: evaluation.pattern, outputName: outputName)
  }
}
