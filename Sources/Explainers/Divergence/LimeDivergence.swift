import Foundation
import Inference
import Model
import Regions

/// A minimized input where LIME diverges from the network or from the exact OpenBox explanation,
/// with everything needed to replay it (``LimeDivergenceSearch/replay(_:model:)``).
public struct LimeDivergence: Codable, Sendable, Equatable {
  public enum Kind: String, Codable, Sendable, CaseIterable {
    /// LIME's surrogate g misses the network f at x or at a nearby x′ by more than τ.
    case fidelity
    /// LIME's top-k features or their signs disagree with OpenBox's exact contributions A ⊙ x.
    case attribution
    /// Two seeds give LIME explanations of x with cosine below τ, while OpenBox's is one.
    case instability
  }

  public var kind: Kind
  /// The index of the example the search started from, and the explained output.
  public var example: Int
  public var output: Int
  /// The example as given (the reference input).
  public var reference: [Double]
  /// The input LIME explains.
  public var input: [Double]
  /// Fidelity: the nearby point where g and f are compared (nil: at `input` itself);
  /// instability: the second point of the region LIME explains (nil: two seeds at `input`).
  public var nearby: [Double]?
  /// The coordinates where `nearby` differs from `input` (after minimization).
  public var changedFeatures: [Int]
  /// The nearby point first found, before minimization (nil: none).
  public var found: [Double]?
  /// LIME's seeds (two for instability between seeds) and sample count (after minimization).
  public var seeds: [UInt64]
  public var samples: Int
  /// The threshold the divergence exceeds (|g − f| for fidelity, top-k agreement for
  /// attribution, cosine for instability).
  public var tolerance: Double
  public var observed: [String: Double]
  public var summary: String
  /// How far it was shrunk: changed features and samples, before and after, and the evaluations
  /// (LIME fits and surrogate-vs-network comparisons) the minimization spent.
  public var shrink: [String: Int]
}

/// The search behind `explaincert lime-diverge`: for each input, looks for the three kinds of
/// divergence and minimizes what it finds.
///
/// - Fidelity: LIME (seed s) at x gives g; the candidates are x itself and `neighbours` points
///   x′ = x + δ with δ uniform in [−radius, radius] per coordinate (tabular), or x with 1–3
///   patches or tokens removed as LIME removes them (image, text); the largest |g(x′) − f(x′)|
///   above τ is kept. Then x′ is shrunk: coordinates (patches, tokens) are reset to x one at a
///   time while the gap stays above τ (fewest changed features), δ is scaled down by bisection
///   (smallest perturbation, tabular), and the sample count is lowered along 50, 100, 200, … to the first count
///   whose LIME still shows a gap above τ at that x′ (fewest samples).
/// - Attribution: LIME's top-k relevances against OpenBox's A ⊙ x: a divergence when the share
///   of common features is below `minimumAgreement` or a common feature has opposite signs.
///   Reported only when x's region contains LIME's neighbourhood scale (`requireContainment`):
///   the float region's r∞ (largest L∞ ball around x inside P) is at least the kernel-weighted
///   mean L∞ distance of LIME's samples from x (tabular LIME), so that the network *is* A·x + c
///   wherever LIME looks. The sample count is then minimized as above (the region must still
///   contain the neighbourhood of the smaller count).
/// - Instability: LIME with seeds s and s + 1 at x; a divergence when the cosine of their
///   relevances is below τ (OpenBox's explanation of x is one); the sample count is minimized.
///   Failing that, with `regionPoints` (tabular LIME), LIME with seed s at x and at a point x′ of
///   x's region (the same OpenBox explanation A), shrunk like a fidelity point.
public struct LimeDivergenceSearch: Sendable {
  /// LIME with a given sample count.
  public var makeLime: @Sendable (_ samples: Int) throws -> any Explainer
  public var samples: Int
  public var seed: UInt64
  /// Fidelity: τ on |g − f|, the radius and number of nearby points.
  public var fidelityTolerance: Double
  public var radius: Double
  public var neighbours: Int
  /// Attribution: k, the smallest acceptable share of common top-k features, and whether
  /// x's region must contain LIME's neighbourhood scale.
  public var topK: Int
  public var minimumAgreement: Double
  public var requireContainment: Bool
  /// Instability: τ on the cosine of two explanations, and whether to compare LIME at x and at a
  /// point of x's region where two seeds agree.
  public var cosineTolerance: Double
  public var regionPoints: Bool
  /// The smallest sample count tried when minimizing.
  public var minimumSamples: Int

