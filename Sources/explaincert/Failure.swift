import ArgumentParser
import Foundation

/// Runs a command body, turning any error into one line on standard error and exit code 2.
func reportingErrors<T>(_ body: () throws -> T) throws -> T {
  do {
    return try body()
  } catch let exit as ExitCode {
    throw exit
  } catch {
    FileHandle.standardError.write(Data("explaincert: error: \(error)\n".utf8))
    throw ExitCode(2)
  }
}

/// A usage problem found by a command, reported like any bad input.
struct UsageError: Error, CustomStringConvertible {
  var description: String
  init(_ description: String) { self.description = description }
}

/// Writes text to standard output without buffering surprises.
func emit(_ text: String) {
  FileHandle.standardOutput.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
}

/// JSON text for a value, keys sorted, pretty-printed.
func jsonText<T: Encodable>(_ value: T) throws -> String {
  let encoder = JSONEncoder()
  encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
  return String(decoding: try encoder.encode(value), as: UTF8.self)
}
