import ArgumentParser
import Dispatch
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

/// Writes a file atomically: a temporary file beside it, then a rename.
func writeAtomically(_ text: String, to path: String) throws {
  do {
    try Data((text.hasSuffix("\n") ? text : text + "\n").utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
  } catch {
    throw UsageError("\(path): cannot write (\(error.localizedDescription))")
  }
}

/// `body(0..<count)` on all cores, results in order.
func parallelMap<T: Sendable>(_ count: Int, _ body: @escaping @Sendable (Int) throws -> T) -> [Result<T, Error>] {
  let slots = ResultSlots<T>(count)
  DispatchQueue.concurrentPerform(iterations: count) { k in
    let result = Result { try body(k) }
    slots.lock.withLock { slots.results[k] = result }
  }
  return slots.results.map { $0! }
}

/// Results written from several threads under a lock.
private final class ResultSlots<T>: @unchecked Sendable {
  var results: [Result<T, Error>?]
  let lock = NSLock()
  init(_ count: Int) { results = Array(repeating: nil, count: count) }
}