  public init(samples: Int = 5000, seed: UInt64 = 0, fidelityTolerance: Double = 1, radius: Double = 0.05, neighbours: Int = 8,
              topK: Int = 5, minimumAgreement: Double = 0.6, requireContainment: Bool = true, cosineTolerance: Double = 0.9,
              regionPoints: Bool = false, minimumSamples: Int = 50, makeLime: @escaping @Sendable (_ samples: Int) throws -> any Explainer) {
    self.samples = samples
    self.seed = seed
    self.fidelityTolerance = fidelityTolerance
    self.radius = radius
    self.neighbours = neighbours
    self.topK = topK
    self.minimumAgreement = minimumAgreement
    self.requireContainment = requireContainment
    self.cosineTolerance = cosineTolerance
    self.regionPoints = regionPoints
    self.minimumSamples = minimumSamples
    self.makeLime = makeLime
  }

  /// The divergences of the given kinds at one input.
  public func search(_ model: ExplainedModel, example: Int, at x0: DenseTensor<Double>, output: Int,
                     kinds: Set<LimeDivergence.Kind> = Set(LimeDivergence.Kind.allCases)) throws -> [LimeDivergence] {
    var found: [LimeDivergence] = []
    if kinds.contains(.fidelity), let d = try fidelity(model, example: example, at: x0, output: output) { found.append(d) }
    if kinds.contains(.attribution), let d = try attribution(model, example: example, at: x0, output: output) { found.append(d) }
    if kinds.contains(.instability), let d = try instability(model, example: example, at: x0, output: output) { found.append(d) }
    return found
  }

  /// The sample counts tried when minimizing, smallest first, ending below `samples`.
  var sampleLadder: [Int] {
    var ladder: [Int] = []
    var n = max(minimumSamples, 10)
    while n < samples {
      ladder.append(n)
      n *= 2
    }
    return ladder
  }

  // MARK: Observation

  /// What LIME shows at x0 with the given seeds and sample count: whether the divergence of
  /// `kind` shows beyond `tolerance`, and the values measured. Fidelity compares LIME's surrogate
  /// with the network at `point` (nil: at x0); instability compares LIME's explanations of x0 with
  /// two seeds, or with one seed at x0 and at `point`, which must lie in x0's region. The search's
  /// findings and their replays are both measured here.
  public func observe(_ kind: LimeDivergence.Kind, _ model: ExplainedModel, at x0: DenseTensor<Double>, point: [Double]? = nil,
                      output: Int, seeds: [UInt64], samples: Int, tolerance: Double) throws -> (diverges: Bool, observed: [String: Double]) {
    let lime = try makeLime(samples)
    let e = try lime.explain(model, at: x0, output: output, seed: seeds[0])
    switch kind {
    case .fidelity:
      guard let (g, f, gap) = try gap(model, e, at: point ?? x0.elements, shape: x0.shape) else { return (false, [:]) }
      let observed = ["surrogate": g, "model": f, "gap": gap, "score": e.diagnostics["score"] ?? .nan]
      return (gap > tolerance, observed.filter { $0.value.isFinite })
    case .attribution:
      let exact = try OpenBoxExplainer().explain(model, at: x0, output: output, seed: seeds[0]).relevance
      let (share, flipped) = agreement(e.relevance, exact)
      let radius = try model.regionRadius(at: x0)
      let scale = try (lime as? LimeTabularExplainer).map { try neighbourhoodScale($0, at: x0.elements, seed: seeds[0]) } ?? .nan
      let contained = radius >= scale
      let observed = ["topKAgreement": share, "oppositeSigns": Double(flipped.count), "regionRadius": radius, "limeScale": scale,
                      "regionContainsNeighbourhood": contained ? 1 : 0]
      return ((share < tolerance || !flipped.isEmpty) && (contained || !requireContainment), observed.filter { $0.value.isFinite })
    case .instability where seeds.count == 2:
      let cosine = Metrics.cosine(e.relevance, try lime.explain(model, at: x0, output: output, seed: seeds[1]).relevance)
      return (cosine < tolerance, ["cosine": cosine])
    case .instability:
      guard let point else { return (false, [:]) }
      let other = try lime.explain(model, at: DenseTensor(shape: x0.shape, elements: point), output: output, seed: seeds[0])
      let cosine = Metrics.cosine(e.relevance, other.relevance)
      let sameRegion = try model.samePattern(x0, point)
      return (cosine < tolerance && sameRegion, ["cosine": cosine, "sameRegion": sameRegion ? 1 : 0])
    }
  }

