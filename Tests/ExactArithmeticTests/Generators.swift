import ExactArithmetic
import PropertyBased

/// A generator from a plain sampling function (no shrinking).
func sample<T: Sendable>(
  _ run: @Sendable @escaping (inout any SeededRandomNumberGenerator) -> sending T
) -> Generator<T, Shrink.None<T>> {
  Generator(run: run)
}

/// Integers of mixed sizes: tiny, one word, and up to five words, either sign.
func randomInteger(_ rng: inout any SeededRandomNumberGenerator) -> ExactInteger {
  switch Int.random(in: 0..<10, using: &rng) {
  case 0..<3:
    return ExactInteger(Int.random(in: -8...8, using: &rng))
  case 3..<6:
    return ExactInteger(Int64.random(in: .min ... .max, using: &rng))
  default:
    var value = ExactInteger(UInt64.random(in: 1 ... .max, using: &rng))
    for _ in 0..<Int.random(in: 1...4, using: &rng) {
      value = (value << 64) + ExactInteger(UInt64.random(in: .min ... .max, using: &rng))
    }
    value = value >> Int.random(in: 0..<64, using: &rng)
    return Bool.random(using: &rng) ? -value : value
  }
}

func randomNonzeroInteger(_ rng: inout any SeededRandomNumberGenerator) -> ExactInteger {
  while true {
    let value = randomInteger(&rng)
    if !value.isZero { return value }
  }
}

func randomRational(_ rng: inout any SeededRandomNumberGenerator) -> Rational {
  Rational(randomInteger(&rng), randomNonzeroInteger(&rng))
}

/// Dyadics with wide exponents, and half the time narrow ones so that
/// operands often share an exponent (where sums need renormalizing).
func randomDyadic(_ rng: inout any SeededRandomNumberGenerator) -> Dyadic {
  let range = Bool.random(using: &rng) ? -300...300 : -2...2
  return Dyadic(mantissa: randomInteger(&rng), exponent: Int.random(in: range, using: &rng))
}

/// Finite doubles from random bit patterns, a quarter of them subnormal.
func randomFiniteDouble(_ rng: inout any SeededRandomNumberGenerator) -> Double {
  while true {
    var bits = UInt64.random(in: .min ... .max, using: &rng)
    if Int.random(in: 0..<4, using: &rng) == 0 {
      bits &= ~(UInt64(0x7FF) << 52)  // exponent field 0: subnormal or zero
    }
    let value = Double(bitPattern: bits)
    if value.isFinite { return value }
  }
}

/// Finite floats from random bit patterns, a quarter of them subnormal.
func randomFiniteFloat(_ rng: inout any SeededRandomNumberGenerator) -> Float {
  while true {
    var bits = UInt32.random(in: .min ... .max, using: &rng)
    if Int.random(in: 0..<4, using: &rng) == 0 {
      bits &= ~(UInt32(0xFF) << 23)
    }
    let value = Float(bitPattern: bits)
    if value.isFinite { return value }
  }
}

let integers = sample { randomInteger(&$0) }
let nonzeroIntegers = sample { randomNonzeroInteger(&$0) }
let rationals = sample { randomRational(&$0) }
let nonzeroRationals = rationals.filter { !$0.isZero }
let dyadics = sample { randomDyadic(&$0) }
let finiteDoubles = sample { randomFiniteDouble(&$0) }
let finiteFloats = sample { randomFiniteFloat(&$0) }

/// Rationals whose magnitudes span the whole Double range and beyond, to
/// exercise subnormal results and overflow.
let wideRationals = sample { rng -> Rational in
  let value = randomRational(&rng)
  return value.multiplied(byPowerOfTwo: Int.random(in: -1200...1100, using: &rng))
}
