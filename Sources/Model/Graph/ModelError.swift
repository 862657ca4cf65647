/// A problem with a model file or with an input given to it: one line naming the file (or node)
/// and the problem.
public struct ModelError: Error, CustomStringConvertible, Sendable {
  public var message: String
  /// Set when the model is well formed but ExplainCert cannot read it as a piecewise-linear
  /// network: `info` still describes such a model.
  public var limitation: Limitation?

  /// Why a well-formed model cannot be imported.
  public enum Limitation: String, Sendable, Encodable {
    /// An operator that is not piecewise linear in the input (Tanh, a product of two values, …).
    case notPiecewiseLinear
    /// A piecewise-linear operator, or a use of one, that ExplainCert does not read yet.
    case unsupported
  }

  public init(_ message: String, limitation: Limitation? = nil) {
    self.message = message
    self.limitation = limitation
  }

  public var description: String { message }

  /// The same problem, prefixed with the file it concerns.
  public func inFile(_ path: String) -> ModelError {
    ModelError("\(path): \(message)", limitation: limitation)
  }
}
