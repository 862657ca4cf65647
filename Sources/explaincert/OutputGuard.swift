import Foundation

/// Keeps a command's outputs off its own inputs: `check Properties/a.yaml --json
/// Properties/b.yaml` must not replace a suite with a report.
enum OutputGuard {
  /// Throws a one-line usage error when an output path (by option) names the same file as one of
  /// `inputs` (a suite, a model, an inputs file), through symbolic links and relative paths.
  static func refuse(_ outputs: [(option: String, path: String?)], toOverwrite inputs: [String]) throws {
    let protected = Set(inputs.map(identity))
    for case let (option, path?) in outputs where protected.contains(identity(path)) {
      throw UsageError("\(path): \(option) would overwrite one of the command's own inputs; choose another file")
    }
  }

  /// The file a path names: its resolved absolute path.
  static func identity(_ path: String) -> String {
    URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
  }
}