  /// Re-runs a divergence with its recorded input, seeds, sample count and threshold: whether it
  /// still diverges, and what is observed now.
  public func replay(_ d: LimeDivergence, model: ExplainedModel, shape: [Int]) throws -> (holds: Bool, observed: [String: Double]) {
    let result = try observe(d.kind, model, at: DenseTensor(shape: shape, elements: d.input), point: d.nearby, output: d.output,
                             seeds: d.seeds, samples: d.samples, tolerance: d.tolerance)
    return (result.diverges, result.observed)
  }

  /// The first (smallest) count of the sample ladder at which the divergence still shows, with
  /// its observation.
  func fewestSamples(_ observe: (Int) throws -> (diverges: Bool, observed: [String: Double])) throws -> (Int, [String: Double])? {
    for n in sampleLadder {
      let o = try observe(n)
      if o.diverges { return (n, o.observed) }
    }
    return nil
  }

  /// A tabular point shrunk towards x while `holds` stays true: coordinates reset to x one at a
  /// time, smallest change first (fewest changed features), then the remaining change scaled
  /// down by bisection (smallest perturbation).
  static func shrink(_ point: [Double], towards x: [Double], holds: ([Double]) throws -> Bool) throws -> [Double] {
    var nearby = point
    for j in x.indices.filter({ nearby[$0] != x[$0] }).sorted(by: { abs(nearby[$0] - x[$0]) < abs(nearby[$1] - x[$1]) }) {
      var trial = nearby
      trial[j] = x[j]
      if try holds(trial) { nearby = trial }
    }
    let delta = zip(nearby, x).map { $0 - $1 }
    guard delta.contains(where: { $0 != 0 }) else { return nearby }
    var (low, high) = (0.0, 1.0)
    for _ in 0..<20 {
      let mid = (low + high) / 2
      if try holds(zip(x, delta).map { $0 + mid * $1 }) { high = mid } else { low = mid }
    }
    return zip(x, delta).map { $0 + high * $1 }
  }

  // MARK: Fidelity

  func gap(_ model: ExplainedModel, _ e: Explanation, at x: [Double], shape: [Int]) throws -> (g: Double, f: Double, gap: Double)? {
    guard let g = e.surrogate?.predict(at: x) else { return nil }
    let f = try model.outputs(x, shape: shape, output: e.output, precision: .float64)[0]
    return (g, f, abs(g - f))
  }

