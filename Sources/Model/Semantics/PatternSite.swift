/// A place in the network where a piecewise-linear operator chooses one affine piece per element.
public struct PatternSite: Sendable {
  /// The most elements a MaxPool window may have: its choice is written as one base-36 digit.
  public static let maximumWindow = 36

  /// What kind of choice the site records.
  public enum Kind: Sendable, Equatable {
    /// An elementwise function with breakpoints; the choice is the number of breakpoints
    /// strictly below the input (so a value exactly at a breakpoint takes the lower piece).
    case elementwise(breakpoints: [Broadcast], pieces: [Piece], name: String)
    /// Max pooling; the choice is the position in the window of the first largest element.
    case maxPool(windows: IndexMap, window: Int)

    public static func == (lhs: Kind, rhs: Kind) -> Bool {
      switch (lhs, rhs) {
      case (.elementwise(_, _, let a), .elementwise(_, _, let b)): return a == b
      case (.maxPool(_, let a), .maxPool(_, let b)): return a == b
      default: return false
      }
    }
  }

  /// The node (ONNX name) the site belongs to.
  public var node: String
  public var kind: Kind
  /// The shape of one copy's choices (for an RNN: [time, batch, hidden]).
  public var shape: [Int]

  /// Number of choices at the site.
  public var count: Int { shape.reduce(1, *) }

  /// The operator name for reports (`Relu`, `Clip`, `MaxPool`, ...).
  public var operatorName: String {
    switch kind {
    case .elementwise(_, _, let name): return name
    case .maxPool: return "MaxPool"
    }
  }
}

/// The pieces chosen at every site for one input: the activation pattern σ.
public struct ActivationPattern: Sendable, Equatable, Hashable {
  /// One array per site, in site order; one choice per element.
  public var choices: [[UInt8]]

  public init(choices: [[UInt8]]) {
    self.choices = choices
  }

  /// Total number of choices.
  public var count: Int { choices.reduce(0) { $0 + $1.count } }

  /// Each site's choices as text, one character per element: the chosen piece's index in base
  /// 36 (`0` is the first piece: ReLU inactive, Clip saturated low). Two inputs lie in the same
  /// region exactly when these texts are equal (ties aside).
  public var texts: [String] {
    choices.map { site in String(site.map { $0 < 36 ? Self.digits[Int($0)] : "?" }) }
  }

  private static let digits = Array("0123456789abcdefghijklmnopqrstuvwxyz")

  /// The positions (site, element) where two patterns differ.
  public func differences(from other: ActivationPattern) -> [(site: Int, element: Int)] {
    var result: [(Int, Int)] = []
    for (site, (mine, theirs)) in zip(choices, other.choices).enumerated() {
      for element in mine.indices where mine[element] != theirs[element] {
        result.append((site, element))
      }
    }
    return result
  }
}
