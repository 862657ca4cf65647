import Foundation
import Reports

enum Fixture {
  static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
  static let fixtures = repository + "/Fixtures"
  static func model(_ name: String) -> String { fixtures + "/models/\(name).onnx" }
  static func data(_ name: String) -> String { fixtures + "/data/\(name).npy" }

  /// A small hand-made report with every kind of display, for renderer tests.
  static func syntheticReport() -> AuditReport {
    let region = RegionSummary(
      verdict: "accepted", rejection: nil, identityHolds: true, inputInRegion: true, constraints: 74, ties: 0, patternSites: 2,
      patternElements: 64,
      radii: .init(linf: "1/64", l1: "3/8", l2Lower: "1/10", l2Upper: "1/9", linfApprox: 1.0 / 64, l1Approx: 0.375, l2LowerApprox: 0.1,
                   l2UpperApprox: 1.0 / 9, domain: ["0.0", "1.0"]),
      float: .init(maxAbsoluteError: 2.4e-7, maxRelativeError: 1e-6, flippedNeurons: 0, flips: []),
      certificateSHA256: String(repeating: "ab", count: 32), certificateFile: nil, notes: ["Certified semantics: <stored floats>."], seconds: 0.01)
    let pixels = (0..<64).map { Double(($0 * 7) % 17) / 16 }
    let exact = (0..<64).map { Double($0 % 9) - 4 }
    let lime = (0..<64).map { Double($0 % 5) - 2 }
    func methods(_ n: Int) -> [MethodResult] {
      [MethodResult(method: "openbox", exact: true, relevance: Array(exact.prefix(n)), featureRelevance: Array(exact.prefix(n)),
                    exactRelevance: Array(exact.prefix(n)).map { "\(Int($0))" }, seconds: 0.01),
       MethodResult(method: "lime", exact: false, relevance: Array(lime.prefix(n)), featureRelevance: Array(lime.prefix(n)), seed: 7,
                    settings: ["samples": "500"], seconds: 0.2),
       MethodResult(method: "kernelshap", exact: false, relevance: [], featureRelevance: [], seed: 7, seconds: 0.1, error: "kernelshap <failed> here")]
    }
    let comparison = Comparison(method: "lime", reference: "openbox", cosine: 0.42, topKAgreement: 0.3, k: 10, rmse: 1.2, mae: 0.9, signAgreement: 0.6)
    let prediction = Prediction(output: 3, outputName: "logits", logits: [0, 1, 2, 9, 1, 0, 0, 0, 0, 0], predicted: 3)
    let image = ExampleReport(index: 0, display: Display(kind: .image, height: 8, width: 8, channels: 1, featureNames: (0..<64).map { "p\($0)" }),
                              input: pixels, inputShape: [1, 64], prediction: prediction, explanations: methods(64), comparisons: [comparison], region: region)
    let tokens = ["the", "film", "was", "<not>", "good"]
    let text = ExampleReport(index: 1, display: Display(kind: .text, tokens: tokens.enumerated().map { .init(id: $0.offset + 2, text: $0.element) },
                                                         featureNames: tokens),
                             input: Array(pixels.prefix(5)), inputShape: [5, 1, 1], prediction: prediction, explanations: methods(5),
                             comparisons: [comparison], region: nil, certificationError: "the model cannot be certified here")
    let tabular = ExampleReport(index: 2, display: Display(kind: .tabular, featureNames: ["x[0]", "x[1]", "x[2]"]), input: [0.5, -1, 2],
                                inputShape: [1, 3], prediction: prediction, explanations: methods(3), comparisons: [comparison], region: region)
    let properties = PropertyResults(
      suites: [.init(path: "Properties/digits_mlp.yaml", model: "digits_mlp.onnx", modelSHA256: "cafe", seed: 7)], held: 1, violated: 1, errors: 0, seconds: 1.5,
      cases: [
        .init(id: "digits_mlp.yaml#0:exactness@0", suite: "Properties/digits_mlp.yaml", property: "exactness", example: 0, status: "held", samples: 30,
              seed: 7, caseSeed: 99, radius: 0.01, message: nil, measured: ["inside": 30], counterexample: nil, replayCommand: nil, seconds: 0.2),
        .init(id: "digits_mlp.yaml#1:consistency@0", suite: "Properties/digits_mlp.yaml", property: "consistency", example: 0, status: "violated",
              samples: 50, seed: 7, caseSeed: 100, radius: 0.5, message: "A differs at a sample", measured: ["min cosine": 0.8],
              counterexample: "Counterexamples/consistency-digits_mlp-0123.json",
              replayCommand: "explaincert replay Counterexamples/consistency-digits_mlp-0123.json", seconds: 0.3),
      ],
      counterexamples: [.init(path: "Counterexamples/consistency-digits_mlp-0123.json", property: "consistency", model: "digits_mlp.onnx",
                              modelSHA256: "cafe", example: 0, expectation: "reproduce", summary: "another pattern with another A",
                              shrink: "changed features 12 → 1", seed: 7,
                              replayCommand: "explaincert replay Counterexamples/consistency-digits_mlp-0123.json", replayStatus: "reproduced",
                              replayDetail: "same values")])
    return AuditReport(
      title: "Explanation audit of <digits_mlp.onnx>",
      reproduction: Reproduction(version: "0.1.0", command: "explaincert report m.onnx x.npy --seed 7", seed: 7, methods: ["openbox", "lime", "kernelshap"],
                                 settings: ["top-k": "10"], components: ReportBuilder.components, generated: "2025-01-01T00:00:00Z"),
      model: ModelInfo(path: "Fixtures/models/digits_mlp.onnx", sha256: "cafe", inputName: "input", inputShape: "[N, 64]", outputName: "logits",
                       links: [], operators: ["Gemm", "Relu"]),
      inputs: InputsInfo(path: "Fixtures/data/digits_test.npy", sha256: "beef", count: 100, explained: [0, 1, 2]),
      examples: [image, text, tabular], properties: properties, notes: ["Certified semantics: the stored floats."],
      divergences: [DivergenceRow(kind: "fidelity", example: 0, output: 3, summary: "g <misses> f", seeds: [7], samples: 50, tolerance: 1,
                                  observed: ["gap": 1.3], changedFeatures: [4], shrink: ["samplesAfter": 50], command: "explaincert lime-diverge m x --example 0")])
  }
}
