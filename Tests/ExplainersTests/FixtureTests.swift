import DataIO
import Explainers
import Inference
import Model
import Testing

@Suite struct FixtureTests {
  /// Integrated Gradients' completeness error on the digits MLP is below 1e-4 with the exact
  /// path integral (the default); the 50-step right Riemann sum is reported for comparison.
  @Test func integratedGradientsAreCompleteOnTheDigitsMLP() throws {
    let (model, inputs) = try loadFixture("digits_mlp", data: "digits_test", count: 5)
    for x0 in inputs {
      let k = try model.predictedOutput(at: x0)
      let exact = try IntegratedGradientsExplainer().explain(model, at: x0, output: k, seed: 0)
      #expect(exact.diagnostics["completenessError"]! < 1e-4)
      #expect(exact.diagnostics["segments"]! > 1)
      let riemann = try IntegratedGradientsExplainer(integration: .riemannRight).explain(model, at: x0, output: k, seed: 0)
      // Both estimate the same integral; the Riemann sum only roughly.
      #expect(Metrics.cosine(exact.relevance, riemann.relevance) > 0.9)
    }
  }

  /// The exact path integral holds on every fixture (conv, max pooling, RNN, Clip, Abs, ...).
  @Test(arguments: fixtureModels.map(\.model))
  func integratedGradientsAreCompleteEverywhere(_ name: String) throws {
    let data = fixtureModels.first { $0.model == name }!.data
    let (model, inputs) = try loadFixture(name, data: data, count: 3)
    for x0 in inputs {
      let e = try IntegratedGradientsExplainer().explain(model, at: x0, output: 0, seed: 0)
      let scale = max(1, abs(e.diagnostics["outputValue"]!))
      #expect(e.diagnostics["completenessError"]! < 1e-6 * scale, "\(name)")
    }
  }

  /// On a bias-free ReLU network LRP-ε with ε → 0 is conservative (the input relevances sum to
  /// the output) and equals gradient × input; z⁺, z^B and α1β0 are conservative too (where the
  /// output is positive). Checked on the
  /// MLP, the CNN (BatchNorm merged into the convolution, max and average pooling) and the RNN.
  @Test(arguments: ["digits_mlp", "digits_cnn", "digits_rnn", "text_rnn"])
  func lrpIsConservativeOnBiasFreeNetworks(_ name: String) throws {
    let data = fixtureModels.first { $0.model == name }!.data
    let (original, inputs) = try loadFixture(name, data: data, count: 3)
    let model = ExplainedModel(biasFree(original.network))
    for x0 in inputs {
      let k = try model.predictedOutput(at: x0)
      let lrp = try RelevanceExplainer.epsilon(1e-12).explain(model, at: x0, output: k, seed: 0)
      let value = lrp.diagnostics["outputValue"]!
      #expect(lrp.diagnostics["conservationError"]! < 1e-9 * max(1, abs(value)), "\(name) ε")
      let times = try GradientExplainer(.gradientTimesInput).explain(model, at: x0, output: k, seed: 0)
      #expect(maxDifference(lrp.relevance, times.relevance) < 1e-9 * max(1, abs(value)), "\(name) LRP-0 = G×I")
      guard value > 0 else { continue }
      // Up to their stabiliser ε = 1e-6 (α1β0 is z⁺; α2β1 conserves only where a neuron has
      // both positive and negative contributions, so it is not checked here).
      for explainer in [RelevanceExplainer.zPlus, RelevanceExplainer.zBox(), RelevanceExplainer.alphaBeta(alpha: 1, beta: 0)] {
        let e = try explainer.explain(model, at: x0, output: k, seed: 0)
        #expect(e.diagnostics["conservationError"]! < 1e-3 * value, "\(name) \(explainer.rules.linear.name)")
      }
    }
  }

  /// With biases, LRP-ε is not conservative: the biases absorb relevance.
  /// Perturbation explainers see NCHW inputs with height and width above 1 as images; a
  /// [1, 1, 1, 5] input (ACAS Xu's) is a row of 5 features.
  @Test func inputKinds() throws {
    let (model, _) = try loadFixture("digits_mlp", data: "digits_test", count: 1)
    #expect(model.inputKind(shape: [1, 1, 8, 8]) == .image)
    #expect(model.inputKind(shape: [1, 1, 1, 5]) == .tabular)
    #expect(model.inputKind(shape: [1, 64]) == .tabular)
    let (text, _) = try loadFixture("text_rnn", data: "text_test_ids", count: 1)
    #expect(text.inputKind(shape: [10, 1, 8]) == .text)
  }

