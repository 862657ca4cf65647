/// One dimension of a declared input shape: a fixed size or a symbolic name (any size).
public enum Dimension: Hashable, Sendable, CustomStringConvertible {
  case fixed(Int)
  case symbolic(String)

  public var description: String {
    switch self {
    case .fixed(let size): return String(size)
    case .symbolic(let name): return name.isEmpty ? "?" : name
    }
  }

  /// Whether a concrete size fits this dimension.
  public func accepts(_ size: Int) -> Bool {
    switch self {
    case .fixed(let fixed): return fixed == size
    case .symbolic: return size >= 1
    }
  }
}

extension Array where Element == Dimension {
  /// The shape written as `[N, 1, 8, 8]`.
  public var shapeDescription: String { "[" + map(\.description).joined(separator: ", ") + "]" }
}
