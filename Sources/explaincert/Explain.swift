import ArgumentParser
import DataIO
import Explainers
import Foundation
import Inference
import Model

struct Explain: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Explain a model's output at each input with one method; print the top features and write the Explanation JSON.",
    discussion: """
      Methods: \(ExplainerRegistry.names.joined(separator: ", ")).

      The explained value is the piecewise-linear body's output (the logits; token models are \
      explained in their embedding space) at --output-index (default: the predicted class). \
      Seeded methods (lime, sampled kernelshap) give the same explanation for the same --seed.

      Settings (--setting key=value, repeatable):
      \(ExplainerRegistry.methods.filter { !$0.settings.isEmpty }.map { "  \($0.name): \($0.settings.joined(separator: ", "))" }.joined(separator: "\n"))

      Tabular LIME takes its training statistics from --training (default: the INPUTS' own \
      examples); KernelSHAP's background is zeros unless --background is given.

      Examples:
        explaincert explain Fixtures/models/digits_mlp.onnx Fixtures/data/digits_test.npy --method lime --seed 7 --output lime.json
        explaincert explain Fixtures/models/digits_cnn.onnx x0.npy --method lrp-alpha-beta --setting alpha=2 --setting beta=1
        explaincert explain Fixtures/models/text_rnn.onnx Fixtures/data/text_test_ids.npy --method openbox --json
      """)

  @Argument(help: "The ONNX model file.")
  var model: String

  @Argument(help: "The input(s) (.npy, .csv or .json); several inputs stack along a leading dimension.")
  var inputs: String

  @Option(help: "The explanation method.")
  var method: String

  @Option(name: .customLong("output-index"), help: "The body output element to explain (default: the predicted class).")
  var outputIndex: Int?

  @Flag(help: "Explain every element of the body output (every class), one explanation each; LIME draws and evaluates its samples once for all, as the reference's labels.")
  var allOutputs = false

  @Option(help: "Seed of every random choice.")
  var seed: UInt64 = 0

  @Option(help: "Parallel jobs (default: the number of cores).")
  var jobs: Int?

  @Option(help: "Samples for lime and kernelshap (default: theirs: 5000, 1000 for image LIME, 2M+2048 coalitions).")
  var samples: Int?

  @Option(name: .customLong("setting"), help: "A method setting key=value (repeatable).")
  var settings: [String] = []

  @Option(help: ArgumentHelp(
    "Precision of the black-box queries of lime, kernelshap and occlusion: float32 (the model's own, as the reference packages query onnxruntime) or float64.",
    valueName: "float32|float64"))
  var queries = "float32"

  @Option(help: "Training data for tabular LIME's statistics (.npy, .csv, .json; inputs of the model).")
  var training: String?

  @Option(help: "Background data for KernelSHAP (inputs of the model).")
  var background: String?

  @Option(help: "Explain only this example of INPUTS (0-based).")
  var example: Int?

  @Option(help: "How many top features to print.")
  var top: Int = 10

  @Flag(help: "Print the explanation(s) as JSON instead of text.")
  var json = false

  @Option(help: "Write the explanation(s) as JSON to this file (one object for one input, else an array).")
  var output: String?

  func validate() throws {
    try validateSamples(samples)
  }

  func run() throws {
    try reportingErrors {
      try OutputGuard.refuse([("--output", output)], toOverwrite: [model, inputs] + [training, background].compactMap { $0 })
      guard let precision = QueryPrecision(rawValue: queries) else {
        throw UsageError("--queries must be float32 or float64, got '\(queries)'")
      }
      guard !(allOutputs && outputIndex != nil) else { throw UsageError("--all-outputs and --output-index exclude each other") }
      let network = try Network.load(contentsOf: model)
      let explained = ExplainedModel(network, queryPrecision: precision)
      let array = try NumericArray.load(path: inputs)
      let bound = try network.bind(array, file: inputs)
      var examples = bound.examples(batchAxis: network.batchAxis, tokenIDs: network.embedding == nil ? nil : array.asDoubles)
      if let example {
        guard example >= 0, example < examples.count else {
          throw UsageError("\(inputs): --example \(example) is out of range (the file holds \(examples.count) inputs)")
        }
        examples = [examples[example]]
      }
      let settings = try parseSettings()
      let shape = examples[0].input.shape
      let data: [[Double]]?
      switch method {
      case "lime":
        data = try training.map { try rows(from: $0, network: network) } ?? bound.examples(batchAxis: network.batchAxis, tokenIDs: nil).map(\.input.elements)
      case "kernelshap":
        data = try background.map { try rows(from: $0, network: network) }
      default:
        data = nil
      }
      let explainer: any Explainer
      do {
        explainer = try ExplainerRegistry.make(method, model: explained, shape: shape, settings: settings, samples: samples, data: data)
      } catch let error as ExplainerError {
        throw UsageError("--method \(method): \(error.message)")
      }
      warnAboutFewTrainingRows(of: explainer, source: training ?? "the inputs, \(inputs)")
      let chosen = examples
      let allOutputs = self.allOutputs
      let results = parallelMap(chosen.count, jobs: try jobCount(jobs)) { k in
        let x0 = chosen[k].input
        let outputs = allOutputs ? Array(0..<(try explained.outputCount(shape: x0.shape))) : [try outputIndex ?? explained.predictedOutput(at: x0)]
        return try explainer.explain(explained, at: x0, outputs: outputs, seed: seed)
      }
      // Explanations in input order (and output order within an input), with their input.
      var explanations: [(example: Int, explanation: Explanation)] = []
      for (k, result) in results.enumerated() {
        switch result {
        case .success(let list): explanations += list.map { (k, $0) }
        case .failure(let error): throw UsageError("\(model): input \(example ?? k): \(error)")
        }
      }
      let text = explanations.count == 1 ? try jsonText(explanations[0].explanation) : try jsonText(explanations.map(\.explanation))
      if let output { try writeAtomically(text, to: output) }
      if json {
        emit(text)
      } else {
        for (k, explanation) in explanations {
          emit(summary(explanation, index: example ?? k, tokens: examples[k].tokens, network: network))
        }
      }
    }
  }

  /// `key=value` settings.
  func parseSettings() throws -> [String: String] {
    var result: [String: String] = [:]
    for setting in settings {
      let parts = setting.split(separator: "=", maxSplits: 1).map(String.init)
      guard parts.count == 2, !parts[0].isEmpty else { throw UsageError("--setting must be key=value, got '\(setting)'") }
      result[parts[0]] = parts[1]
    }
    return result
  }

  /// The body inputs of a data file, one row per example.
  func rows(from path: String, network: Network) throws -> [[Double]] {
    let array = try NumericArray.load(path: path)
    let bound = try network.bind(array, file: path)
    return bound.examples(batchAxis: network.batchAxis, tokenIDs: network.embedding == nil ? nil : array.asDoubles).map(\.input.elements)
  }

  func summary(_ e: Explanation, index: Int, tokens: [Int]?, network: Network) -> String {
    var lines = ["input \(index): \(e.method), output \(e.output)" + (e.diagnostics["outputValue"] ?? e.diagnostics["prediction"]).map { String(format: " (value %.6g)", $0) }.orEmpty
                 + (e.seed.map { ", seed \($0)" }.orEmpty) + (e.settings["queries"].map { ", \($0) queries" }.orEmpty)]
    // Token models: one relevance per token (the sum over its embedding coordinates).
    var values = e.relevance
    var names: [String]
    let shape = e.inputShape
    if let tokens, let width = shape.last, network.embedding != nil {
      values = stride(from: 0, to: e.relevance.count, by: width).map { e.relevance[$0..<($0 + width)].reduce(0, +) }
      names = tokens.enumerated().map { "token \($0.offset) (id \($0.element))" }
      if names.count != values.count { names = values.indices.map { "token \($0)" } }
    } else if shape.count == 4 {
      let (c, h, w) = (shape[1], shape[2], shape[3])
      names = values.indices.map { i in "pixel (c \((i / (h * w)) % c), y \((i / w) % h), x \(i % w))" }
    } else {
      let strides = shape.indices.map { shape[($0 + 1)...].reduce(1, *) }
      names = values.indices.map { i in "feature \(i)" + (shape.count > 1 ? " " + shape.indices.map { String((i / strides[$0]) % shape[$0]) }.joined(separator: ",").bracketed : "") }
    }
    let shown = min(top, values.count)
    lines.append("  top \(shown) of \(values.count) by |relevance|:")
    for i in Metrics.topK(values, shown) {
      lines.append("    \(names[i])  " + String(format: "%+.6g", values[i]))
    }
    let diagnostics = e.diagnostics.sorted { $0.key < $1.key }.map { "\($0.key) " + String(format: "%.6g", $0.value) }
    if !diagnostics.isEmpty { lines.append("  " + diagnostics.joined(separator: ", ")) }
    if let s = e.surrogate {
      lines.append("  surrogate: \(s.weights.count) weights on \(s.features.rawValue), intercept \(String(format: "%.6g", s.intercept))")
    }
    return lines.joined(separator: "\n")
  }
}

extension Optional where Wrapped == String {
  fileprivate var orEmpty: String { self ?? "" }
}

extension String {
  fileprivate var bracketed: String { "[" + self + "]" }
}
