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

  func run() throws {
    try reportingErrors {
      if certificate { return try benchCertificate() }
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
    var exact: [Double] = []
    for _ in 0..<5 { exact.append(try seconds { _ = try certifier.certify(x0) }) }
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
    float.sort()
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    let result: [String: Double] = [
      "exact_certificate_first_s": first,
      "exact_certificate_median_s": exact[2],
      "float_extraction_median_s": float[2],
      "exact_over_float": exact[2] / float[2],
      "constraints": Double(certificate?.constraints ?? 0),
      "inputs": Double(n),
      "peak_memory_mib": Double(usage.ru_maxrss) / 1024,
      "seed": Double(seed),
    ]
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
