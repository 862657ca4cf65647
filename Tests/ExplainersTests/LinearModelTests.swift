import Explainers
import Inference
import Model
import Testing

/// On a linear model f(x) = W·x + b every explainer has a known answer.
@Suite struct LinearModelTests {
  static let weights: [[Double]] = [
    [0.5, -1.25, 2.0, 0.75, -0.5],
    [-1.0, 0.25, 0.125, -2.0, 1.5],
  ]
  static let bias: [Double] = [0.3, -0.7]
  static let x0: [Double] = [0.8, -0.4, 1.1, 0.2, -0.9]

  /// Queried in float64, so that the black-box methods' answers are checked to float64's
  /// precision; `float32QueriesAgreeToFloat32Precision` checks the default.
  let model: ExplainedModel
  let input: DenseTensor<Double>

  init() throws {
    model = ExplainedModel(try linearNetwork(weights: Self.weights, bias: Self.bias), queryPrecision: .float64)
    input = DenseTensor(shape: [1, 5], elements: Self.x0)
  }

  /// Training rows around x0 (deterministic), for LIME's statistics.
  static func training(count: Int, spread: Double) -> [[Double]] {
    var generator = SeededGenerator(seed: 99)
    return (0..<count).map { _ in x0.map { $0 + spread * generator.normal() } }
  }

  @Test(arguments: [0, 1])
  func openBoxIsTheModel(_ k: Int) throws {
    let e = try OpenBoxExplainer().explain(model, at: input, output: k, seed: 0)
    #expect(maxDifference(e.surrogate!.weights, Self.weights[k]) < 1e-15)
    #expect(abs(e.surrogate!.intercept - Self.bias[k]) < 1e-15)
    #expect(maxDifference(e.relevance, zip(Self.weights[k], Self.x0).map { $0 * $1 }) < 1e-15)
    #expect(e.diagnostics["identityError"]! < 1e-14)
  }

  @Test(arguments: [0, 1])
  func integratedGradientsRecoverWeightTimesInput(_ k: Int) throws {
    for integration in IntegratedGradientsExplainer.Integration.allCases {
      let e = try IntegratedGradientsExplainer(integration: integration).explain(model, at: input, output: k, seed: 0)
      let recovered = zip(e.relevance, Self.x0).map { $0 / $1 }
      #expect(maxDifference(recovered, Self.weights[k]) < 1e-12, "\(integration)")
      #expect(e.diagnostics["completenessError"]! < 1e-12)
    }
  }

  @Test(arguments: [0, 1])
  func kernelSHAPRecoversWeightTimesInput(_ k: Int) throws {
    // Exact enumeration (5 players) and sampling (forced by a limit below 5), zero background:
    // φ_i = w_i · x_i.
    for limit in [12, 2] {
      let e = try KernelSHAPExplainer(exactLimit: limit).explain(model, at: input, output: k, seed: 4)
      let recovered = zip(e.relevance, Self.x0).map { $0 / $1 }
      #expect(maxDifference(recovered, Self.weights[k]) < 1e-10, "limit \(limit)")
      #expect(abs(e.diagnostics["baseValue"]! - Self.bias[k]) < 1e-12)
      #expect(e.diagnostics["additivityError"]! < 1e-12)
    }
    // With background rows, φ_i = w_i · (x_i − mean background_i).
    let background = Self.training(count: 7, spread: 1)
    let e = try KernelSHAPExplainer(background: background).explain(model, at: input, output: k, seed: 4)
    let means = (0..<5).map { j in background.reduce(0) { $0 + $1[j] } / 7 }
    #expect(maxDifference(e.relevance, (0..<5).map { Self.weights[k][$0] * (Self.x0[$0] - means[$0]) }) < 1e-10)
  }

  @Test(arguments: [0, 1])
  func float32QueriesAgreeToFloat32Precision(_ k: Int) throws {
    let float32 = ExplainedModel(model.network)
    #expect(float32.queryPrecision == .float32)
    for explainer in [KernelSHAPExplainer(background: Self.training(count: 7, spread: 1)), OcclusionExplainer()] as [any Explainer] {
      let single = try explainer.explain(float32, at: input, output: k, seed: 4)
      let double = try explainer.explain(model, at: input, output: k, seed: 4)
      #expect(single.settings["queries"] == "float32" && double.settings["queries"] == "float64")
      #expect(single.relevance != double.relevance, "float32 queries must round differently (\(explainer.method))")
      // Inputs, weights and outputs of size about 1, rounded to float32 (relative 6e-8) a few times.
      #expect(maxDifference(single.relevance, double.relevance) < 1e-5, "\(explainer.method)")
    }
  }

