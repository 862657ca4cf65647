import Explainers
import Inference
import Model
import Testing

@Suite struct BackwardTests {
  /// The modified backward pass with the plain-gradient rules is the float core's Jacobian row,
  /// on every fixture (dense, conv, BatchNorm, pooling, RNN, embedding, LeakyReLU, Clip, Abs,
  /// PReLU, reshapes, transposes, concatenation).
  @Test(arguments: fixtureModels.map(\.model))
  func gradientIsTheJacobianRow(_ name: String) throws {
    let data = fixtureModels.first { $0.model == name }!.data
    let (model, inputs) = try loadFixture(name, data: data, count: 4)
    for x0 in inputs {
      let jacobian = try model.core.jacobian(at: x0)[model.outputName]!
      let (outputs, n) = (jacobian.shape[0], jacobian.shape[1])
      for k in 0..<outputs {
        let (gradient, _, _, _) = try model.backward(x0, output: k, rules: .gradient)
        let row = Array(jacobian.elements[(k * n)..<((k + 1) * n)])
        #expect(maxDifference(gradient, row) < 1e-9, "\(name) output \(k)")
      }
    }
  }

  /// The trace holds the float core's own body output.
  @Test(arguments: fixtureModels.map(\.model))
  func traceMatchesTheFloatCore(_ name: String) throws {
    let data = fixtureModels.first { $0.model == name }!.data
    let (model, inputs) = try loadFixture(name, data: data, count: 2)
    for x0 in inputs {
      let trace = try model.trace(x0)
      let logits = try model.core.run(x0.reshaped([1] + x0.shape)).logits[model.outputName]!.elements
      #expect(trace.values[model.outputName] == logits, "\(name): \(trace.values.keys.sorted()) \(model.outputName)")
    }
  }
}
