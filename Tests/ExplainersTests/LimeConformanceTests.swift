import DataIO
import Explainers
import Foundation
import Inference
import Model
import Testing

/// Conformance with the reference LIME (the Python `lime` package): `Tools/lime_reference.py`
/// saved its perturbation samples, kernel weights, model values and results in `Fixtures/lime/`.
@Suite struct LimeConformanceTests {
  struct Reference: Decodable {
    struct Settings: Decodable {
      var discretize_continuous: Bool
      var kernel_width: Double
      var num_features: Int
    }
    var model: String
    var data: String
    var example: Int
    var label: Int
    var settings: Settings
    var features: [Int]
    var coefficients_by_feature: [Double]
    var intercept: Double
    var score: Double
    var local_pred: Double
    var runs_default: [[Double]]
    var runs_all_features: [[Double]]
  }

  static let cases = ["digits_mlp_quartile", "tiny_mixed_quartile", "tiny_leaky_continuous"]

  static func load(_ name: String) throws -> (Reference, NumericArray, [Double], [Double], NumericArray) {
    let folder = "\(fixtures)/lime/\(name)"
    let json = try Data(contentsOf: URL(fileURLWithPath: "\(folder)/reference.json"))
    let reference = try JSONDecoder().decode(Reference.self, from: json)
    return (reference, try NumericArray.load(path: "\(folder)/data.npy"), try NumericArray.load(path: "\(folder)/labels.npy").asDoubles,
            try NumericArray.load(path: "\(folder)/weights.npy").asDoubles, try NumericArray.load(path: "\(folder)/inverse.npy"))
  }

  /// The reference's samples through ExplainCert's distances, kernel, feature selection and
  /// weighted ridge give the reference's coefficients, intercept, score and local prediction.
  @Test(arguments: cases)
  func ridgeMatchesTheReferenceOnItsSamples(_ name: String) throws {
    let (reference, data, labels, weights, _) = try Self.load(name)
    let (rows, columns) = (data.shape[0], data.shape[1])
    let x = data.asDoubles
    // Distances (Euclidean to the first row) and the kernel.
    let distances = (0..<rows).map { r in (0..<columns).reduce(0.0) { $0 + pow(x[r * columns + $1] - x[$1], 2) }.squareRoot() }
    let kernel = distances.map { LimeBase.kernel($0, width: reference.settings.kernel_width) }
    #expect(maxDifference(kernel, weights) < 1e-14)
    let result = try LimeBase.explain(data: x, rows: rows, columns: columns, labels: labels, weights: weights,
                                      numFeatures: reference.settings.num_features, selection: .auto)
    #expect(result.features.sorted() == reference.features)
    #expect(maxDifference(result.weights(count: columns), reference.coefficients_by_feature) < 1e-8)
    #expect(abs(result.intercept - reference.intercept) < 1e-8)
    #expect(abs(result.score - reference.score) < 1e-8)
    #expect(abs(result.localPrediction - reference.local_pred) < 1e-8)
  }

  /// The reference's model inputs give the reference's model values in the float core.
  @Test(arguments: cases)
  func theFloatCoreGivesTheReferenceLabels(_ name: String) throws {
    let (reference, _, labels, _, inverse) = try Self.load(name)
    let network = try Network.load(contentsOf: "\(fixtures)/models/\(reference.model).onnx")
    let model = ExplainedModel(network)
    let shape = Array(try network.bind(inverse, file: "inverse.npy").tensor.shape.dropFirst())
    let values = try model.outputs(inverse.asDoubles, shape: shape, output: reference.label)
    #expect(maxDifference(values, Array(labels.prefix(values.count))) < 1e-4)
  }

  /// Full runs: ExplainCert's LIME (its own seeded samples) against the reference's, over ten
  /// seeds each: the mean coefficient vectors point the same way (cosine ≥ 0.9), with the
  /// defaults (10 features) and with every feature kept.
  @Test(arguments: cases)
  func fullRunsAgreeStatistically(_ name: String) throws {
    let (reference, _, _, _, _) = try Self.load(name)
    let network = try Network.load(contentsOf: "\(fixtures)/models/\(reference.model).onnx")
    let model = ExplainedModel(network)
    let array = try NumericArray.load(path: "\(fixtures)/data/\(reference.data).npy")
    let examples = try network.bind(array, file: reference.data).examples(batchAxis: network.batchAxis, tokenIDs: nil).map(\.input)
    let rows = examples.map(\.elements)
    let x0 = examples[reference.example]
    let columns = x0.elements.count
    for (numFeatures, runs) in [(10, reference.runs_default), (columns, reference.runs_all_features)] {
      let lime = try LimeTabularExplainer(training: rows, discretization: reference.settings.discretize_continuous ? .quartile : .off,
                                          numFeatures: numFeatures)
      var ours = [Double](repeating: 0, count: columns)
      var theirs = [Double](repeating: 0, count: columns)
      for seed in 0..<10 {
        let e = try lime.explain(model, at: x0, output: reference.label, seed: UInt64(seed))
        for j in 0..<columns {
          ours[j] += e.relevance[j] / 10
          theirs[j] += runs[seed][j] / 10
        }
      }
      let cosine = Metrics.cosine(ours, theirs)
      print("LIME conformance \(name), \(numFeatures) features: cosine of mean coefficients \(cosine)")
      #expect(cosine >= 0.9, "\(name) with \(numFeatures) features")
    }
  }
}