  /// LIME explaining every class on one set of samples gives, class by class, the explanation
  /// of that class alone; other methods explain each output in turn.
  @Test func severalOutputsAtOnce() throws {
    let (model, inputs) = try loadFixture("digits_mlp", data: "digits_test", count: 20)
    let lime = try ExplainerRegistry.make("lime", model: model, shape: inputs[0].shape, samples: 600, data: inputs.map(\.elements))
    let outputs = Array(0..<10)
    let all = try lime.explain(model, at: inputs[3], outputs: outputs, seed: 5)
    #expect(all.map(\.output) == outputs)
    for k in [0, 4, 9] {
      #expect(all[k] == (try lime.explain(model, at: inputs[3], output: k, seed: 5)))
    }
    #expect(all[2].relevance != all[7].relevance)
    let (cnn, images) = try loadFixture("digits_cnn", data: "digits_test_images", count: 1)
    let imageLime = try ExplainerRegistry.make("lime", model: cnn, shape: images[0].shape, samples: 300)
    let patches = try imageLime.explain(cnn, at: images[0], outputs: [3, 6], seed: 2)
    #expect(try patches == [3, 6].map { try imageLime.explain(cnn, at: images[0], output: $0, seed: 2) })
    let gradient = try ExplainerRegistry.make("gradient", model: model, shape: inputs[0].shape)
    #expect(try gradient.explain(model, at: inputs[3], outputs: [1, 8], seed: 0) == [1, 8].map { try gradient.explain(model, at: inputs[3], output: $0, seed: 0) })
  }

  @Test func biasesAbsorbRelevance() throws {
    let (model, inputs) = try loadFixture("digits_mlp", data: "digits_test", count: 1)
    let e = try RelevanceExplainer.epsilon(1e-9).explain(model, at: inputs[0], output: 0, seed: 0)
    #expect(e.diagnostics["conservationError"]! > 1e-3)
  }

  /// Guided Backprop on the digits MLP, against a direct computation from its three Gemm layers.
  @Test func guidedBackpropMatchesADirectComputation() throws {
    let (model, inputs) = try loadFixture("digits_mlp", data: "digits_test", count: 3)
    let layers = model.network.nodes.compactMap { node -> (Constant, Constant?)? in
      if case .dense(let w, let b) = node.operation { return (w, b) }
      return nil
    }
    try #require(layers.count == 3)
    func affine(_ layer: (Constant, Constant?), _ x: [Double]) -> [Double] {
      let (w, b) = layer
      let (o, i) = (w.shape[0], w.shape[1])
      var y = [Double](repeating: 0, count: o)
      for r in 0..<o {
        var total = b?.values[r] ?? 0
        for c in 0..<i { total += w.values[r * i + c] * x[c] }
        y[r] = total
      }
      return y
    }
    func back(_ layer: (Constant, Constant?), _ g: [Double]) -> [Double] {
      let w = layer.0
      let (o, i) = (w.shape[0], w.shape[1])
      var x = [Double](repeating: 0, count: i)
      for r in 0..<o {
        for c in 0..<i { x[c] += w.values[r * i + c] * g[r] }
      }
      return x
    }
    for x0 in inputs {
      let z1 = affine(layers[0], x0.elements), h1 = z1.map { max($0, 0) }
      let z2 = affine(layers[1], h1)
      for k in 0..<10 {
        var g = (0..<10).map { $0 == k ? 1.0 : 0 }
        g = back(layers[2], g)
        g = zip(g, z2).map { $1 > 0 && $0 > 0 ? $0 : 0 }
        g = back(layers[1], g)
        g = zip(g, z1).map { $1 > 0 && $0 > 0 ? $0 : 0 }
        let expected = back(layers[0], g)
        let e = try GuidedBackpropExplainer().explain(model, at: x0, output: k, seed: 0)
        #expect(maxDifference(e.relevance, expected) < 1e-12)
        let squared = try ExplainerRegistry.make("guided-backprop", model: model, shape: x0.shape, settings: ["squared": "true"])
          .explain(model, at: x0, output: k, seed: 0)
        #expect(maxDifference(squared.relevance, expected.map { $0 * $0 }) < 1e-12)
      }
    }
  }

  /// Every method runs on every fixture model it applies to, gives one finite relevance per
  /// input coordinate, and is reproducible from its seed.
  @Test(arguments: fixtureModels.map(\.model))
  func everyMethodRunsOnEveryFixture(_ name: String) throws {
    let data = fixtureModels.first { $0.model == name }!.data
    let (model, inputs) = try loadFixture(name, data: data, count: 20)
    let x0 = inputs[0]
    let rows = inputs.map(\.elements)
    for method in ExplainerRegistry.names {
      if method == "grad-cam" && x0.shape.count != 4 { continue }
      let explainer = try ExplainerRegistry.make(method, model: model, shape: x0.shape, samples: 600, data: rows)
      let e = try explainer.explain(model, at: x0, output: 0, seed: 3)
      #expect(e.method == method)
      #expect(e.relevance.count == x0.elements.count, "\(name) \(method)")
      let finite = e.relevance.allSatisfy { $0.isFinite }
      #expect(finite, "\(name) \(method)")
      #expect(e.inputShape == x0.shape)
      let again = try explainer.explain(model, at: x0, output: 0, seed: 3)
      #expect(e == again, "\(name) \(method) is not reproducible")
    }
  }
}
