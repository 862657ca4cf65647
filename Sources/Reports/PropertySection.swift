import Foundation
import PropertyTesting

extension PropertyResults {
  /// The report's view of a `check` run: every case, and every counterexample the run wrote or
  /// found already recorded (read back from its file), each with the command that replays it.
  public init(check report: CheckReport) {
    let cases = report.cases.map { c in
      var measured: [String: Double] = [:]
      for (k, v) in c.tallies { measured[k] = Double(v) }
      for (k, v) in c.maxima { measured[k.hasPrefix("max ") ? k : "max " + k] = v }
      for (k, v) in c.minima { measured[k.hasPrefix("min ") ? k : "min " + k] = v }
      return CaseRow(id: c.id, suite: c.suite, property: "\(c.property) (\(c.generator))", example: c.example, status: c.status.rawValue, samples: c.samples,
                     seed: c.seed, caseSeed: c.caseSeed, radius: c.radius, message: c.message, measured: measured.filter { $0.value.isFinite },
                     counterexample: c.counterexample, replayCommand: c.counterexample.map(Self.replayCommand), seconds: c.seconds)
    }
    var seen: Set<String> = []
    let files = cases.compactMap(\.counterexample).filter { seen.insert($0).inserted }
    self.init(suites: report.suites.map { SuiteInfo(path: $0.path, model: $0.model, modelSHA256: $0.modelSHA256, seed: $0.seed) },
              held: report.held, violated: report.violated, errors: report.errors, seconds: report.seconds, cases: cases,
              counterexamples: files.compactMap { try? Self.row(path: $0) })
  }

  /// Runs property suites (files or folders) as `explaincert check` does and collects the results.
  /// `counterexamples`: where violations are saved (nil: not saved).
  public static func check(paths: [String], seed: UInt64?, jobs: Int, counterexamples: String?,
                           progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }) throws -> PropertyResults {
    let files = try Suite.files(in: paths)
    guard !files.isEmpty else { throw ReportError("\(paths.joined(separator: " ")): no suite files (.yaml, .yml)") }
    let suites = try files.map { try Suite.load(path: $0, seedOverride: seed) }
    let runner = try Runner(suites: suites)
    let cases = runner.cases(shard: nil)
    let start = Date()
    let results = runner.run(cases, options: .init(jobs: jobs, counterexamples: counterexamples)) { _, done, total in progress(done, total) }
    let report = CheckReport(tool: "explaincert", version: PropertyTesting.version, seedOverride: seed, shard: nil,
                             suites: suites.map { .init(path: $0.path, model: $0.model, modelSHA256: runner.modelSHA256(of: $0), seed: $0.seed) },
                             cases: results, seconds: Date().timeIntervalSince(start) + runner.loadSeconds)
    return PropertyResults(check: report)
  }

  /// The counterexamples recorded in `folder` (recursively) for the model with hash `modelSHA256`
  /// (all of them when nil), optionally replayed. Unreadable files are skipped.
  public static func recorded(in folder: String, modelSHA256: String?, replay: Bool) -> [CounterexampleRow] {
    guard FileManager.default.fileExists(atPath: folder), let files = try? Replayer.files(in: [folder]) else { return [] }
    return files.compactMap { path -> CounterexampleRow? in
      guard var row = try? row(path: path), modelSHA256 == nil || row.modelSHA256 == modelSHA256 else { return nil }
      if replay {
        do {
          let outcome = try Replayer.replay(path: path)
          row.replayStatus = outcome.status.rawValue
          row.replayDetail = outcome.detail
        } catch {
          row.replayStatus = "error"
          row.replayDetail = "\(error)"
        }
      }
      return row
    }
  }

  /// One counterexample file as a row.
  static func row(path: String) throws -> CounterexampleRow {
    let c = try Counterexample.load(path: path)
    return CounterexampleRow(path: path, property: c.property, model: c.model, modelSHA256: c.modelSHA256, example: c.example,
                             expectation: c.expectation.rawValue, summary: c.summary, shrink: c.shrink.summary, seed: c.seed,
                             replayCommand: replayCommand(path), replayStatus: nil, replayDetail: nil)
  }

  /// `explaincert replay PATH`, quoted for a POSIX shell when needed.
  public static func replayCommand(_ path: String) -> String {
    "explaincert replay " + ShellWords.quoted(path)
  }

  /// Adds counterexample rows not already listed (by path).
  public mutating func merge(counterexamples more: [CounterexampleRow]) {
    let known = Set(counterexamples.map(\.path))
    counterexamples += more.filter { !known.contains($0.path) }
  }
}

/// Quoting of command-line words for a POSIX shell.
public enum ShellWords {
  public static func quoted(_ word: String) -> String {
    let safe = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=,:@%+")
    if !word.isEmpty && word.allSatisfy({ safe.contains($0) }) { return word }
    return "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
  }

  /// A command line from its words.
  public static func line(_ words: [String]) -> String { words.map(quoted).joined(separator: " ") }
}
