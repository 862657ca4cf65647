/// A NaN or an infinity was given where an exact number is required.
///
/// Every finite `Float` or `Double` is a dyadic rational and converts exactly;
/// these three values have no exact counterpart.
public struct NonFiniteValueError: Error, Hashable, Sendable, CustomStringConvertible {
  /// Which non-finite value was found.
  public enum Kind: Hashable, Sendable {
    case notANumber
    case positiveInfinity
    case negativeInfinity
  }

  /// Which non-finite value was found.
  public var kind: Kind
  /// The position of the value in a bulk conversion, or `nil` for a single value.
  public var index: Int?

  public init(kind: Kind, index: Int? = nil) {
    self.kind = kind
    self.index = index
  }

  init<F: BinaryFloatingPoint>(_ value: F, index: Int? = nil) {
    precondition(!value.isFinite)
    let kind: Kind =
      value.isNaN ? .notANumber : (value < 0 ? .negativeInfinity : .positiveInfinity)
    self.init(kind: kind, index: index)
  }

  /// One line, such as `cannot convert nan to an exact number`.
  public var description: String {
    let name =
      switch kind {
      case .notANumber: "nan"
      case .positiveInfinity: "+inf"
      case .negativeInfinity: "-inf"
      }
    if let index {
      return "cannot convert \(name) (element \(index)) to an exact number"
    }
    return "cannot convert \(name) to an exact number"
  }
}
