//===--- DataIOError.swift -------------------------------------------------===//
//
// This source file is part of the ExplainCert project.
//
//===----------------------------------------------------------------------===//

/// An error reading or writing an array file.
///
/// `description` is a single line naming the file and the problem, such as
/// `digits.npy: malformed .npy header: missing 'shape'`.
public struct DataIOError: Error, CustomStringConvertible, Equatable, Sendable {
  /// The broad category of a `DataIOError`.
  public enum Kind: Equatable, Sendable {
    /// The file could not be opened, read, written or renamed.
    case io
    /// The content does not follow its format.
    case malformed
    /// The content is well formed but uses a feature this module does not
    /// support (big-endian data, Fortran order, an unknown dtype...).
    case unsupported
    /// The file's extension does not name a supported format.
    case unknownFormat
    /// An array handed to a writer cannot be represented (its shape does
    /// not match its element count, or JSON cannot hold a NaN).
    case invalidArray
  }

  /// The file's name as shown in messages (the last path component).
  public var file: String

  /// The category of the problem.
  public var kind: Kind

  /// The problem, without the file name; a single line.
  public var message: String

  /// Creates an error; `file` may be a full path, of which only the last
  /// component is kept.
  public init(file: String, kind: Kind, message: String) {
    self.file = displayName(ofPath: file)
    self.kind = kind
    self.message = message
  }

  /// `"<file>: <message>"` on one line.
  public var description: String {
    singleLine("\(file): \(message)")
  }
}

/// The last component of `path`, for messages (`"a/b/x.npy"` → `"x.npy"`).
func displayName(ofPath path: String) -> String {
  var trimmed = Substring(path)
  while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
  if let slash = trimmed.lastIndex(of: "/"), trimmed.index(after: slash) != trimmed.endIndex {
    return String(trimmed[trimmed.index(after: slash)...])
  }
  return trimmed.isEmpty ? "<unnamed>" : String(trimmed)
}

/// Replaces line breaks and other control characters so a message stays on
/// one line.
func singleLine(_ text: String) -> String {
  var result = ""
  result.unicodeScalars.reserveCapacity(text.unicodeScalars.count)
  for scalar in text.unicodeScalars {
    switch scalar {
    case "\n": result += "\\n"
    case "\r": result += "\\r"
    case "\t": result += "\\t"
    case _ where scalar.value < 0x20 || scalar.value == 0x7F || scalar == "\u{2028}" || scalar == "\u{2029}":
      result += "\\u{\(String(scalar.value, radix: 16))}"
    default: result.unicodeScalars.append(scalar)
    }
  }
  return result
}

/// Quotes a snippet of untrusted text for a message, shortening it.
func quoteSnippet(_ text: some StringProtocol, limit: Int = 40) -> String {
  let shortened = text.count > limit ? "\(text.prefix(limit))…" : String(text)
  return "'\(singleLine(shortened))'"
}