  func fidelity(_ model: ExplainedModel, example: Int, at x0: DenseTensor<Double>, output: Int) throws -> LimeDivergence? {
    let shape = x0.shape
    let x = x0.elements
    let lime = try makeLime(samples)
    let e = try lime.explain(model, at: x0, output: output, seed: seed)
    var generator = SeededGenerator(seed: seed, stream: UInt64(example) &+ 1)
    var candidates = [x]
    // Image and text LIME: nearby inputs remove 1–3 patches or tokens, as LIME's own samples
    // do; tabular LIME: small moves within the radius.
    let grouped = try (lime as? LimeGroupsExplainer).map { try $0.groups(model, at: x0) }
    for _ in 0..<neighbours {
      if let (groups, removed) = grouped {
        var candidate = x
        for g in generator.sample(1 + generator.integer(below: min(3, groups.count)), from: groups.count) {
          for i in groups[g] { candidate[i] = removed[i] }
        }
        candidates.append(candidate)
      } else {
        candidates.append(x.map { $0 + radius * (2 * generator.uniform() - 1) })
      }
    }
    var best: ([Double], Double)? = nil
    for candidate in candidates {
      guard let (_, _, gap) = try gap(model, e, at: candidate, shape: shape), gap > fidelityTolerance else { continue }
      if best == nil || gap > best!.1 { best = (candidate, gap) }
    }
    guard var (nearby, _) = best else { return nil }
    let found = nearby
    var evaluations = candidates.count
    func holds(_ point: [Double]) throws -> Bool {
      evaluations += 1
      return (try gap(model, e, at: point, shape: shape)?.gap ?? 0) > fidelityTolerance
    }
    if let (groups, _) = grouped {
      // Fewest removed patches or tokens: restore them one at a time while the gap stays.
      for group in groups where group.contains(where: { nearby[$0] != x[$0] }) {
        var trial = nearby
        for i in group { trial[i] = x[i] }
        if try holds(trial) { nearby = trial }
      }
    } else {
      nearby = try Self.shrink(nearby, towards: x, holds: holds)
    }
    let changed = x.indices.filter { nearby[$0] != x[$0] }
    let point = changed.isEmpty ? nil : nearby
    // Fewest samples.
    func observe(_ n: Int) throws -> (diverges: Bool, observed: [String: Double]) {
      evaluations += 1
      return try self.observe(.fidelity, model, at: x0, point: point, output: output, seeds: [seed], samples: n, tolerance: fidelityTolerance)
    }
    let (samplesUsed, observed) = try fewestSamples(observe) ?? (samples, try observe(samples).observed)
    let (g, f, gapValue) = (observed["surrogate"]!, observed["model"]!, observed["gap"]!)
    let removedGroups = grouped.map { groups in groups.0.filter { $0.contains { nearby[$0] != x[$0] } }.count } ?? 0
    let where_ = changed.isEmpty ? "at x itself"
      : grouped != nil ? "at x′ = x with \(removedGroups) \((lime as? LimeGroupsExplainer)?.mode == .text ? "token" : "patch")(s) removed"
      : "at x′ = x with \(changed.count) feature(s) changed by at most \(format(changed.map { abs(nearby[$0] - x[$0]) }.max()!))"
    return LimeDivergence(
      kind: .fidelity, example: example, output: output, reference: x, input: x, nearby: point,
      changedFeatures: changed, found: found == x ? nil : found, seeds: [seed], samples: samplesUsed, tolerance: fidelityTolerance,
      observed: observed.merging(grouped == nil ? [:] : ["removedGroups": Double(removedGroups)]) { a, _ in a },
      summary: "LIME's surrogate gives \(format(g)) where the network gives \(format(f)) \(where_): |g − f| = \(format(gapValue)) > τ = \(format(fidelityTolerance)) (\(samplesUsed) samples)",
      shrink: ["changedFeaturesBefore": x.indices.filter { found[$0] != x[$0] }.count, "changedFeaturesAfter": changed.count,
               "samplesBefore": samples, "samplesAfter": samplesUsed, "evaluations": evaluations])
  }

  // MARK: Attribution

  /// The share of common top-k features and the common features with opposite signs.
  func agreement(_ lime: [Double], _ exact: [Double]) -> (share: Double, flipped: [Int]) {
    let k = min(topK, lime.count)
    let a = Set(Metrics.topK(lime, k)), b = Set(Metrics.topK(exact, k))
    let common = a.intersection(b)
    let flipped = common.filter { lime[$0] * exact[$0] < 0 }.sorted()
    return (Double(common.count) / Double(max(k, 1)), flipped)
  }

  /// Tabular LIME's neighbourhood scale: the kernel-weighted mean L∞ distance of its samples from x.
  func neighbourhoodScale(_ lime: LimeTabularExplainer, at x: [Double], seed: UInt64) throws -> Double {
    let hood = try lime.neighbourhood(of: x, seed: seed)
    let width = lime.kernelWidth ?? Double(hood.columns).squareRoot() * 0.75
    var total = 0.0, weight = 0.0
    for r in 1..<hood.rows {
      let w = LimeBase.kernel(hood.distances[r], width: width)
      let d = (0..<hood.columns).map { abs(hood.inverse[r * hood.columns + $0] - x[$0]) }.max() ?? 0
      total += w * d
      weight += w
    }
    return weight > 0 ? total / weight : .nan
  }