  @Test(arguments: [0, 1])
  func occlusionAndGradientsRecoverTheWeights(_ k: Int) throws {
    let occlusion = try OcclusionExplainer().explain(model, at: input, output: k, seed: 0)
    #expect(maxDifference(zip(occlusion.relevance, Self.x0).map { $0 / $1 }, Self.weights[k]) < 1e-12)
    let gradient = try GradientExplainer().explain(model, at: input, output: k, seed: 0)
    #expect(maxDifference(gradient.relevance, Self.weights[k]) < 1e-15)
    let times = try GradientExplainer(.gradientTimesInput).explain(model, at: input, output: k, seed: 0)
    #expect(maxDifference(times.relevance, zip(Self.weights[k], Self.x0).map { $0 * $1 }) < 1e-15)
  }

  /// LIME without discretization regresses on standardised features: coefficient j estimates
  /// w_j · scale_j (ridge with alpha 1 shrinks it slightly), and the surrogate in input
  /// coordinates estimates w itself.
  @Test(arguments: [0, 1])
  func continuousLimeRecoversTheWeights(_ k: Int) throws {
    let training = Self.training(count: 400, spread: 0.5)
    let lime = try LimeTabularExplainer(training: training, discretization: .off)
    let e = try lime.explain(model, at: input, output: k, seed: 11)
    let scales = lime.statistics.scales
    let largest = Self.weights[k].map(abs).max()!
    #expect(maxDifference(zip(e.relevance, scales).map { $0 / $1 }, Self.weights[k]) < 0.02 * largest)
    #expect(maxDifference(e.surrogate!.weights, Self.weights[k]) < 0.02 * largest)
    #expect(e.surrogate!.features == .coordinates)
    #expect(e.diagnostics["score"]! > 0.999)
  }

  /// LIME with quartile bins regresses on "x_j is in x0's bin" bits: for a linear model the
  /// expected output is linear in the bits with coefficient w_j · (m_in − m_out), m_in the mean
  /// of x_j drawn in x0's bin and m_out its mean drawn in the other bins (truncated normals of
  /// the bins' statistics, weighted by the bins' frequencies). That is what "recovering the
  /// weights" means in LIME's interpretable space. The estimate is noisy (the other bins' spread
  /// enters the output), so it is averaged over 8 seeds and held to 10% of the largest coefficient.
  @Test(arguments: [0, 1])
  func discretizedLimeRecoversTheWeightsInItsInterpretableSpace(_ k: Int) throws {
    let training = Self.training(count: 400, spread: 0.5)
    let lime = try LimeTabularExplainer(training: training)
    let d = lime.statistics.discretizer!
    let expected = (0..<5).map { j -> Double in
      func drawnMean(_ b: Int) -> Double {
        let (mean, std) = (d.binMeans[j][b], d.binStds[j][b])
        let a = (d.binMins[j][b] - mean) / std, c = (d.binMaxs[j][b] - mean) / std
        return mean + std * Normal.truncatedMean(a, c)
      }
      let home = QuantileDiscretizer.bin(Self.x0[j], d.edges[j])
      var outside = 0.0, mass = 0.0
      for (value, p) in zip(d.values[j], d.frequencies[j]) where Int(value) != home {
        outside += p * drawnMean(Int(value))
        mass += p
      }
      return Self.weights[k][j] * (drawnMean(home) - outside / mass)
    }
    var sums = [Double](repeating: 0, count: 5)
    let seeds: [UInt64] = Array(1...8)
    for seed in seeds {
      let e = try lime.explain(model, at: input, output: k, seed: seed)
      #expect(e.surrogate!.features == .presence)
      for j in 0..<5 { sums[j] += e.relevance[j] / Double(seeds.count) }
    }
    let largest = expected.map(abs).max()!
    #expect(maxDifference(sums, expected) < 0.1 * largest, "\(sums) vs \(expected)")
  }

  /// The same seed gives the same explanation, bit for bit; another seed another one.
  @Test func seededMethodsAreReproducible() throws {
    let lime = try LimeTabularExplainer(training: Self.training(count: 50, spread: 1))
    let a = try lime.explain(model, at: input, output: 0, seed: 5)
    let same = try lime.explain(model, at: input, output: 0, seed: 5)
    let other = try lime.explain(model, at: input, output: 0, seed: 6)
    #expect(a == same)
    #expect(a != other)
  }
}
