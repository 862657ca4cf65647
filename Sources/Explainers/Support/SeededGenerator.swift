import Foundation

/// The one seeded pseudo-random generator of ExplainCert (xoshiro256**, Blackman & Vigna 2021;
/// state filled by SplitMix64 from the seed).
///
/// Every random choice an explainer or the property tester makes comes from one of these, so the
/// same seed gives the same explanation and the same nearby inputs, bit for bit, on every
/// platform: the sequence depends only on 64-bit integer arithmetic, and the derived
/// distributions use only IEEE operations and `log`, `sqrt`, `sin`, `cos`, `erfc` of the C library.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
  private var s0, s1, s2, s3: UInt64
  private var spareNormal: Double?

  /// The generator of `seed`; `stream` selects one of many independent sequences of the same
  /// seed (for work split into chunks).
  public init(seed: UInt64, stream: UInt64 = 0) {
    var x = seed ^ (stream &* 0xD1B5_4A32_D192_ED03)
    s0 = Self.splitMix(&x)
    s1 = Self.splitMix(&x)
    s2 = Self.splitMix(&x)
    s3 = Self.splitMix(&x)
  }

  /// The generator of an independent stream for a named part of a run (a property case, a
  /// benchmark example): its seed is ``mix(_:_:)`` of `seed` and `key`.
  public init(seed: UInt64, key: String) {
    self.init(seed: Self.mix(seed, key))
  }

  /// A seed mixing `seed` with a key's stable hash (FNV-1a, not Swift's per-process `Hasher`),
  /// through one SplitMix64 step.
  public static func mix(_ seed: UInt64, _ key: String) -> UInt64 {
    var hash: UInt64 = 0xCBF2_9CE4_8422_2325
    for byte in key.utf8 {
      hash ^= UInt64(byte)
      hash = hash &* 0x0000_0100_0000_01B3
    }
    var state = seed ^ hash
    return splitMix(&state)
  }

  /// One step of SplitMix64 (Steele, Lea & Flood 2014): advances `state` and returns a
  /// well-mixed word.
  public static func splitMix(_ state: inout UInt64) -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  public mutating func next() -> UInt64 {
    let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
    let t = s1 << 17
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    s3 = s3 << 45 | s3 >> 19
    return result
  }

  /// A uniform double in [0, 1) with 53 random bits.
  public mutating func uniform() -> Double {
    Double(next() >> 11) * 0x1.0p-53
  }

  /// A uniform double in (0, 1).
  public mutating func openUniform() -> Double {
    (Double(next() >> 12) + 0.5) * 0x1.0p-52
  }

  /// A uniform integer in 0..<bound (unbiased, Lemire's method).
  public mutating func integer(below bound: Int) -> Int {
    precondition(bound > 0, "bound must be positive")
    let b = UInt64(bound)
    var m = next().multipliedFullWidth(by: b)
    if m.low < b {
      let threshold = (0 &- b) % b
      while m.low < threshold { m = next().multipliedFullWidth(by: b) }
    }
    return Int(m.high)
  }

  /// A standard normal deviate (Box–Muller; the second value of each pair is kept for the next call).
  public mutating func normal() -> Double {
    if let spare = spareNormal {
      spareNormal = nil
      return spare
    }
    let u = openUniform(), v = uniform()
    let radius = (-2 * Foundation.log(u)).squareRoot()
    let angle = 2 * Double.pi * v
    spareNormal = radius * Foundation.sin(angle)
    return radius * Foundation.cos(angle)
  }

  /// A value drawn from `values` with the given probabilities (which sum to 1).
  public mutating func choice(_ values: [Double], probabilities: [Double]) -> Double {
    let u = uniform()
    var total = 0.0
    for (value, p) in zip(values, probabilities) {
      total += p
      if u < total { return value }
    }
    return values[values.count - 1]
  }

  /// `count` distinct integers from 0..<n in random order (a partial Fisher–Yates shuffle).
  public mutating func sample(_ count: Int, from n: Int) -> [Int] {
    var pool = Array(0..<n)
    let k = min(count, n)
    for i in 0..<k {
      let j = i + integer(below: n - i)
      pool.swapAt(i, j)
    }
    return Array(pool[0..<k])
  }

  /// A normal deviate with mean `mean` and deviation `std`, truncated to [lower, upper] (inverse
  /// CDF sampling, on the side of the mean where the tail is thinner, as SciPy's `truncnorm` does).
  public mutating func truncatedNormal(mean: Double, std: Double, lower: Double, upper: Double) -> Double {
    let a = (lower - mean) / std, b = (upper - mean) / std
    if a == b { return lower }
    let z: Double
    if a > 0 {
      // Sample −Z on [−b, −a], where the CDF is far from 1.
      let (pa, pb) = (Normal.cdf(-b), Normal.cdf(-a))
      z = -Normal.quantile(pa + openUniform() * (pb - pa))
    } else {
      let (pa, pb) = (Normal.cdf(a), Normal.cdf(b))
      z = Normal.quantile(pa + openUniform() * (pb - pa))
    }
    return mean + std * min(max(z, a), b)
  }
}

