import Foundation
import Model

/// The float inference core: evaluates a network in float32 or float64 and records the
/// activation pattern of every piecewise-linear operator.
///
/// Plans (index maps for one input shape) are built once per shape and cached; the core is safe
/// to use from several threads.
public final class FloatCore<Scalar: DenseScalar>: @unchecked Sendable {
  public let network: Network
  private var plans: [[Int]: Plan] = [:]
  private let lock = NSLock()

  public init(_ network: Network) {
    self.network = network
  }

  /// The plan for a body input of the given shape (without the copies dimension).
  public func plan(for shape: [Int]) throws -> Plan {
    lock.lock()
    defer { lock.unlock() }
    if let plan = plans[shape] { return plan }
    let plan = try Plan(network, inputShape: shape)
    plans[shape] = plan
    return plan
  }

  /// Runs the network on inputs stacked along a leading copies dimension (`input.shape` = copies
  /// followed by the body's input shape). Without `recording`, the prediction's pattern and ties
  /// are empty (the values only, as black-box queries need them). A large batch is spread over
  /// the cores in chunks of ``chunkRows`` unless `concurrently` is false (a caller that spreads
  /// its own batches).
  @_specialize(where Scalar == Float)
  @_specialize(where Scalar == Double)
  public func run(_ input: DenseTensor<Scalar>, recording: Bool = true, concurrently: Bool = true) throws -> Prediction<Scalar> {
    let plan = try plan(for: Array(input.shape.dropFirst()))
    let mode: PatternMode = recording ? .record : .discard
    let chunked = concurrently && input.shape[0] >= 2 * Self.chunkRows
    let evaluation = chunked ? Self.evaluateInChunks(plan, input, mode: mode) : plan.evaluate(input, mode: mode)
    var outputs: [String: DenseTensor<Scalar>] = [:]
    for name in network.outputNames {
      if let link = network.links.first(where: { $0.output == name }) {
        outputs[name] = link.link.apply(to: evaluation.outputs[link.input]!)
      } else {
        outputs[name] = evaluation.outputs[name]!
      }
    }
    return Prediction(plan: plan, outputs: outputs, logits: evaluation.outputs, pattern: evaluation.pattern, ties: evaluation.ties)
  }

  /// Inputs per chunk when ``run(_:)`` spreads a large batch over the cores. Fixed (not derived
  /// from the number of cores), so a batch's values never depend on the machine's cores.
  public static var chunkRows: Int { 256 }

  /// `plan.evaluate(input)` on consecutive chunks of ``chunkRows`` inputs, concurrently, joined
  /// into one evaluation (outputs and patterns in input order, ties summed). Every output is
  /// computed in the same order whatever the chunking: the parallelism is over whole chunks.
  static func evaluateInChunks(_ plan: Plan, _ input: DenseTensor<Scalar>, mode: PatternMode) -> Evaluation<DenseTensor<Scalar>> {
    let copies = input.shape[0]
    let valueShape = Array(input.shape.dropFirst())
    let size = valueShape.reduce(1, *)
    let chunks = (copies + chunkRows - 1) / chunkRows
    let slots = ChunkSlots<Evaluation<DenseTensor<Scalar>>>(chunks)
    DispatchQueue.concurrentPerform(iterations: chunks) { c in
      let start = c * chunkRows
      let n = min(chunkRows, copies - start)
      let chunk = DenseTensor(shape: [n] + valueShape, elements: Array(input.elements[(start * size)..<((start + n) * size)]))
      slots.set(c, plan.evaluate(chunk, mode: mode))
    }
    let parts = slots.values
    var outputs: [String: DenseTensor<Scalar>] = [:]
    for (name, first) in parts[0].outputs {
      var elements: [Scalar] = []
      elements.reserveCapacity(first.elements.count / first.shape[0] * copies)
      for part in parts { elements += part.outputs[name]!.elements }
      outputs[name] = DenseTensor(shape: [copies] + first.shape.dropFirst(), elements: elements)
    }
    if case .discard = mode { return Evaluation(outputs: outputs, pattern: ActivationPattern(choices: []), ties: []) }
    var choices: [[UInt8]] = []
    for (s, site) in plan.sites.enumerated() {
      var joined: [UInt8] = []
      joined.reserveCapacity(parts.reduce(0) { $0 + $1.pattern.choices[s].count })
      if case .elementwise(_, _, let name) = site.kind, name == "RNN" {
        // An RNN's choices are [time step][copy][...]: join each step's copies.
        let steps = site.shape[0]
        for t in 0..<steps {
          for part in parts {
            let step = part.pattern.choices[s].count / steps
            joined += part.pattern.choices[s][(t * step)..<((t + 1) * step)]
          }
        }
      } else {
        for part in parts { joined += part.pattern.choices[s] }
      }
      choices.append(joined)
    }
    let ties = parts.dropFirst().reduce(parts[0].ties) { total, part in zip(total, part.ties).map { $0 + $1 } }
    return Evaluation(outputs: outputs, pattern: ActivationPattern(choices: choices), ties: ties)
  }

