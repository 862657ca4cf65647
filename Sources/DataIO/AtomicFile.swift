import Foundation

/// Atomic whole-file writes — the one writer every file ExplainCert writes goes through: the bytes
/// go to a new temporary file beside the target (created with O_EXCL), are flushed, and the
/// temporary file is renamed over the target. A crash or a kill leaves the old file or the new
/// one, never a partial one; temporary files left by a kill start with `.` and end in `.tmp-…`,
/// and ``removeStaleTemporaries(in:olderThan:)`` clears them. Errors name the file.
public enum AtomicFile {
  public static func write(_ text: String, to path: String) throws {
    try write(Array(text.utf8), to: path)
  }

  public static func write(_ bytes: [UInt8], to path: String) throws {
    try FileIO.writeAtomically(bytes, to: path)
  }

  /// Removes temporary files a killed writer left in a folder (`.NAME.tmp-XXXX`) more than
  /// `age` seconds ago (younger ones may belong to a writer still at work).
  public static func removeStaleTemporaries(in directory: String, olderThan age: TimeInterval = 600) {
    let manager = FileManager.default
    guard let names = try? manager.contentsOfDirectory(atPath: directory) else { return }
    for name in names where name.hasPrefix(".") && name.contains(".tmp-") {
      let path = directory + "/" + name
      guard let modified = (try? manager.attributesOfItem(atPath: path))?[.modificationDate] as? Date,
            Date().timeIntervalSince(modified) > age else { continue }
      try? manager.removeItem(atPath: path)
    }
  }
}