/// The standard normal distribution's CDF, quantile and density.
public enum Normal {
  public static func cdf(_ x: Double) -> Double { 0.5 * Foundation.erfc(-x / 2.0.squareRoot()) }

  public static func density(_ x: Double) -> Double { Foundation.exp(-0.5 * x * x) / (2 * Double.pi).squareRoot() }

  // Acklam's coefficients, as tuples (values, never an allocation: Φ⁻¹ runs for every LIME
  // draw): the central region p in [low, 1 − low] and the tails.
  private static let centralNumerator = (-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00)
  private static let centralDenominator = (-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01)
  private static let tailNumerator = (-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00)
  private static let tailDenominator = (7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00)
  private static let centralLow = 0.02425

  /// Φ⁻¹(p) for p in (0, 1): Acklam's rational approximation refined by one Halley step
  /// (relative error near 1e-15; without the step, `refined: false`, about 1e-9).
  public static func quantile(_ p: Double, refined: Bool = true) -> Double {
    if p <= 0 { return -.infinity }
    if p >= 1 { return .infinity }
    let (a, b, c, d, low) = (centralNumerator, centralDenominator, tailNumerator, tailDenominator, centralLow)
    var x: Double
    if p < low {
      let q = (-2 * Foundation.log(p)).squareRoot()
      x = (((((c.0 * q + c.1) * q + c.2) * q + c.3) * q + c.4) * q + c.5) / ((((d.0 * q + d.1) * q + d.2) * q + d.3) * q + 1)
    } else if p <= 1 - low {
      let q = p - 0.5, r = q * q
      x = (((((a.0 * r + a.1) * r + a.2) * r + a.3) * r + a.4) * r + a.5) * q / (((((b.0 * r + b.1) * r + b.2) * r + b.3) * r + b.4) * r + 1)
    } else {
      let q = (-2 * Foundation.log(1 - p)).squareRoot()
      x = -(((((c.0 * q + c.1) * q + c.2) * q + c.3) * q + c.4) * q + c.5) / ((((d.0 * q + d.1) * q + d.2) * q + d.3) * q + 1)
    }
    guard refined else { return x }
    let e = cdf(x) - p
    let u = e * (2 * Double.pi).squareRoot() * Foundation.exp(x * x / 2)
    x -= u / (1 + x * u / 2)
    return x
  }

  /// `p[i] = quantile(p[i], refined: false)` for i in 0..<n (the same arithmetic), eight at a
  /// time in SIMD lanes for the central region, element by element in the tails.
  public static func quantiles(_ p: UnsafeMutablePointer<Double>, count n: Int) {
    let (a, b, low) = (centralNumerator, centralDenominator, centralLow)
    var i = 0
    while i + 8 <= n {
      let raw = UnsafeMutableRawPointer(p + i)
      let v = raw.loadUnaligned(as: SIMD8<Double>.self)
      let q = v - 0.5, r = q * q
      // Horner's scheme step by step (one expression is too much for the type checker).
      var numerator: SIMD8<Double> = a.0 * r + a.1
      numerator = numerator * r + a.2
      numerator = numerator * r + a.3
      numerator = numerator * r + a.4
      numerator = numerator * r + a.5
      var denominator: SIMD8<Double> = b.0 * r + b.1
      denominator = denominator * r + b.2
      denominator = denominator * r + b.3
      denominator = denominator * r + b.4
      denominator = denominator * r + 1
      var x = numerator * q / denominator
      let tails = (v .< low) .| (v .> 1 - low)
      if any(tails) {
        for lane in 0..<8 where tails[lane] { x[lane] = quantile(v[lane], refined: false) }
      }
      raw.storeBytes(of: x, as: SIMD8<Double>.self)
      i += 8
    }
    while i < n {
      p[i] = quantile(p[i], refined: false)
      i += 1
    }
  }

  /// The mean of a standard normal truncated to [a, b].
  public static func truncatedMean(_ a: Double, _ b: Double) -> Double {
    let mass = cdf(b) - cdf(a)
    guard mass > 0 else { return (a + b) / 2 }
    return (density(a) - density(b)) / mass
  }
}

/// A raw pointer handed to concurrently running chunks that write disjoint ranges.
struct SendablePointer<T>: @unchecked Sendable {
  let pointer: UnsafeMutablePointer<T>
  init(_ pointer: UnsafeMutablePointer<T>) { self.pointer = pointer }
}