  func attribution(_ model: ExplainedModel, example: Int, at x0: DenseTensor<Double>, output: Int) throws -> LimeDivergence? {
    var evaluations = 1
    func observe(_ n: Int) throws -> (diverges: Bool, observed: [String: Double]) {
      evaluations += 1
      return try self.observe(.attribution, model, at: x0, output: output, seeds: [seed], samples: n, tolerance: minimumAgreement)
    }
    let full = try self.observe(.attribution, model, at: x0, output: output, seeds: [seed], samples: samples, tolerance: minimumAgreement)
    guard full.diverges else { return nil }
    let (samplesUsed, observed) = try fewestSamples(observe) ?? (samples, full.observed)
    let flipped = Int(observed["oppositeSigns"]!)
    let signs = flipped == 0 ? "" : "; opposite signs on \(flipped) common feature(s)"
    let radius = observed["regionRadius"]!
    return LimeDivergence(
      kind: .attribution, example: example, output: output, reference: x0.elements, input: x0.elements, nearby: nil, changedFeatures: [],
      found: nil, seeds: [seed], samples: samplesUsed, tolerance: minimumAgreement, observed: observed,
      summary: "LIME's top-\(topK) features share \(format(observed["topKAgreement"]! * 100))% with OpenBox's exact contributions\(signs) (\(samplesUsed) samples; region r∞ \(format(radius))\(observed["limeScale"].map { ", LIME's scale \(format($0))" } ?? ""))",
      shrink: ["samplesBefore": samples, "samplesAfter": samplesUsed, "evaluations": evaluations])
  }

  // MARK: Instability

  func instability(_ model: ExplainedModel, example: Int, at x0: DenseTensor<Double>, output: Int) throws -> LimeDivergence? {
    guard let d = try seedInstability(model, example: example, at: x0, output: output) else {
      return regionPoints ? try regionInstability(model, example: example, at: x0, output: output) : nil
    }
    return d
  }

  func seedInstability(_ model: ExplainedModel, example: Int, at x0: DenseTensor<Double>, output: Int) throws -> LimeDivergence? {
    var evaluations = 0
    func observe(_ n: Int) throws -> (diverges: Bool, observed: [String: Double]) {
      evaluations += 1
      return try self.observe(.instability, model, at: x0, output: output, seeds: [seed, seed &+ 1], samples: n, tolerance: cosineTolerance)
    }
    let full = try observe(samples)
    guard full.diverges else { return nil }
    var samplesUsed = samples
    var observed = full.observed
    // The largest smaller count still showing it is the closest to the configured LIME; the
    // ladder is walked down from there.
    for n in sampleLadder.reversed() {
      let o = try observe(n)
      guard o.diverges else { break }
      samplesUsed = n
      observed = o.observed
    }
    return LimeDivergence(
      kind: .instability, example: example, output: output, reference: x0.elements, input: x0.elements, nearby: nil, changedFeatures: [],
      found: nil, seeds: [seed, seed &+ 1], samples: samplesUsed, tolerance: cosineTolerance, observed: observed,
      summary: "LIME with seeds \(seed) and \(seed &+ 1) gives explanations with cosine \(format(observed["cosine"]!)) < τ = \(format(cosineTolerance)) (\(samplesUsed) samples; \(format(full.observed["cosine"]!)) with \(samples)); OpenBox's explanation of x is unique",
      shrink: ["samplesBefore": samples, "samplesAfter": samplesUsed, "evaluations": evaluations])
  }