  /// The Jacobian of each body output with respect to the body input at `x0` (one input, no
  /// copies dimension), computed exactly as the float core would: by evaluating the linear part
  /// of x0's region on the unit vectors. Rows are outputs, columns inputs.
  @_specialize(where Scalar == Float)
  @_specialize(where Scalar == Double)
  public func jacobian(at x0: DenseTensor<Scalar>) throws -> [String: DenseTensor<Scalar>] {
    let plan = try plan(for: x0.shape)
    let pattern = plan.evaluate(x0.reshaped([1] + x0.shape)).pattern
    let n = plan.inputCount
    let identity = DenseTensor<Scalar>(shape: [n] + x0.shape) { out in
      for j in 0..<n { out[j * n + j] = 1 }
    }
    let columns = plan.evaluate(identity, mode: .fixed(pattern), offsets: false).outputs
    return columns.mapValues { value in
      let outputs = value.elements.count / n
      return DenseTensor(shape: [outputs, n]) { out in
        for j in 0..<n {
          for i in 0..<outputs { out[i * n + j] = value.elements[j * outputs + i] }
        }
      }
    }
  }

  /// `vᵀ · J` for a body output at `x0`: the gradient of `v · output`.
  public func vectorJacobianProduct(at x0: DenseTensor<Scalar>, output: String, vector v: [Scalar]) throws -> [Scalar] {
    guard let jacobian = try jacobian(at: x0)[output] else {
      throw ModelError("'\(output)' is not an output of the piecewise-linear body")
    }
    let (rows, n) = (jacobian.shape[0], jacobian.shape[1])
    guard v.count == rows else { throw ModelError("vector has \(v.count) entries, output '\(output)' has \(rows)") }
    var result = [Scalar](repeating: 0, count: n)
    for i in 0..<rows where v[i] != 0 {
      for j in 0..<n { result[j] += v[i] * jacobian.elements[i * n + j] }
    }
    return result
  }
}

/// What the float core computed for a batch of inputs.
public struct Prediction<Scalar: DenseScalar> {
  public var plan: Plan
  /// The graph's outputs by name (after any output link).
  public var outputs: [String: DenseTensor<Scalar>]
  /// The piecewise-linear body's outputs (before the output links).
  public var logits: [String: DenseTensor<Scalar>]
  public var pattern: ActivationPattern
  /// Per site, elements exactly at a breakpoint.
  public var ties: [Int]
}

/// Results of concurrently evaluated chunks, written under a lock.
private final class ChunkSlots<T>: @unchecked Sendable {
  private var slots: [T?]
  private let lock = NSLock()
  init(_ count: Int) { slots = Array(repeating: nil, count: count) }
  func set(_ index: Int, _ value: T) { lock.withLock { slots[index] = value } }
  var values: [T] { lock.withLock { slots.map { $0! } } }
}
