import Foundation

extension DecodingError {
  /// What a `Codable` file got wrong, in a few words with the field's dotted path: a missing
  /// field, a wrong type, malformed JSON.
  public var oneLine: String {
    func place(_ context: Context, _ key: CodingKey? = nil) -> String {
      (context.codingPath.map(\.stringValue) + (key.map { [$0.stringValue] } ?? [])).joined(separator: ".")
    }
    switch self {
    case .keyNotFound(let key, let context): return "missing field '\(place(context, key))'"
    case .typeMismatch(_, let context), .valueNotFound(_, let context): return "wrong type at '\(place(context))'"
    case .dataCorrupted(let context):
      return place(context).isEmpty ? "malformed JSON" : "bad value at '\(place(context))'"
    @unknown default: return "\(self)"
    }
  }
}
