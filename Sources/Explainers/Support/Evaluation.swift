import Foundation
import Inference
import Model

/// What a black-box explainer (LIME, KernelSHAP, occlusion) asks the network for.
public enum OutputTarget: String, Codable, Sendable, CaseIterable {
  /// The body output (the logit): the value OpenBox's A·x + c describes exactly.
  case logit
  /// The output after the model's link (Softmax, Sigmoid), as the reference LIME's
  /// `predict_proba` sees it; the same as `logit` for a model without a link.
  case probability
}

extension ExplainedModel {
  /// Number of inputs evaluated per float-core call.
  static let batchSize = 1024

  /// One output element for each of `count` body inputs stored one after another in `rows`
  /// (each of `shape`, the body input's shape), evaluated in batches by the float core in float64.
  public func outputs(_ rows: [Double], shape: [Int], output: Int, target: OutputTarget = .logit) throws -> [Double] {
    let size = shape.reduce(1, *)
    precondition(size > 0 && rows.count % size == 0, "rows do not hold whole inputs of shape \(shape)")
    let count = rows.count / size
    let body = outputName
    let graphOutput = target == .probability ? network.links.first { $0.input == body }?.output : nil
    // Fixed batches of `batchSize` inputs (so the values do not depend on the number of
    // threads), evaluated concurrently.
    let batches = (count + Self.batchSize - 1) / Self.batchSize
    let slots = BatchSlots(batches)
    DispatchQueue.concurrentPerform(iterations: batches) { b in
      let start = b * Self.batchSize
      let n = min(Self.batchSize, count - start)
      let result = Result { () throws -> [Double] in
        let batch = DenseTensor<Double>(shape: [n] + shape, elements: Array(rows[(start * size)..<((start + n) * size)]))
        let prediction = try core.run(batch)
        let tensor = graphOutput.flatMap { prediction.outputs[$0] } ?? prediction.logits[body]!
        let width = tensor.elements.count / n
        guard output >= 0, output < width else {
          throw ModelError("output index \(output) is out of range: '\(body)' has \(width) elements")
        }
        return (0..<n).map { tensor.elements[$0 * width + output] }
      }
      slots.lock.withLock { slots.results[b] = result }
    }
    var result: [Double] = []
    result.reserveCapacity(count)
    for slot in slots.results { result += try slot!.get() }
    return result
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
  var results: [Result<[Double], Error>?]
  let lock = NSLock()
  init(_ count: Int) { results = Array(repeating: nil, count: count) }
}