  /// Two points of x's region (tabular LIME): x′ = x + δ with δ uniform within half the region's
  /// r∞ (and the radius); LIME with the same seed at x and x′ gives explanations with cosine below
  /// τ although OpenBox's A is the same. Minimized to the fewest samples, then (at that count)
  /// the fewest changed features and the smallest perturbation.
  func regionInstability(_ model: ExplainedModel, example: Int, at x0: DenseTensor<Double>, output: Int) throws -> LimeDivergence? {
    guard try makeLime(samples) is LimeTabularExplainer else { return nil }
    let x = x0.elements
    let reach = min(radius, try model.regionRadius(at: x0) / 2)
    guard reach > 0 else { return nil }
    var evaluations = 0
    func observe(_ point: [Double], _ n: Int) throws -> (diverges: Bool, observed: [String: Double]) {
      evaluations += 1
      return try self.observe(.instability, model, at: x0, point: point, output: output, seeds: [seed], samples: n, tolerance: cosineTolerance)
    }
    var generator = SeededGenerator(seed: seed, stream: UInt64(example) &+ 1 &+ (1 << 32))
    var found: [Double]?
    for _ in 0..<neighbours where found == nil {
      let candidate = x.map { $0 + reach * (2 * generator.uniform() - 1) }
      if try observe(candidate, samples).diverges { found = candidate }
    }
    guard let found else { return nil }
    let samplesUsed = try fewestSamples { try observe(found, $0) }?.0 ?? samples
    let nearby = try Self.shrink(found, towards: x) { try observe($0, samplesUsed).diverges }
    let observed = try observe(nearby, samplesUsed).observed
    let changed = x.indices.filter { nearby[$0] != x[$0] }
    return LimeDivergence(
      kind: .instability, example: example, output: output, reference: x, input: x, nearby: nearby, changedFeatures: changed,
      found: found, seeds: [seed], samples: samplesUsed, tolerance: cosineTolerance, observed: observed,
      summary: "LIME (seed \(seed)) explains x and x′ = x with \(changed.count) feature(s) changed by at most \(format(changed.map { abs(nearby[$0] - x[$0]) }.max() ?? 0)), in the same region (same OpenBox explanation A), with cosine \(format(observed["cosine"]!)) < τ = \(format(cosineTolerance)) (\(samplesUsed) samples)",
      shrink: ["changedFeaturesBefore": x.indices.filter { found[$0] != x[$0] }.count, "changedFeaturesAfter": changed.count,
               "samplesBefore": samples, "samplesAfter": samplesUsed, "evaluations": evaluations])
  }
}

extension ExplainedModel {
  /// Whether `x` has x0's float activation pattern (lies in x0's region, where OpenBox's
  /// explanation A is x0's).
  public func samePattern(_ x0: DenseTensor<Double>, _ x: [Double]) throws -> Bool {
    let plan = try core.plan(for: x0.shape)
    return plan.evaluate(x0.reshaped([1] + x0.shape)).pattern == plan.evaluate(DenseTensor(shape: [1] + x0.shape, elements: x)).pattern
  }

  /// r∞ of x0's float region: the largest L∞ ball around x0 inside P = {x : G·x ≤ h},
  /// min over inequalities of (h_i − g_i·x0) / ‖g_i‖₁ (0 when x0 is on a facet; infinity
  /// without inequalities). Float64; the exact value is in `explaincert certify`'s certificate.
  public func regionRadius(at x0: DenseTensor<Double>) throws -> Double {
    let plan = try core.plan(for: x0.shape)
    let pattern = plan.evaluate(x0.reshaped([1] + x0.shape)).pattern
    let n = x0.elements.count
    let identity = DenseTensor<Double>(shape: [n] + x0.shape) { out in
      for j in 0..<n { out[j * n + j] = 1 }
    }
    let region = plan.region(pattern: pattern, unitVectors: identity)
    let m = region.constraintCount
    guard m > 0 else { return .infinity }
    let g = region.constraints.elements, h = region.bounds.elements
    var radius = Double.infinity
    for i in 0..<m {
      var dot = 0.0, norm = 0.0
      for j in 0..<n {
        dot += g[j * m + i] * x0.elements[j]
        norm += abs(g[j * m + i])
      }
      guard norm > 0 else { continue }
      radius = min(radius, max(0, (h[i] - dot) / norm))
    }
    return radius
  }
}

/// Four significant digits.
func format(_ value: Double) -> String {
  String(format: "%.4g", value)
}
