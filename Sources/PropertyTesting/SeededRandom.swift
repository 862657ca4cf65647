import Foundation

/// The one random number generator of the property tester: xoshiro256** seeded through
/// SplitMix64 (Blackman & Vigna, "Scrambled linear pseudorandom number generators", 2021).
///
/// Every generator, property and shrinker takes its randomness from a `SeededRandom` derived
/// from the suite's seed, so the same seed gives the same inputs, bit for bit, on every machine
/// and with any number of parallel jobs: each case derives its own stream from the suite seed and
/// its case key (``derived(_:)``), never from a shared, order-dependent state.
public struct SeededRandom: RandomNumberGenerator, Sendable {
  /// The seed this stream was started from (printed by every report).
  public let seed: UInt64
  private var state: (UInt64, UInt64, UInt64, UInt64)

  public init(seed: UInt64) {
    self.seed = seed
    var mixer = SplitMix64(state: seed)
    state = (mixer.next(), mixer.next(), mixer.next(), mixer.next())
    if state == (0, 0, 0, 0) { state.0 = 1 }
  }

  /// The next 64 random bits (xoshiro256**).
  public mutating func next() -> UInt64 {
    let result = rotl(state.1 &* 5, 7) &* 9
    let t = state.1 << 17
    state.2 ^= state.0
    state.3 ^= state.1
    state.1 ^= state.2
    state.0 ^= state.3
    state.2 ^= t
    state.3 = rotl(state.3, 45)
    return result
  }

  /// An independent stream for a named part of a run (a case, a property, a shrink step): its
  /// seed mixes this stream's seed with the key's stable hash (FNV-1a, not Swift's per-process
  /// `Hasher`), so it does not depend on how many numbers were drawn before.
  public func derived(_ key: String) -> SeededRandom {
    SeededRandom(seed: Self.mix(seed, key))
  }

  /// The seed of ``derived(_:)``.
  public static func mix(_ seed: UInt64, _ key: String) -> UInt64 {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in key.utf8 {
      hash ^= UInt64(byte)
      hash = hash &* 0x0000_0100_0000_01b3
    }
    var mixer = SplitMix64(state: seed ^ hash)
    return mixer.next()
  }

  /// A uniform double in [0, 1) with 53 random bits.
  public mutating func unit() -> Double {
    Double(next() >> 11) * 0x1.0p-53
  }

  /// A uniform double in [lower, upper).
  public mutating func uniform(_ lower: Double, _ upper: Double) -> Double {
    lower + (upper - lower) * unit()
  }

  /// A standard normal deviate (Box–Muller; uses two uniforms per call, no cached state, so the
  /// stream stays a plain function of the seed).
  public mutating func gaussian() -> Double {
    var u = unit()
    while u == 0 { u = unit() }
    let v = unit()
    return (-2 * Foundation.log(u)).squareRoot() * Foundation.cos(2 * Double.pi * v)
  }

  /// A uniform integer in 0..<bound (Lemire's nearly divisionless method, through the standard
  /// library's implementation on this generator).
  public mutating func below(_ bound: Int) -> Int {
    precondition(bound > 0, "bound must be positive")
    return Int.random(in: 0..<bound, using: &self)
  }

  /// `k` distinct indices of 0..<n in random order (partial Fisher–Yates).
  public mutating func choose(_ k: Int, of n: Int) -> [Int] {
    var indices = Array(0..<n)
    let count = min(k, n)
    for i in 0..<count {
      let j = i + below(n - i)
      indices.swapAt(i, j)
    }
    return Array(indices[..<count])
  }

  private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }
}

/// SplitMix64 (Steele, Lea & Flood 2014): expands one 64-bit seed into well-mixed state words.
public struct SplitMix64: RandomNumberGenerator, Sendable {
  public var state: UInt64
  public init(state: UInt64) { self.state = state }
  public mutating func next() -> UInt64 {
    state &+= 0x9e37_79b9_7f4a_7c15
    var z = state
    z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
    z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
    return z ^ (z >> 31)
  }
}
