import ArgumentParser
import DataIO
import Dispatch
import Explainers
import Foundation

/// Runs a command body, turning any error into one line on standard error and exit code 2.
func reportingErrors<T>(_ body: () throws -> T) throws -> T {
  do {
    return try body()
  } catch let exit as ExitCode {
    throw exit
  } catch {
    FileHandle.standardError.write(Data("explaincert: error: \(oneLine("\(error)"))\n".utf8))
    throw ExitCode(2)
  }
}

/// A message on one line: names read from files (tensors, nodes) may hold line breaks and other
/// control characters, shown escaped.
func oneLine(_ text: String) -> String {
  var out = ""
  for scalar in text.unicodeScalars {
    switch scalar {
    case "\n": out += "\\n"
    case "\r": out += "\\r"
    case "\t": out += " "
    default:
      // C0 and C1 controls and the Unicode line and paragraph separators.
      if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar.value == 0x2028 || scalar.value == 0x2029 {
        out += "\\u{\(String(scalar.value, radix: 16))}"
      } else {
        out.unicodeScalars.append(scalar)
      }
    }
  }
  return out
}

/// One line on standard error about something the command goes on despite.
func warn(_ message: String) {
  FileHandle.standardError.write(Data("explaincert: warning: \(oneLine(message))\n".utf8))
}

/// Warns when tabular LIME's quantile bins come from too few training rows (by default the
/// inputs file itself), naming where they came from and `--training`.
func warnAboutFewTrainingRows(of explainer: any Explainer, source: String) {
  guard let caveat = (explainer as? LimeTabularExplainer)?.trainingCaveat else { return }
  warn("\(caveat) (from \(source); pass them with --training)")
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

/// Writes a text file atomically (``AtomicFile``), ending it with a newline.
func writeAtomically(_ text: String, to path: String) throws {
  try AtomicFile.write(text.hasSuffix("\n") ? text : text + "\n", to: path)
}

/// Explainers' sample counts are bounded, so that a typo cannot ask for more memory than any run has.
func validateSamples(_ samples: Int?) throws {
  if let samples, !(1...10_000_000).contains(samples) {
    throw ValidationError("--samples must be between 1 and 10000000, got \(samples)")
  }
}

/// The `--jobs` value: at least 1, the number of cores by default.
func jobCount(_ jobs: Int?) throws -> Int {
  if let jobs, jobs < 1 { throw UsageError("--jobs must be at least 1, got \(jobs)") }
  return jobs ?? ProcessInfo.processInfo.activeProcessorCount
}
