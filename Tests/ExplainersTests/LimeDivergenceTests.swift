import DataIO
import Explainers
import Foundation
import Inference
import Model
import Testing

/// `lime-diverge`'s search finds, minimizes and replays each kind of divergence on the fixtures.
@Suite struct LimeDivergenceTests {
  static func search(_ model: ExplainedModel, shape: [Int], rows: [[Double]], settings: [String: String] = [:],
                     configure: (inout LimeDivergenceSearch) -> Void = { _ in }) -> LimeDivergenceSearch {
    var search = LimeDivergenceSearch(samples: 2000) { n in
      try ExplainerRegistry.make("lime", model: model, shape: shape, settings: settings, samples: n, data: rows)
    }
    configure(&search)
    return search
  }

  static func fixture(_ name: String, _ data: String, count: Int) throws -> (ExplainedModel, [DenseTensor<Double>]) {
    try loadFixture(name, data: data, count: count)
  }

  func firstFinding(_ search: LimeDivergenceSearch, _ model: ExplainedModel, _ inputs: [DenseTensor<Double>],
                    _ kind: LimeDivergence.Kind) throws -> LimeDivergence? {
    for (k, x0) in inputs.enumerated() {
      let output = try model.predictedOutput(at: x0)
      if let d = try search.search(model, example: k, at: x0, output: output, kinds: [kind]).first { return d }
    }
    return nil
  }

  @Test func fidelityIsFoundMinimizedAndReplayed() throws {
    let (model, inputs) = try Self.fixture("tiny_leaky", "tiny_inputs", count: 20)
    let search = Self.search(model, shape: inputs[0].shape, rows: inputs.map(\.elements))
    let d = try #require(try firstFinding(search, model, inputs, .fidelity))
    #expect(d.observed["gap"]! > d.tolerance)
    #expect(d.changedFeatures.count <= 2)
    #expect(d.samples <= 2000)
    let replay = try search.replay(d, model: model, shape: inputs[0].shape)
    #expect(replay.holds)
    #expect(replay.observed["gap"] == d.observed["gap"])
    // A tolerance above the gap makes the replay pass (the check can fail).
    var relaxed = d
    relaxed.tolerance = d.observed["gap"]! + 1
    #expect(try !search.replay(relaxed, model: model, shape: inputs[0].shape).holds)
    // Removing tokens: text LIME's fidelity counterexamples restore every token they can.
    let (text, sentences) = try Self.fixture("text_rnn", "text_test_ids", count: 8)
    let textSearch = Self.search(text, shape: sentences[0].shape, rows: []) { $0.fidelityTolerance = 2 }
    let t = try #require(try firstFinding(textSearch, text, sentences, .fidelity))
    #expect(try textSearch.replay(t, model: text, shape: sentences[0].shape).holds)
  }

  /// With LIME sampling close around x (continuous, around the instance, 2% of the training
  /// deviation), x's region contains LIME's neighbourhood, yet its top feature or its sign can
  /// differ from OpenBox's exact contributions: LIME reports slopes per standard deviation,
  /// OpenBox contributions A ⊙ x.
  @Test func attributionIsFoundInsideTheRegion() throws {
    let (model, inputs) = try Self.fixture("tiny_leaky", "tiny_inputs", count: 20)
    let search = Self.search(model, shape: inputs[0].shape, rows: inputs.map(\.elements),
                             settings: ["discretize": "off", "around": "true", "scale": "0.02"]) { $0.topK = 1 }
    let d = try #require(try firstFinding(search, model, inputs, .attribution))
    #expect(d.observed["regionContainsNeighbourhood"] == 1)
    #expect(d.observed["regionRadius"]! >= d.observed["limeScale"]!)
    #expect(try search.replay(d, model: model, shape: inputs[0].shape).holds)
  }

  @Test func instabilityIsFoundAndReplayed() throws {
    // 16 examples (also LIME's training rows): 4 of them show it with these seeds and samples.
    let (model, inputs) = try Self.fixture("digits_mlp", "digits_test", count: 16)
    let search = Self.search(model, shape: inputs[0].shape, rows: inputs.map(\.elements))
    let d = try #require(try firstFinding(search, model, inputs, .instability))
    #expect(d.observed["cosine"]! < d.tolerance)
    #expect(d.seeds.count == 2)
    #expect(try search.replay(d, model: model, shape: inputs[0].shape).holds)
    let decoded = try JSONDecoder().decode(LimeDivergence.self, from: try JSONEncoder().encode(d))
    #expect(decoded == d)
  }
}
