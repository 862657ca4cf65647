extension Dyadic: CustomStringConvertible {
  /// `"p/q"` in lowest terms, as for ``Rational`` (q is a power of two): `"3/8"`, `"4/1"`.
  public var description: String { fractionString }

  /// `"p/q"` in lowest terms, always with the denominator.
  public var fractionString: String {
    if exponent >= 0 { return "\(mantissa << exponent)/1" }
    return "\(mantissa)/\(ExactInteger.powerOfTwo(-exponent))"
  }

  /// Parses `"p/q"` or `"p"` as ``Rational`` does, and fails unless the reduced
  /// denominator is a power of two.
  public init?(_ text: some StringProtocol) {
    guard let value = Rational(text) else { return nil }
    self.init(exactly: value)
  }
}
