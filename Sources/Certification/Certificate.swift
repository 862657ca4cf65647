/// A certificate of one OpenBox explanation: what `explaincert certify` writes and
/// `explaincert verify` re-derives from the model (never trusting the file).
///
/// Every exact number is a `"p/q"` string (q = 1 included). G and h are not stored: they are
/// large, and `verify` recomputes them from the model and the pattern.
public struct Certificate: Codable, Equatable, Sendable {
  /// One body output's affine map on the region.
  public struct AffineMap: Codable, Equatable, Sendable {
    public var output: String
    public var shape: [Int]
    /// A, one row per output element, one column per input.
    public var a: [[String]]
    public var c: [String]
    /// f(x0) evaluated exactly through the network.
    public var value: [String]
  }

  /// The choices of one pattern site: one character per element (`0`…`9`, then letters for
  /// MaxPool window positions past 9).
  public struct Site: Codable, Equatable, Sendable {
    public var node: String
    public var `operator`: String
    public var choices: String
  }

  /// Certified radii of balls around x0 inside P. With a domain box, `linf` is the radius of the
  /// largest ℓ∞ ball whose part inside the box lies in P; `l1` and the `l2` bounds are of the
  /// balls themselves (lower bounds of their in-box versions). "inf" when nothing bounds it.
  public struct Radii: Codable, Equatable, Sendable {
    public var linf: String
    public var l1: String
    public var l2Lower: String
    public var l2Upper: String
    /// The domain box [min, max] of every coordinate, when one was given.
    public var domain: [String]?
  }

  /// A neuron whose float choice at x0 differs from its exact choice.
  public struct Flip: Codable, Equatable, Sendable {
    public var node: String
    public var element: Int
    public var floatChoice: Int
    public var exactChoice: Int
  }

  /// How far the float explanation (the float32 core's Jacobian and pattern) is from the exact one.
  public struct FloatFindings: Codable, Equatable, Sendable {
    public var maxAbsoluteError: Double
    public var maxRelativeError: Double
    public var flippedNeurons: [Flip]
  }

  public var tool: String
  public var version: String
  public var model: String
  public var modelSHA256: String
  /// x0, the body's input (embedding vectors for token models), exactly.
  public var input: [String]
  public var inputShape: [Int]
  /// Token ids when the model reads tokens.
  public var tokens: [Int]?
  public var pattern: [Site]
  public var outputs: [AffineMap]
  /// f(x0) = A·x0 + c holds as an identity of rationals.
  public var identityHolds: Bool
  /// x0 satisfies every inequality of P exactly.
  public var inputInRegion: Bool
  public var constraints: Int
  public var ties: Int
  public var radii: Radii
  public var floatFindings: FloatFindings
  public var notes: [String]
}
