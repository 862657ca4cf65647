import DataIO
import Explainers
import Foundation
import Inference
import Model

/// The repository's Fixtures folder, found from this file.
let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path + "/Fixtures"

/// Each fixture model with its data file.
let fixtureModels: [(model: String, data: String)] = [
  ("digits_mlp", "digits_test"), ("digits_cnn", "digits_test_images"), ("digits_rnn", "digits_test_rows"),
  ("text_rnn", "text_test_ids"), ("tiny_leaky", "tiny_inputs"), ("tiny_clip", "tiny_inputs"),
  ("tiny_abs", "tiny_inputs"), ("tiny_prelu", "tiny_inputs"), ("tiny_mixed", "tiny_inputs"),
]

/// A fixture model and its first `count` examples as body inputs.
func loadFixture(_ name: String, data: String, count: Int = 3) throws -> (ExplainedModel, [DenseTensor<Double>]) {
  let network = try Network.load(contentsOf: "\(fixtures)/models/\(name).onnx")
  let array = try NumericArray.load(path: "\(fixtures)/data/\(data).npy")
  let bound = try network.bind(array, file: data)
  let examples = bound.examples(batchAxis: network.batchAxis, tokenIDs: network.embedding == nil ? nil : array.asDoubles)
  return (ExplainedModel(network), examples.prefix(count).map(\.input))
}

/// The largest absolute difference of two vectors.
func maxDifference(_ a: [Double], _ b: [Double]) -> Double {
  precondition(a.count == b.count, "lengths \(a.count) and \(b.count) differ")
  return zip(a, b).reduce(0) { max($0, abs($1.0 - $1.1)) }
}

/// A one-layer network `y = W·x + b` (a Gemm), built by re-targeting the first node of a fixture
/// (the Model module builds networks only from ONNX).
func linearNetwork(weights: [[Double]], bias: [Double]) throws -> Network {
  var network = try Network.load(contentsOf: "\(fixtures)/models/tiny_leaky.onnx")
  var node = network.nodes[0]
  let (outputs, inputs) = (weights.count, weights[0].count)
  node.operation = .dense(weight: Constant(shape: [outputs, inputs], values: weights.flatMap { $0 }),
                          bias: Constant(shape: [outputs], values: bias))
  node.inputs = [network.inputName]
  node.outputs = ["y"]
  network.nodes = [node]
  network.outputNames = ["y"]
  network.inputShape = [.symbolic("N"), .fixed(inputs)]
  return network
}

/// The same network with every bias, shift and initial state set to zero.
func biasFree(_ network: Network) -> Network {
  var copy = network
  for i in copy.nodes.indices {
    switch copy.nodes[i].operation {
    case .dense(let weight, _):
      copy.nodes[i].operation = .dense(weight: weight, bias: nil)
    case .conv(var conv):
      conv.bias = nil
      copy.nodes[i].operation = .conv(conv)
    case .channelAffine(let scale, let shift):
      copy.nodes[i].operation = .channelAffine(scale: scale, shift: Constant(shape: shift.shape, values: shift.values.map { _ in 0 }))
    case .shift(let c):
      copy.nodes[i].operation = .shift(Constant(shape: c.shape, values: c.values.map { _ in 0 }))
    case .rnn(var recurrence):
      recurrence.inputBias = nil
      recurrence.recurrentBias = nil
      recurrence.initialState = nil
      copy.nodes[i].operation = .rnn(recurrence)
    default:
      break
    }
  }
  return copy
}
