import Foundation

/// Nearby-input generators, properties of explanations, suites, shrinking and the counterexample
/// store (see the property tester issue).
public enum PropertyTesting {}

extension PropertyTesting {
  /// The files under `paths` (folders are searched recursively for names `matching` accepts;
  /// files are taken as given), sorted within each folder.
  static func files(in paths: [String], matching: (String) -> Bool) throws -> [String] {
    var result: [String] = []
    for path in paths {
      var isDirectory: ObjCBool = false
      guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
        throw SuiteError(message: "\(path): no such file or folder")
      }
      if isDirectory.boolValue {
        let base = path.hasSuffix("/") ? String(path.dropLast()) : path
        let found = (FileManager.default.enumerator(atPath: path)?.allObjects as? [String] ?? []).filter(matching).sorted()
        result += found.map { "\(base)/\($0)" }
      } else {
        result.append(path)
      }
    }
    return result
  }
}
