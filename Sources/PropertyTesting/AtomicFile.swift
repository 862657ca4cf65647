#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Atomic whole-file writes: the bytes go to a new temporary file beside the target (created
/// with O_EXCL), are flushed, and the temporary file is renamed over the target. A crash or a
/// kill leaves the old file or the new one, never a partial one; temporary files left by a kill
/// start with `.` and end in `.tmp-…`, and ``removeStaleTemporaries(in:)`` clears them.
public enum AtomicFile {
  public static func write(_ text: String, to path: String) throws {
    try write(Array(text.utf8), to: path)
  }

  public static func write(_ bytes: [UInt8], to path: String) throws {
    let url = URL(fileURLWithPath: path)
    let directory = url.deletingLastPathComponent().path
    let base = url.lastPathComponent
    var temporary = ""
    var descriptor: Int32 = -1
    for _ in 0..<32 {
      temporary = directory + "/.\(base).tmp-\(String(UInt64.random(in: .min ... .max), radix: 36))"
      descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
      if descriptor >= 0 || errno != EEXIST { break }
    }
    guard descriptor >= 0 else { throw SuiteError(message: "\(path): cannot create a temporary file (\(String(cString: strerror(errno))))") }
    var written = 0
    while written < bytes.count {
      let result = bytes.withUnsafeBytes { raw in posixWrite(descriptor, raw.baseAddress! + written, raw.count - written) }
      if result < 0 {
        if errno == EINTR { continue }
        let message = String(cString: strerror(errno))
        close(descriptor)
        unlink(temporary)
        throw SuiteError(message: "\(path): cannot write (\(message))")
      }
      written += result
    }
    guard fsync(descriptor) == 0, close(descriptor) == 0 else {
      unlink(temporary)
      throw SuiteError(message: "\(path): cannot flush (\(String(cString: strerror(errno))))")
    }
    guard rename(temporary, path) == 0 else {
      let message = String(cString: strerror(errno))
      unlink(temporary)
      throw SuiteError(message: "\(path): cannot rename the temporary file into place (\(message))")
    }
    let folder = open(directory, O_RDONLY | O_CLOEXEC)
    if folder >= 0 {
      fsync(folder)
      close(folder)
    }
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

private func posixWrite(_ descriptor: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
  #if canImport(Glibc)
  return Glibc.write(descriptor, buffer, count)
  #else
  return Darwin.write(descriptor, buffer, count)
  #endif
}
