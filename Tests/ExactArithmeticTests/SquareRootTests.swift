import ExactArithmetic
import PropertyBased
import Testing

@Suite("Square root bounds")
struct SquareRootTests {
  @Test("bounds bracket the root within 2^-bits")
  func bracket() async {
    await propertyCheck(input: rationals, Gen.int(in: 0...120)) { r, bits in
      let x = r.magnitude
      let (lower, upper) = x.squareRootBounds(fractionalBits: bits)
      #expect(lower.signum() >= 0)
      #expect(lower * lower <= x)
      #expect(upper * upper >= x)
      #expect(upper - lower <= Rational(2).power(-bits))
      #expect(upper - lower >= 0)
      // Both are multiples of 2^-bits: the floor and ceiling at that precision.
      #expect(lower.multiplied(byPowerOfTwo: bits).isInteger)
      #expect(upper.multiplied(byPowerOfTwo: bits).isInteger)
      if lower != upper {
        #expect(lower * lower < x && x < upper * upper)
      }
    }
  }

  @Test("exact squares give equal bounds")
  func exactSquares() async {
    await propertyCheck(input: rationals) { r in
      let square = r * r
      let bits = 2 * r.denominator.bitLength
      let (lower, upper) = square.squareRootBounds(fractionalBits: bits)
      if r.denominator.isPowerOfTwoMagnitude {
        #expect(lower == upper)
        #expect(lower == r.magnitude)
      } else {
        #expect(lower < r.magnitude && r.magnitude < upper)
      }
    }
    let (lower, upper) = Rational(2).squareRootBounds(fractionalBits: 10)
    #expect(lower == Rational(1448, 1024))
    #expect(upper == Rational(1449, 1024))
    #expect(Rational(9, 4).squareRootBounds(fractionalBits: 0) == (1, 2))
    #expect(Rational(9, 4).squareRootBounds(fractionalBits: 1) == (Rational(3, 2), Rational(3, 2)))
    #expect(Rational(0).squareRootBounds(fractionalBits: 5) == (0, 0))
  }
}
