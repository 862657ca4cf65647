import Inference
import Model

/// Integrated Gradients (Sundararajan et al. 2017): `IG_i = (x_i − b_i) ∫₀¹ ∂f/∂x_i(b + t(x − b)) dt`
/// from a baseline b (zeros by default).
///
/// - `integration=exact` (the default): on a piecewise-linear network the gradient is constant
///   on each region the straight path crosses, so the path is cut where it leaves each region
///   (the first pre-activation that reaches a breakpoint, or a max-pool window whose largest
///   element changes, computed from the region's affine pre-activations) and the integral is the
///   sum of (segment length × that region's gradient). Only regions the path crosses in less
///   than 1e-9 of its length are passed over.
/// - `integration=riemann-right | riemann-middle | riemann-trapezoid` with `steps` (default 50):
///   the usual Riemann sums (right: the paper's).
///
/// Diagnostics: `completenessError` = |Σ IG − (f(x) − f(b))|, `segments` (exact) or `steps`.
public struct IntegratedGradientsExplainer: Explainer {
  public enum Integration: String, Sendable, CaseIterable {
    case exact
    case riemannRight = "riemann-right"
    case riemannMiddle = "riemann-middle"
    case riemannTrapezoid = "riemann-trapezoid"
  }

  public var baseline: [Double]?
  public var steps: Int
  public var integration: Integration

  /// `baseline` nil means zeros.
  public init(baseline: [Double]? = nil, steps: Int = 50, integration: Integration = .exact) {
    self.baseline = baseline
    self.steps = steps
    self.integration = integration
  }

  public var method: String { "integrated-gradients" }

  public func explain(_ model: ExplainedModel, at x0: DenseTensor<Double>, output: Int, seed: UInt64) throws -> Explanation {
    let n = x0.elements.count
    let b = baseline ?? [Double](repeating: 0, count: n)
    guard b.count == n else { throw ModelError("the baseline has \(b.count) values, the input \(n)") }
    let d = zip(x0.elements, b).map { $0 - $1 }
    func point(_ t: Double) -> DenseTensor<Double> {
      DenseTensor(shape: x0.shape, elements: (0..<n).map { b[$0] + t * d[$0] })
    }
    func gradient(_ t: Double, pattern: ActivationPattern? = nil) throws -> [Double] {
      try model.backward(point(t), output: output, rules: .gradient, pattern: pattern).input
    }
    var integral = [Double](repeating: 0, count: n)
    var settings = ["integration": integration.rawValue, "baseline": baseline == nil ? "zeros" : "given"]
    var diagnostics: [String: Double] = [:]
    switch integration {
    case .exact:
      let segments = try model.pathSegments(from: point(0), direction: DenseTensor(shape: x0.shape, elements: d))
      for segment in segments {
        let g = try gradient(segment.probe, pattern: segment.pattern)
        let length = segment.end - segment.start
        for i in 0..<n { integral[i] += length * g[i] }
      }
      diagnostics["segments"] = Double(segments.count)
    case .riemannRight, .riemannMiddle, .riemannTrapezoid:
      guard steps >= 1 else { throw ModelError("integrated-gradients needs steps ≥ 1, got \(steps)") }
      let m = Double(steps)
      let nodes: [(Double, Double)]
      switch integration {
      case .riemannRight: nodes = (1...steps).map { (Double($0) / m, 1 / m) }
      case .riemannMiddle: nodes = (0..<steps).map { ((Double($0) + 0.5) / m, 1 / m) }
      default: nodes = (0...steps).map { (Double($0) / m, ($0 == 0 || $0 == steps ? 0.5 : 1) / m) }
      }
      for (t, w) in nodes {
        let g = try gradient(t)
        for i in 0..<n { integral[i] += w * g[i] }
      }
      settings["steps"] = "\(steps)"
      diagnostics["steps"] = Double(steps)
    }
    let relevance = zip(integral, d).map { $0 * $1 }
    let ends = try model.outputs(point(0).elements + x0.elements, shape: x0.shape, output: output, precision: .float64)
    diagnostics["outputValue"] = ends[1]
    diagnostics["baselineValue"] = ends[0]
    diagnostics["completenessError"] = abs(relevance.reduce(0, +) - (ends[1] - ends[0]))
    return Explanation(method: method, output: output, inputShape: x0.shape, relevance: relevance, settings: settings, diagnostics: diagnostics)
  }
}

/// A piece of a straight path on which the network is one affine map.
public struct PathSegment: Sendable {
  /// Path parameters: the segment is {start + t·direction : t in [start, end]}.
  public var start, end: Double
  /// A parameter inside the segment where its pattern was recorded.
  public var probe: Double
  public var pattern: ActivationPattern
}

extension ExplainedModel {
  /// The regions the path `origin + t·direction`, t ∈ [0, 1], crosses, in order (see
  /// ``IntegratedGradientsExplainer``). Regions crossed in less than `minimumLength` are merged
  /// into the next one.
  public func pathSegments(from origin: DenseTensor<Double>, direction: DenseTensor<Double>,
                           minimumLength: Double = 1e-9, limit: Int = 100_000) throws -> [PathSegment] {
    let plan = try core.plan(for: origin.shape)
    let n = origin.elements.count
    let shape = [1] + origin.shape
    var segments: [PathSegment] = []
    var t = 0.0
    while t < 1 && segments.count < limit {
      let probe = min(t + minimumLength, (t + 1) / 2)
      let x = DenseTensor(shape: shape, elements: (0..<n).map { origin.elements[$0] + probe * direction.elements[$0] })
      let pattern = plan.evaluate(x).pattern
      // Pre-activations of the region at the probe, and their rate of change along the path.
      var values: [SiteVisit<DenseTensor<Double>>] = []
      _ = plan.evaluate(x, mode: .fixed(pattern)) { values.append($0) }
      var rates: [SiteVisit<DenseTensor<Double>>] = []
      _ = plan.evaluate(direction.reshaped(shape), mode: .fixed(pattern), offsets: false) { rates.append($0) }
      var exit = Double.infinity
      func leave(_ q: Double, _ rate: Double) {
        // q + s·rate ≤ 0 holds at s = 0; it fails after s = −q / rate when the rate is positive.
        if rate > 0 {
          let s = -q / rate
          if s > 0 { exit = min(exit, s) }
        }
      }
      for (value, rate) in zip(values, rates) {
        let z = value.preActivation.elements, dz = rate.preActivation.elements
        switch plan.sites[value.site].kind {
        case .elementwise(let breakpoints, _, _):
          for (e, choice) in value.choices.enumerated() {
            let c = Int(choice), element = value.elementOffset + e
            if c > 0 {
              let b = breakpoints[c - 1]
              leave(b.values[b.index(of: element)] - z[e], -dz[e])
            }
            if c < breakpoints.count {
              let b = breakpoints[c]
              leave(z[e] - b.values[b.index(of: element)], dz[e])
            }
          }
        case .maxPool(let windows, let window):
          let outputs = windows.outputBlock / window
          for (k, choice) in value.choices.enumerated() {
            let base = (k / outputs) * windows.inputBlock, j = k % outputs
            let chosen = base + Int(windows.indices[j * window + Int(choice)])
            for w in 0..<window where w != Int(choice) {
              let other = windows.indices[j * window + w]
              guard other >= 0 else { continue }
              leave(z[base + Int(other)] - z[chosen], dz[base + Int(other)] - dz[chosen])
            }
          }
        }
      }
      let end = min(1, max(probe + exit, probe + minimumLength))
      segments.append(PathSegment(start: t, end: end, probe: probe, pattern: pattern))
      t = end
    }
    return segments
  }
}
