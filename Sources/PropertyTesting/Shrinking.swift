/// How far a counterexample shrank.
public struct ShrinkReport: Codable, Sendable, Equatable {
  /// Features that differ from x0, before and after.
  public var changedFeaturesBefore: Int
  public var changedFeaturesAfter: Int
  /// ‖x − x0‖∞ and ‖x − x0‖₂, before and after.
  public var linfBefore: Double
  public var linfAfter: Double
  public var l2Before: Double
  public var l2After: Double
  /// The suite's radius, and the smallest radius with which the same seed still finds a
  /// failure (nil when the radius was not shrunk).
  public var radiusBefore: Double
  public var radiusAfter: Double?
  /// The suite's sample count, and the fewest samples with which the same seed (at the shrunk
  /// radius) still finds a failure.
  public var samplesBefore: Int
  public var samplesAfter: Int
  /// Property evaluations the shrinking spent.
  public var evaluations: Int

  /// One line for reports.
  public var summary: String {
    var parts = [
      "changed features \(changedFeaturesBefore) → \(changedFeaturesAfter)",
      "‖x − x0‖∞ \(format(linfBefore)) → \(format(linfAfter))",
      "‖x − x0‖₂ \(format(l2Before)) → \(format(l2After))",
    ]
    if let radiusAfter { parts.append("radius \(format(radiusBefore)) → \(format(radiusAfter))") }
    parts.append("samples \(samplesBefore) → \(samplesAfter)")
    parts.append("\(evaluations) evaluations")
    return parts.joined(separator: ", ")
  }
}

/// Minimizes a failing input towards x0: delta debugging (Zeller & Hildebrandt's ddmin) to the
/// fewest features that still differ from x0, then numeric shrinking, first of the whole
/// perturbation and then feature by feature, by bisection towards x0. Every candidate is a
/// float32 point between x0 and the failing input, so it is a valid model input.
public struct Shrinker {
  public let x0: [Double]
  public let budget: Int
  let fails: ([Double]) throws -> Bool
  private(set) var evaluations = 0

  public init(x0: [Double], budget: Int = 600, fails: @escaping ([Double]) throws -> Bool) {
    self.x0 = x0
    self.budget = budget
    self.fails = fails
  }

  mutating func test(_ x: [Double]) throws -> Bool {
    guard evaluations < budget else { return false }
    evaluations += 1
    return try fails(x)
  }

  /// The smallest failing input found from `x` (which must fail) and the evaluations spent.
  public mutating func shrink(_ x: [Double]) throws -> (input: [Double], evaluations: Int) {
    var current = x
    // 1. Fewest changed features.
    let origin = x0
    let changed = x.indices.filter { x[$0] != origin[$0] }
    let kept = try ddmin(changed) { subset in
      var candidate = origin
      for i in subset { candidate[i] = x[i] }
      return candidate
    }
    current = x0
    for i in kept { current[i] = x[i] }
    // 2. The whole perturbation scaled towards x0.
    current = try bisect(current, features: kept)
    // 3. Each feature on its own.
    for i in kept {
      current = try bisect(current, features: [i])
    }
    // Features the bisection brought back to x0 are no longer changed.
    return (current, evaluations)
  }

  /// ddmin: a 1-minimal subset of `items` whose candidate still fails.
  mutating func ddmin(_ items: [Int], _ candidate: ([Int]) -> [Double]) throws -> [Int] {
    var set = items
    var n = 2
    while set.count >= 2 {
      let size = (set.count + n - 1) / n
      let chunks = stride(from: 0, to: set.count, by: size).map { Array(set[$0..<min($0 + size, set.count)]) }
      var reduced = false
      for chunk in chunks where try test(candidate(chunk)) {
        set = chunk
        n = 2
        reduced = true
        break
      }
      if !reduced && chunks.count > 2 {
        for (k, _) in chunks.enumerated() {
          let complement = chunks.enumerated().filter { $0.offset != k }.flatMap(\.element)
          if try test(candidate(complement)) {
            set = complement
            n = max(n - 1, 2)
            reduced = true
            break
          }
        }
      }
      if !reduced {
        if n >= set.count || evaluations >= budget { break }
        n = min(2 * n, set.count)
      }
    }
    return set
  }

  /// The smallest fraction λ of the features' steps from x0 (bisection, failing at λ = 1) that
  /// still fails; the point at that fraction.
  mutating func bisect(_ x: [Double], features: [Int]) throws -> [Double] {
    let origin = x0
    func at(_ lambda: Double) -> [Double] {
      var point = x
      for i in features { point[i] = NearbyGenerator.towards(origin[i], origin[i] + lambda * (x[i] - origin[i]), domain: nil) }
      return point
    }
    var lo = 0.0, hi = 1.0
    var best = x
    for _ in 0..<48 {
      let mid = (lo + hi) / 2
      let point = at(mid)
      if point == best || point == at(lo) { break }
      if try test(point) {
        hi = mid
        best = point
      } else {
        lo = mid
      }
      if evaluations >= budget { break }
    }
    return best
  }
}
