// Exact numbers travel through JSON as strings: JSON numbers cannot hold them.

extension ExactInteger: Codable {
  /// Decodes decimal digits with an optional sign, such as `"-12"`.
  public init(from decoder: any Decoder) throws {
    let container = try decoder.singleValueContainer()
    let text = try container.decode(String.self)
    guard let value = ExactInteger(text) else {
      throw DecodingError.dataCorruptedError(
        in: container, debugDescription: "expected a decimal integer, found \"\(text)\"")
    }
    self = value
  }

  /// Encodes the decimal ``description``.
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode(description)
  }
}

extension Rational: Codable {
  /// Decodes `"p/q"` or `"p"` (see ``init(_:)``).
  public init(from decoder: any Decoder) throws {
    let container = try decoder.singleValueContainer()
    let text = try container.decode(String.self)
    guard let value = Rational(text) else {
      throw DecodingError.dataCorruptedError(
        in: container, debugDescription: "expected a rational \"p/q\", found \"\(text)\"")
    }
    self = value
  }

  /// Encodes ``fractionString``, `"p/q"`.
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode(fractionString)
  }
}

extension Dyadic: Codable {
  /// Decodes `"p/q"` or `"p"` with q a power of two.
  public init(from decoder: any Decoder) throws {
    let container = try decoder.singleValueContainer()
    let text = try container.decode(String.self)
    guard let value = Dyadic(text) else {
      throw DecodingError.dataCorruptedError(
        in: container,
        debugDescription: "expected a dyadic rational \"p/2^k\", found \"\(text)\"")
    }
    self = value
  }

  /// Encodes ``fractionString``, `"p/q"`.
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode(fractionString)
  }
}
