import CFLINT
import ExactArithmetic

/// The positive number every integer entry of an ``ExactTensor`` is multiplied by:
/// `ratio · 2^exponent`, with `ratio` a fraction of two odd, coprime, positive integers.
///
/// On the dyadic fast path `ratio` is 1 (`nil`) and the scale is a power of two, so combining
/// tensors needs only shifts. Only a division by a number that is not a power of two (average
/// pooling's window counts, `Div` by a constant) makes the ratio non-trivial.
struct ExactScale: Sendable, Equatable {
  var exponent: Int
  /// The odd part; `nil` for 1.
  var ratio: Rational?

  static func powerOfTwo(_ exponent: Int) -> ExactScale {
    ExactScale(exponent: exponent, ratio: nil)
  }

  /// `ratio · 2^exponent` for a positive `ratio`, with the powers of two moved into the exponent.
  init(ratio: Rational, exponent: Int) {
    precondition(ratio.signum() > 0, "a scale must be positive")
    var numerator = ratio.numerator
    var denominator = ratio.denominator
    let up = numerator.trailingZeroBitCount
    let down = denominator.trailingZeroBitCount
    numerator = numerator >> up
    denominator = denominator >> down
    self.exponent = exponent + up - down
    self.ratio = numerator == 1 && denominator == 1 ? nil : Rational(numerator, denominator)
  }

  init(exponent: Int, ratio: Rational?) {
    self.exponent = exponent
    self.ratio = ratio
  }

  var isDyadic: Bool { ratio == nil }

  /// The scale as a rational number.
  var value: Rational {
    (ratio ?? Rational(1)).multiplied(byPowerOfTwo: exponent)
  }

  func times(powerOfTwo k: Int) -> ExactScale {
    ExactScale(exponent: exponent + k, ratio: ratio)
  }

  /// This scale divided by a positive integer.
  func divided(by divisor: ExactInteger) -> ExactScale {
    precondition(divisor.signum() > 0, "a scale must stay positive")
    return ExactScale(ratio: (ratio ?? Rational(1)) / Rational(divisor), exponent: exponent)
  }

  /// The product of two scales.
  func times(_ other: ExactScale) -> ExactScale {
    switch (ratio, other.ratio) {
    case (nil, nil): return .powerOfTwo(exponent + other.exponent)
    case (let r?, nil), (nil, let r?): return ExactScale(exponent: exponent + other.exponent, ratio: r)
    case (let a?, let b?): return ExactScale(ratio: a * b, exponent: exponent + other.exponent)
    }
  }

  /// The largest scale that divides every one of `scales` (each an integer multiple of it), and
  /// the integer factor that takes each to it.
  static func common(_ scales: [ExactScale]) -> (scale: ExactScale, factors: [ScaleFactor]) {
    precondition(!scales.isEmpty, "no scales to combine")
    let exponent = scales.map(\.exponent).min()!
    if scales.allSatisfy(\.isDyadic) {
      return (.powerOfTwo(exponent), scales.map { ScaleFactor(odd: nil, shift: $0.exponent - exponent) })
    }
    // g / L with g the gcd of the numerators and L the lcm of the denominators.
    var g = ExactInteger(0)
    var l = ExactInteger(1)
    for scale in scales {
      let r = scale.ratio ?? Rational(1)
      g = ExactInteger.gcd(g, r.numerator)
      l = ExactInteger.lcm(l, r.denominator)
    }
    let ratio = Rational(g, l)
    let common = ExactScale(exponent: exponent, ratio: ratio == Rational(1) ? nil : ratio)
    let factors = scales.map { scale -> ScaleFactor in
      let quotient = (scale.ratio ?? Rational(1)) / ratio
      precondition(quotient.isInteger, "scale bookkeeping: not an integer multiple")
      let odd = quotient.numerator
      return ScaleFactor(odd: odd == 1 ? nil : odd, shift: scale.exponent - exponent)
    }
    return (common, factors)
  }
}

/// An integer `odd · 2^shift` (`shift ≥ 0`) by which integer entries are multiplied to move them
/// from one scale to a smaller one.
struct ScaleFactor {
  var odd: ExactInteger?
  var shift: Int

  static let one = ScaleFactor(odd: nil, shift: 0)

  var isOne: Bool { odd == nil && shift == 0 }

  /// The factor as one integer.
  var integer: ExactInteger {
    (odd ?? ExactInteger(1)) << shift
  }

  /// The factor in a form FLINT applies quickly.
  var applier: FactorApplier { FactorApplier(self) }
}

/// Applies a ``ScaleFactor`` to FLINT integers.
struct FactorApplier {
  /// `nil` when the factor is a power of two.
  let odd: FmpzBuffer?
  let shift: UInt

  init(_ factor: ScaleFactor) {
    odd = factor.odd.map(FmpzBuffer.scalar)
    shift = UInt(factor.shift)
  }

  var isOne: Bool { odd == nil && shift == 0 }

  /// `target = source · factor`.
  @inline(__always)
  func apply(_ target: UnsafeMutablePointer<fmpz>, _ source: UnsafePointer<fmpz>) {
    if let odd {
      fmpz_mul(target, source, odd.base)
      if shift > 0 { fmpz_mul_2exp(target, target, shift) }
    } else if shift > 0 {
      fmpz_mul_2exp(target, source, shift)
    } else {
      fmpz_set(target, source)
    }
  }
}
