import ArgumentParser
import Foundation
import DataIO
import Inference
import Model

struct Predict: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Run a model on inputs with the float core: outputs, predicted class, activation pattern.",
    discussion: """
      INPUTS is .npy, .csv or .json with the model's input shape (symbolic dimensions take any \
      size), or that shape with one more leading dimension stacking several inputs.

      Examples:
        explaincert predict Fixtures/models/digits_mlp.onnx Fixtures/data/digits_test.npy
        explaincert predict Fixtures/models/digits_cnn.onnx Fixtures/data/digits_test_images.npy --output logits.npy
        explaincert predict Fixtures/models/text_rnn.onnx Fixtures/data/text_test_ids.npy --json

      With --json, `patterns` holds each example's activation pattern (one string per site, one \
      character per element: the piece chosen, 0 = first); equal patterns mean the same region.
      """)

  @Argument(help: "The ONNX model file.")
  var model: String

  @Argument(help: "The inputs (.npy, .csv or .json).")
  var inputs: String

  @Option(help: "Write the model's first output to this .npy file (float32; float64 for a float64 model or with --double).")
  var output: String?

  @Flag(help: "Compute in float64 instead of the model's float32 (a float64 model always does).")
  var double = false

  @Flag(help: "Print JSON instead of text.")
  var json = false

  func run() throws {
    try reportingErrors {
      try OutputGuard.refuse([("--output", output)], toOverwrite: [model, inputs])
      let network = try Network.load(contentsOf: model)
      let array = try NumericArray.load(path: inputs)
      let bound = try network.bind(array, file: inputs)
      // A float64 model computes in float64, as does --double.
      let double = double || network.isFloat64
      var report = double
        ? try PredictionReport(FloatCore<Double>(network).run(bound.tensor), bound: bound, network: network)
        : try PredictionReport(FloatCore<Float>(network).run(bound.tensor.float32), bound: bound, network: network)
      if json {
        let examples = bound.examples(batchAxis: network.batchAxis, tokenIDs: network.embedding == nil ? nil : array.asDoubles)
        report.patterns = try examples.map { example in
          let one = example.input.reshaped([1] + example.input.shape)
          return try (double ? FloatCore<Double>(network).run(one).pattern : FloatCore<Float>(network).run(one.float32).pattern).texts
        }
      }
      if let output {
        let first = report.outputs[0]
        try NumericArray(shape: first.shape, elements: double ? .float64(first.values) : .float32(first.values.map { Float($0) })).writeNPY(path: output)
      }
      emit(json ? try jsonText(report) : report.text)
    }
  }
}

/// What `predict` reports.
struct PredictionReport: Encodable {
  struct Output: Encodable {
    var name: String
    var shape: [Int]
    var values: [Double]
  }
  struct Site: Encodable {
    var node: String
    var `operator`: String
    /// Elements on a piece other than the first (ReLU active, Clip not saturated low, ...).
    var active: Int
    var total: Int
    var ties: Int
  }

  var inputs: Int
  var outputs: [Output]
  /// The argmax of the first output's last axis, per row (or the 0.5 threshold of a single
  /// probability).
  var predictedClasses: [Int]
  var pattern: [Site]
  /// With --json: per example (batch entries included), per site, its choices as text
  /// (`ActivationPattern.texts`): two examples with equal texts lie in the same region.
  var patterns: [[String]]?

  init<Scalar: DenseScalar>(_ prediction: Prediction<Scalar>, bound: BoundInput, network: Network) {
    inputs = bound.copies
    outputs = network.outputNames.map { name in
      let tensor = prediction.outputs[name]!
      let shape = bound.copies == 1 ? Array(tensor.shape.dropFirst()) : tensor.shape
      return Output(name: name, shape: shape, values: tensor.elements.map { Double($0) })
    }
    let first = outputs[0]
    let width = first.shape.last ?? 1
    predictedClasses = stride(from: 0, to: first.values.count, by: max(width, 1)).map { start in
      let row = first.values[start..<(start + width)]
      if width == 1 { return row[start] > (network.links.isEmpty ? 0 : 0.5) ? 1 : 0 }
      return row.indices.max { row[$0] < row[$1] }! - start
    }
    pattern = zip(prediction.plan.sites, zip(prediction.pattern.choices, prediction.ties)).map { site, entry in
      Site(node: site.node, operator: site.operatorName, active: entry.0.filter { $0 > 0 }.count, total: entry.0.count, ties: entry.1)
    }
  }

  var text: String {
    var lines: [String] = []
    for output in outputs {
      lines.append("\(output.name) \(output.shape)")
      let width = output.shape.last ?? 1
      for (row, start) in stride(from: 0, to: output.values.count, by: max(width, 1)).enumerated().prefix(20) {
        let values = output.values[start..<(start + width)].map { String(format: "%.6g", $0) }.joined(separator: " ")
        lines.append("  [\(row)] \(values)" + (output.name == outputs[0].name ? "  → class \(predictedClasses[row])" : ""))
      }
      if output.values.count / max(width, 1) > 20 { lines.append("  … (\(output.values.count / max(width, 1)) rows; --json or --output for all)") }
    }
    lines.append("activation pattern (\(inputs) input\(inputs == 1 ? "" : "s")):")
    for site in pattern {
      lines.append("  \(site.node) \(site.operator): \(site.active)/\(site.total) on a non-first piece, \(site.ties) ties")
    }
    return lines.joined(separator: "\n")
  }
}
