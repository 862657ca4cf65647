extension Rational: CustomStringConvertible {
  /// `"p/q"` in lowest terms, always with the denominator: `"-3/2"`, `"5/1"`, `"0/1"`.
  public var description: String { fractionString }

  /// `"p/q"` in lowest terms, always with the denominator (`"5/1"` for 5), the
  /// form certificates store.
  public var fractionString: String {
    "\(numerator)/\(denominator)"
  }

  /// Parses `"p/q"` or `"p"`: an optional `+` or `-`, ASCII decimal digits, and
  /// optionally `/` and a nonzero denominator of ASCII decimal digits (no sign).
  /// No spaces or other characters. The result is reduced to lowest terms.
  public init?(_ text: some StringProtocol) {
    let utf8 = Substring(text).utf8
    guard let slash = utf8.firstIndex(of: UInt8(ascii: "/")) else {
      guard let integer = ExactInteger(text) else { return nil }
      self.init(integer)
      return
    }
    guard let numerator = ExactInteger(Substring(utf8[..<slash])),
      let denominator = ExactInteger.parseDigits(utf8[utf8.index(after: slash)...]),
      !denominator.isZero
    else { return nil }
    self.init(numerator, denominator)
  }
}
