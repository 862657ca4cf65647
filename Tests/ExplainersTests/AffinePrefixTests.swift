import Explainers
import Inference
import Model
import Testing

/// KernelSHAP's coalitions through a network's leading affine layers: the split is where the
/// first nonlinearity is, and updating the prefix's output per coalition gives the values of
/// evaluating every input.
@Suite struct AffinePrefixTests {
  @Test func theSplitIsBeforeTheFirstNonlinearity() throws {
    let (mlp, inputs) = try loadFixture("digits_mlp", data: "digits_test", count: 1)
    let (prefix, suffix) = try #require(try mlp.network.splitAfterAffinePrefix(inputShape: inputs[0].shape))
    #expect(prefix.nodes.map(\.sourceOperator) == ["Gemm"])
    #expect(suffix.nodes.first?.sourceOperator == "Relu")
    #expect(suffix.inputName == prefix.outputNames[0])
    #expect(suffix.outputNames == mlp.network.outputNames)
    // A convolution first, or token ids: no split.
    let (cnn, images) = try loadFixture("digits_cnn", data: "digits_test_images", count: 1)
    #expect(try cnn.network.splitAfterAffinePrefix(inputShape: images[0].shape) == nil)
    let (text, sentences) = try loadFixture("text_rnn", data: "text_test_ids", count: 1)
    #expect(try text.network.splitAfterAffinePrefix(inputShape: sentences[0].shape) == nil)
  }

  @Test(arguments: [QueryPrecision.float64, .float32])
  func updatesGiveTheValuesOfFullEvaluations(_ precision: QueryPrecision) throws {
    let (loaded, inputs) = try loadFixture("digits_mlp", data: "digits_test", count: 12)
    let model = ExplainedModel(loaded.network, queryPrecision: precision)
    let background = inputs.dropFirst(2).map(\.elements)
    for x0 in inputs.prefix(2) {
      let output = try model.predictedOutput(at: x0)
      let updated = try KernelSHAPExplainer(background: background).explain(model, at: x0, output: output, seed: 3)
      let evaluated = try KernelSHAPExplainer(background: background, firstLayerUpdates: false).explain(model, at: x0, output: output, seed: 3)
      #expect(updated.settings["firstLayers"] == "updated per coalition" && evaluated.settings["firstLayers"] == "evaluated")
      let scale = evaluated.relevance.map(abs).max()!
      // float64: summation order only; float32: the prefix's output is rounded once instead of
      // accumulated in float32.
      #expect(maxDifference(updated.relevance, evaluated.relevance) <= (precision == .float64 ? 1e-10 : 1e-4) * scale)
      #expect(abs(updated.diagnostics["outputValue"]! - evaluated.diagnostics["outputValue"]!) <= (precision == .float64 ? 1e-12 : 1e-5) * abs(evaluated.diagnostics["outputValue"]!))
    }
  }
}
