import ArgumentParser
import Certification
import DataIO
import Explainers
import Dispatch
import Foundation
import Inference
import Model
import Regions

struct Bench: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Measure the float core on a model: single-input latency and batch throughput (JSON).",
    discussion: """
      Use a release build. `Benchmarks/run.py` runs this beside onnxruntime in the same run and \
      writes the ratios to BENCHMARKS.md.

      Example:
        swift build -c release && .build/release/explaincert bench Fixtures/models/digits_mlp.onnx
      """)

  @Argument(help: "The ONNX model file.")
  var model: String

  @Option(help: "Calls for the single-input latency.")
  var calls = 2000

  @Option(help: "Inputs in one batch for the throughput.")
  var batch = 1000

  @Option(help: "Seed of the random inputs.")
  var seed: UInt64 = 0

  @Flag(help: "Measure the exact certificate (A, c, G, h, radii) against the float extraction of the same region instead.")
  var certificate = false

  @Option(help: ArgumentHelp(
    "Measure the explainers instead: seconds per explanation of LIME (tabular, its defaults), KernelSHAP and OpenBox, on the first examples of this data file (inputs of the model; also LIME's training data).",
    valueName: "DATA"))
  var explainers: String?

  @Option(help: "With --explainers: how many explanations (examples 0, 1, ...) per method; the median is reported.")
  var explanations = 5

  @Option(help: "With --explainers: LIME's samples per explanation.")
  var limeSamples = 5000

  @Option(help: "With --explainers: KernelSHAP's background (the first K examples of DATA).")
  var shapBackground = 10

  @Option(help: "With --explainers: KernelSHAP's coalitions (default: its own, 2M + 2048).")
  var shapSamples: Int?

  func run() throws {
    try reportingErrors {
      if certificate { return try benchCertificate() }
      if let explainers { return try benchExplainers(explainers) }
      let network = try Network.load(contentsOf: model)
      let core = FloatCore<Float>(network)
      var generator = SeededGenerator(seed: seed)
      let single = try network.bind(randomInput(network, batch: 1, &generator), file: model).tensor.float32
      _ = try core.run(single)
      var latencies: [Double] = []
      for _ in 0..<calls {
        let start = DispatchTime.now().uptimeNanoseconds
        _ = try core.run(single)
        latencies.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1000)
      }
      latencies.sort()
      let batched = try network.bind(randomInput(network, batch: batch, &generator), file: model).tensor.float32
      _ = try core.run(batched)
      var rates: [Double] = []
      for _ in 0..<5 {
        let start = DispatchTime.now().uptimeNanoseconds
        _ = try core.run(batched)
        rates.append(Double(batch) / (Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9))
      }
      rates.sort()
      let result: [String: Double] = [
        "latency_median_us": latencies[latencies.count / 2],
        "latency_p10_us": latencies[latencies.count / 10],
        "latency_p90_us": latencies[latencies.count * 9 / 10],
        "throughput_per_s": rates[rates.count / 2],
        "batch": Double(batch),
        "seed": Double(seed),
      ]
      emit(try jsonText(result))
    }
  }

  /// Times the full exact certificate of one random input and the float64 extraction of the
  /// same region (A, c, G, h), in one run; reports the ratio and the peak memory.
  func benchCertificate() throws {
    let certifier = try Certifier(modelPath: model)
    var generator = SeededGenerator(seed: seed)
    let bound = try certifier.network.bind(randomInput(certifier.network, batch: 1, &generator), file: model)
    let x0 = bound.input(0)
    func seconds(_ body: () throws -> Void) rethrows -> Double {
      let start = DispatchTime.now().uptimeNanoseconds
      try body()
      return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }
    var certificate: Certificate?
    let first = try seconds { certificate = try certifier.certify(x0) }
    // Each certificate alternates with one that does not check BLAS's digit products: what the
    // checks cost, under the same load.
    var exact: [Double] = [], unchecked: [Double] = []
    defer { DigitProductChecks.areEnabled = true }
    for _ in 0..<9 {
      DigitProductChecks.areEnabled = true
      exact.append(try seconds { _ = try certifier.certify(x0) })
      DigitProductChecks.areEnabled = false
      unchecked.append(try seconds { _ = try certifier.certify(x0) })
    }
    DigitProductChecks.areEnabled = true
    let plan = try certifier.core.plan(for: x0.shape)
    let pattern = plan.evaluate(x0.reshaped([1] + x0.shape)).pattern
    let n = plan.inputCount
    var float: [Double] = []
    for _ in 0..<5 {
      float.append(seconds {
        let identity = DenseTensor<Double>(shape: [n] + x0.shape) { out in for j in 0..<n { out[j * n + j] = 1 } }
        _ = plan.region(pattern: pattern, unitVectors: identity)
      })
    }
    exact.sort()
    unchecked.sort()
    float.sort()
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    let result: [String: Double] = [
      "exact_certificate_first_s": first,
      "exact_certificate_median_s": exact[4],
      "float_extraction_median_s": float[2],
      "exact_over_float": exact[4] / float[2],
      "unchecked_certificate_median_s": unchecked[4],
      "blas_product_checks_share": exact[4] / unchecked[4] - 1,
      "constraints": Double(certificate?.constraints ?? 0),
      "inputs": Double(n),
      "peak_memory_mib": Double(usage.ru_maxrss) / 1024,
      "seed": Double(seed),
    ]
    emit(try jsonText(result))
  }

  /// Times LIME (tabular, quartile discretization, `--lime-samples`, 10 features, as the
  /// reference's defaults), KernelSHAP (the first `--shap-background` examples as background,
  /// `--shap-samples` coalitions) and OpenBox on examples 0, 1, … of `path`, explaining the class
  /// predicted at example 0 (as `Tools/lime_reference.py --bench` and `Tools/shap_reference.py`).
  /// The explainers' construction (LIME's training statistics) is outside the timed part.
  func benchExplainers(_ path: String) throws {
    let network = try Network.load(contentsOf: model)
    let explained = ExplainedModel(network)
    let array = try NumericArray.load(path: path)
    let examples = try network.bind(array, file: path).examples(batchAxis: network.batchAxis, tokenIDs: nil).map(\.input)
    guard !examples.isEmpty, explanations >= 1 else { throw UsageError("--explainers: no examples to explain") }
    let rows = examples.map(\.elements)
    let shape = examples[0].shape
    let output = try explained.predictedOutput(at: examples[0])
    let lime = try ExplainerRegistry.make("lime", model: explained, shape: shape, samples: limeSamples, data: rows)
    let background = Array(rows.prefix(max(1, shapBackground)))
    let shap = try ExplainerRegistry.make("kernelshap", model: explained, shape: shape, samples: shapSamples, data: background)
    let openBox = try ExplainerRegistry.make("openbox", model: explained, shape: shape)
    func seconds(_ explainer: any Explainer) throws -> (median: Double, all: [Double], last: Explanation) {
      var times: [Double] = []
      var last: Explanation?
      _ = try explainer.explain(explained, at: examples[0], output: output, seed: 0)  // warm-up (plans, caches)
      for k in 0..<explanations {
        let start = DispatchTime.now().uptimeNanoseconds
        last = try explainer.explain(explained, at: examples[k % examples.count], output: output, seed: UInt64(k))
        times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
      }
      return (times.sorted()[times.count / 2], times, last!)
    }
    let (limeTime, shapTime, openBoxTime) = (try seconds(lime), try seconds(shap), try seconds(openBox))
    let coalitions = shapTime.last.diagnostics["coalitions"] ?? 0
    let result = ExplainerTimes(
      features: rows[0].count, output: output, explanations: explanations, limeSamples: limeSamples,
      limeSecondsMedian: limeTime.median, limeSeconds: limeTime.all,
      kernelshapBackground: background.count, kernelshapCoalitions: Int(coalitions),
      kernelshapEvaluations: (Int(coalitions) + 2) * background.count,
      kernelshapSecondsMedian: shapTime.median, kernelshapSeconds: shapTime.all,
      openboxSecondsMedian: openBoxTime.median, openboxSeconds: openBoxTime.all)
    emit(try jsonText(result))
  }

  /// Uniform [0, 1) inputs (or token ids) of the declared shape; the first symbolic dimension
  /// is the batch, other symbolic dimensions are 10; a fixed-shape model gets a stack.
  func randomInput(_ network: Network, batch: Int, _ generator: inout SeededGenerator) -> NumericArray {
    var shape: [Int] = []
    var batched = false
    for dimension in network.inputShape {
      switch dimension {
      case .fixed(let size): shape.append(size)
      case .symbolic:
        shape.append(batched ? 10 : batch)
        batched = true
      }
    }
    if !batched && batch > 1 { shape.insert(batch, at: 0) }
    let count = shape.reduce(1, *)
    if let embedding = network.embedding {
      return NumericArray(shape: shape, elements: .int64((0..<count).map { _ in Int64(generator.next() % UInt64(embedding.vocabularySize)) }))
    }
    return NumericArray(shape: shape, elements: .float32((0..<count).map { _ in Float(generator.uniform()) }))
  }
}

/// What `bench --explainers` prints.
struct ExplainerTimes: Encodable {
  var features, output, explanations, limeSamples: Int
  var limeSecondsMedian: Double
  var limeSeconds: [Double]
  var kernelshapBackground, kernelshapCoalitions, kernelshapEvaluations: Int
  var kernelshapSecondsMedian: Double
  var kernelshapSeconds: [Double]
  var openboxSecondsMedian: Double
  var openboxSeconds: [Double]

  enum CodingKeys: String, CodingKey {
    case features, output, explanations
    case limeSamples = "lime_samples", limeSecondsMedian = "lime_seconds_median", limeSeconds = "lime_seconds"
    case kernelshapBackground = "kernelshap_background", kernelshapCoalitions = "kernelshap_coalitions"
    case kernelshapEvaluations = "kernelshap_evaluations", kernelshapSecondsMedian = "kernelshap_seconds_median"
    case kernelshapSeconds = "kernelshap_seconds", openboxSecondsMedian = "openbox_seconds_median", openboxSeconds = "openbox_seconds"
  }
}
