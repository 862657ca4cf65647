import Foundation
import Inference
import Model

/// The precision black-box explainers query the network in.
public enum QueryPrecision: String, Codable, Sendable, CaseIterable {
  /// The precision of the model's parameters and of the float core's predictions, and what the
  /// reference packages get from onnxruntime: a black-box explainer's samples differ by far more
  /// than float32's rounding (about 1e-7 of the logits). Twice the SIMD width of float64.
  case float32
  /// The stored parameters evaluated in float64 (the precision of the gradient methods).
  case float64
}

/// What a black-box explainer (LIME, KernelSHAP, occlusion) asks the network for.
public enum OutputTarget: String, Codable, Sendable, CaseIterable {
  /// The body output (the logit): the value OpenBox's A·x + c describes exactly.
  case logit
  /// The output after the model's link (Softmax, Sigmoid), as the reference LIME's
  /// `predict_proba` sees it; the same as `logit` for a model without a link.
  case probability
}

extension ExplainedModel {
  /// The batches `count` inputs are evaluated in: an even number of nearly equal batches of at
  /// most 2048 inputs (large products amortize BLAS's packing of the weights; pairs keep two
  /// cores equally busy), fixed by `count` alone, so the values never depend on the machine.
  static func batches(_ count: Int) -> [Range<Int>] {
    let parts = 2 * ((count + 4095) / 4096)
    return (0..<parts).map { b in (b * count / parts)..<((b + 1) * count / parts) }.filter { !$0.isEmpty }
  }

  /// One output element for each of `count` body inputs stored one after another in `rows`
  /// (each of `shape`, the body input's shape), evaluated in batches by the float core in
  /// `precision` (default: the model's ``queryPrecision``).
  public func outputs(_ rows: [Double], shape: [Int], output: Int, target: OutputTarget = .logit,
                      precision: QueryPrecision? = nil) throws -> [Double] {
    try outputs(rows, shape: shape, outputs: [output], target: target, precision: precision)[0]
  }

  /// Several output elements of each input from one evaluation: `result[k][r]` is element
  /// `outputs[k]` at row r. The rows may be float32 already (an explainer that builds its
  /// queries in the precision it queries in).
  public func outputs<Input: DenseScalar>(_ rows: [Input], shape: [Int], outputs wanted: [Int], target: OutputTarget = .logit,
                                          precision: QueryPrecision? = nil) throws -> [[Double]] {
    let size = shape.reduce(1, *)
    precondition(size > 0 && rows.count % size == 0, "rows do not hold whole inputs of shape \(shape)")
    let count = rows.count / size
    let body = outputName
    let graphOutput = target == .probability ? network.links.first { $0.input == body }?.output : nil
    let precision = precision ?? queryPrecision
    // Fixed batches, each evaluated on one thread, concurrently.
    let batches = Self.batches(count)
    let slots = BatchSlots(batches.count)
    DispatchQueue.concurrentPerform(iterations: batches.count) { b in
      let (start, n) = (batches[b].lowerBound, batches[b].count)
      let result = Result { () throws -> [[Double]] in
        let batch = rows[(start * size)..<((start + n) * size)]
        let query: Query = (shape, n, wanted, graphOutput)
        switch precision {
        case .float32: return try outputs(of: batch, queryCore, query)
        case .float64: return try outputs(of: batch, core, query)
        }
      }
      slots.lock.withLock { slots.results[b] = result }
    }
    var result = [[Double]](repeating: [], count: wanted.count)
    for k in result.indices { result[k].reserveCapacity(count) }
    for slot in slots.results {
      for (k, values) in try slot!.get().enumerated() { result[k] += values }
    }
    return result
  }

  /// One batch's inputs (shape, count) and the output elements wanted (in the graph output after
  /// the link, or in the body output when nil).
  private typealias Query = (shape: [Int], count: Int, outputs: [Int], graphOutput: String?)

  @_specialize(where Input == Double, Scalar == Float)
  @_specialize(where Input == Double, Scalar == Double)
  @_specialize(where Input == Float, Scalar == Float)
  private func outputs<Input: DenseScalar, Scalar: DenseScalar>(of rows: ArraySlice<Input>, _ core: FloatCore<Scalar>,
                                                                _ query: Query) throws -> [[Double]] {
    let n = query.count
    let elements = [Scalar](unsafeUninitializedCapacity: rows.count) { out, initialized in
      rows.withUnsafeBufferPointer { rows in
        for i in 0..<rows.count { out[i] = Scalar(rows[i]) }
      }
      initialized = rows.count
    }
    let prediction = try core.run(DenseTensor<Scalar>(shape: [n] + query.shape, elements: elements), recording: false, concurrently: false)
    let body = outputName
    let tensor = query.graphOutput.flatMap { prediction.outputs[$0] } ?? prediction.logits[body]!
    let width = tensor.elements.count / n
    return try query.outputs.map { output in
      guard output >= 0, output < width else {
        throw ModelError("output index \(output) is out of range: '\(body)' has \(width) elements")
      }
      return (0..<n).map { Double(tensor.elements[$0 * width + output]) }
    }
  }

  /// The number of elements of the explained body output for an input of `shape`.
  public func outputCount(shape: [Int]) throws -> Int {
    let plan = try core.plan(for: shape)
    return plan.shape(of: outputName)?.reduce(1, *) ?? 0
  }

  /// The output element with the largest value at `x0` (the predicted class).
  public func predictedOutput(at x0: DenseTensor<Double>) throws -> Int {
    let prediction = try core.run(x0.reshaped([1] + x0.shape))
    let values = prediction.logits[outputName]!.elements
    if values.count == 1 { return 0 }
    return values.indices.max { values[$0] < values[$1] || (values[$0] == values[$1] && $0 > $1) }!
  }
}

/// Results of concurrently evaluated batches, written under a lock.
private final class BatchSlots: @unchecked Sendable {
  var results: [Result<[[Double]], Error>?]
  let lock = NSLock()
  init(_ count: Int) { results = Array(repeating: nil, count: count) }
}
