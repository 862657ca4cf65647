import Foundation

/// Paths of the repository and of `../shared`, found from this file.
enum Paths {
  static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
  static let fixtures = repository + "/Fixtures"
  static let shared = repository + "/../shared"

  /// Whether `../shared` is present; prints a loud line when it is not.
  static func sharedAvailable(for test: String) -> Bool {
    if FileManager.default.fileExists(atPath: shared + "/models") { return true }
    print("SKIPPED \(test): ../shared not found beside the repository")
    return false
  }
}
