//===--- FileIO.swift ------------------------------------------------------===//
//
// This source file is part of the ExplainCert project.
//
//===----------------------------------------------------------------------===//

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#else
#error("DataIO needs a POSIX C library")
#endif

/// Whole-file reads and atomic whole-file writes on top of POSIX.
enum FileIO {
  /// Reads the entire file at `path`.
  static func readAll(path: String) throws(DataIOError) -> [UInt8] {
    let descriptor = open(path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else { throw ioError(path, "cannot open for reading") }
    defer { _ = close(descriptor) }

    var status = stat()
    guard fstat(descriptor, &status) == 0 else { throw ioError(path, "cannot stat") }
    guard (status.st_mode & S_IFMT) != S_IFDIR else {
      throw DataIOError(file: path, kind: .io, message: "cannot read: is a directory")
    }

    // Size the buffer from the file's size (one spare byte to see EOF), but
    // keep reading if the file turns out longer, e.g. a pipe.
    let expected = Int(clamping: status.st_size)
    var buffer = [UInt8](repeating: 0, count: max(expected, 0) + 1)
    var filled = 0
    while true {
      if filled == buffer.count {
        buffer.append(contentsOf: repeatElement(0, count: max(buffer.count, 1 << 16)))
      }
      let result = buffer.withUnsafeMutableBytes { raw -> Int in
        guard let base = raw.baseAddress else { return 0 }
        return read(descriptor, base + filled, raw.count - filled)
      }
      if result < 0 {
        if errno == EINTR { continue }
        throw ioError(path, "cannot read")
      }
      if result == 0 { break }
      filled += result
    }
    buffer.removeSubrange(filled...)
    return buffer
  }

  /// Writes `bytes` to `path` atomically: the data goes to a new temporary
  /// file in the same directory, which is flushed and then renamed over
  /// `path`. A crash leaves either the old file or the new one, never a
  /// partial file; on failure the temporary file is removed.
  static func writeAtomically(_ bytes: [UInt8], to path: String) throws(DataIOError) {
    guard !path.isEmpty, !path.hasSuffix("/") else {
      throw DataIOError(file: path, kind: .io, message: "cannot write: not a file path")
    }
    let directory: String
    let base: String
    if let slash = path.lastIndex(of: "/") {
      directory = slash == path.startIndex ? "/" : String(path[..<slash])
      base = String(path[path.index(after: slash)...])
    } else {
      directory = "."
      base = path
    }

    // Create a fresh temporary file; O_EXCL guarantees we never clobber one.
    var temporaryPath = ""
    var descriptor: Int32 = -1
    for _ in 0..<32 {
      let suffix = String(UInt64.random(in: .min ... .max), radix: 36)
      temporaryPath = (directory == "/" ? "/" : directory + "/") + ".\(base).tmp-\(suffix)"
      descriptor = open(temporaryPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
      if descriptor >= 0 || errno != EEXIST { break }
    }
    guard descriptor >= 0 else { throw ioError(path, "cannot create a temporary file") }

    func abandon(_ what: String) -> DataIOError {
      let error = ioError(path, what)
      _ = close(descriptor)
      _ = unlink(temporaryPath)
      return error
    }

    var written = 0
    while written < bytes.count {
      let result = bytes.withUnsafeBytes { raw -> Int in
        guard let base = raw.baseAddress else { return 0 }
        return write(descriptor, base + written, raw.count - written)
      }
      if result < 0 {
        if errno == EINTR { continue }
        throw abandon("cannot write")
      }
      written += result
    }
    guard fsync(descriptor) == 0 else { throw abandon("cannot flush") }
    guard close(descriptor) == 0 else {
      let error = ioError(path, "cannot close")
      _ = unlink(temporaryPath)
      throw error
    }
    guard rename(temporaryPath, path) == 0 else {
      let error = ioError(path, "cannot rename the temporary file into place")
      _ = unlink(temporaryPath)
      throw error
    }

    // Persist the rename itself; best effort, the data is already safe.
    let directoryDescriptor = open(directory, O_RDONLY | O_CLOEXEC)
    if directoryDescriptor >= 0 {
      _ = fsync(directoryDescriptor)
      _ = close(directoryDescriptor)
    }
  }

  /// An `.io` error for `path` carrying the current `errno`'s text.
  private static func ioError(_ path: String, _ what: String) -> DataIOError {
    let code = errno
    return DataIOError(file: path, kind: .io, message: "\(what): \(String(cString: strerror(code)))")
  }
}
