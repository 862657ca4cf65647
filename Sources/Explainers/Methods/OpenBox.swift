import Inference
import Model

/// OpenBox (Chu et al., KDD 2018): around x0 the network's body is the affine map A·x + c of
/// x0's activation pattern, so output k's exact local model is A[k,:]·x + c[k] and the
/// per-feature contributions are A[k,:] ⊙ x0 (per pixel; for token models per embedding
/// coordinate, which sum per token to the token's contribution).
///
/// A and c are the float core's (float64 evaluation of the stored float32 parameters under x0's
/// pattern): enough for relevance and for comparing explainers; the exact rational A and c, with
/// the certificate that they are the network's, come from `explaincert certify`.
/// Diagnostics: the output's value, `identityError` = |A[k,:]·x0 + c[k] − f_k(x0)| (float
/// rounding only), and `ties` (elements exactly at a breakpoint: x0 then lies on a facet).
public struct OpenBoxExplainer: Explainer {
  public init() {}

  public var method: String { "openbox" }

  public func explain(_ model: ExplainedModel, at x0: DenseTensor<Double>, output: Int, seed: UInt64) throws -> Explanation {
    let (a, c, value, ties) = try model.openBox(at: x0, output: output)
    let relevance = zip(a, x0.elements).map { $0 * $1 }
    let local = zip(a, x0.elements).reduce(c) { $0 + $1.0 * $1.1 }
    return Explanation(method: method, output: output, inputShape: x0.shape, relevance: relevance,
                       surrogate: LinearSurrogate(weights: a, intercept: c, features: .coordinates),
                       settings: ["precision": "float64 on the stored parameters (exact A and c: explaincert certify)"],
                       diagnostics: ["outputValue": value, "identityError": abs(local - value), "ties": Double(ties)])
  }
}

extension ExplainedModel {
  /// Row `output` of x0's region matrix A, the constant c[output], f_output(x0), and the number
  /// of ties in x0's pattern, from the float core in float64.
  public func openBox(at x0: DenseTensor<Double>, output: Int) throws -> (a: [Double], c: Double, value: Double, ties: Int) {
    let plan = try core.plan(for: x0.shape)
    let evaluation = plan.evaluate(x0.reshaped([1] + x0.shape))
    guard let logits = evaluation.outputs[outputName]?.elements else {
      throw ModelError("the body output '\(outputName)' was not computed")
    }
    guard output >= 0, output < logits.count else {
      throw ModelError("output index \(output) is out of range: '\(outputName)' has \(logits.count) elements")
    }
    let zero = DenseTensor<Double>(shape: [1] + x0.shape, elements: [Double](repeating: 0, count: x0.elements.count))
    let c = plan.evaluate(zero, mode: .fixed(evaluation.pattern), offsets: true).outputs[outputName]!.elements[output]
    var seed = [Double](repeating: 0, count: logits.count)
    seed[output] = 1
    let trace = try trace(x0, pattern: evaluation.pattern)
    let (a, _) = try ModifiedBackward(trace: trace, rules: .gradient).run(seed: seed)
    return (a, c, logits[output], evaluation.ties.reduce(0, +))
  }
}
