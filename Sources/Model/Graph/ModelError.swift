/// A problem with a model file or with an input given to it: one line naming the file (or node)
/// and the problem.
public struct ModelError: Error, CustomStringConvertible, Sendable {
  public var message: String

  public init(_ message: String) {
    self.message = message
  }

  public var description: String { message }

  /// The same problem, prefixed with the file it concerns.
  public func inFile(_ path: String) -> ModelError {
    ModelError("\(path): \(message)")
  }
}
