import CGMP

extension ExactInteger: CustomStringConvertible {
  /// Decimal digits with a leading `-` when negative.
  public var description: String {
    withMPZ { z in
      // sizeinbase may overestimate by one; add room for the sign and the NUL.
      let capacity = __gmpz_sizeinbase(z, 10) + 2
      return String(unsafeUninitializedCapacity: capacity) { buffer in
        buffer.initialize(repeating: 0)
        buffer.withMemoryRebound(to: CChar.self) { chars in
          _ = __gmpz_get_str(chars.baseAddress, 10, z)
        }
        return buffer.firstIndex(of: 0) ?? capacity
      }
    }
  }

  /// Parses an optional `+` or `-` followed by one or more ASCII decimal digits,
  /// with nothing else (no spaces, no underscores). Returns `nil` otherwise.
  public init?(_ text: some StringProtocol) {
    var utf8 = Substring(text).utf8[...]
    var negative = false
    if let first = utf8.first, first == UInt8(ascii: "+") || first == UInt8(ascii: "-") {
      negative = first == UInt8(ascii: "-")
      utf8 = utf8.dropFirst()
    }
    guard let magnitude = ExactInteger.parseDigits(utf8) else { return nil }
    self = negative ? -magnitude : magnitude
  }

  /// Parses one or more ASCII decimal digits and nothing else.
  static func parseDigits(_ digits: Substring.UTF8View) -> ExactInteger? {
    guard !digits.isEmpty,
      digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
    else { return nil }
    var chars = Array(digits).map { CChar(bitPattern: $0) }
    chars.append(0)
    let result = ExactInteger()
    let status = result.withMPZ { __gmpz_set_str($0, chars, 10) }
    return status == 0 ? result : nil
  }
}
