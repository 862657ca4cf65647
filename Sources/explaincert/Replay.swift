import ArgumentParser
import Foundation
import Inference
import PropertyTesting

struct Replay: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Re-run saved counterexamples (Counterexamples/ or the given paths) and check they behave as recorded.",
    discussion: """
      A counterexample whose expectation is `reproduce` (a finding, e.g. an explainer's \
      divergence) must fail again bit for bit: same observed values, same first failing input \
      from the same seed, same shrunk input. One whose expectation is `fixed` (a defect of \
      ExplainCert's own) must now pass. A LIME divergence saved by `lime-diverge --save` is \
      re-run with its recorded LIME seeds, sample count and settings and must still show, with \
      the same observed values (to 1e-9, relative). Each file is reported as reproduced, fixed \
      or regressed. Exit 0 when every file behaves as recorded, 1 otherwise, 2 on a malformed file.

      Examples:
        explaincert replay
        explaincert replay Counterexamples/consistency-digits_mlp-0123456789abcdef.json
        explaincert replay out/lime-cx
      """)

  @Argument(help: "Counterexample files or folders (searched recursively for .json). Default: Counterexamples/.")
  var paths: [String] = []

  @Option(help: "Parallel jobs (default: the number of cores).")
  var jobs: Int?

  func run() throws {
    try reportingErrors {
      let files = try Replayer.files(in: paths.isEmpty ? ["Counterexamples"] : paths)
      // Every file is read and checked before anything runs: a corrupted one is bad input.
      for file in files { _ = try Counterexample.load(path: file) }
      let outcomes = parallelMap(files.count, jobs: try jobCount(jobs)) { k in try Replayer.replay(path: files[k]) }
      var regressed = 0
      var counts: [ReplayOutcome.Status: Int] = [:]
      for (file, result) in zip(files, outcomes) {
        switch result {
        case .success(let outcome):
          counts[outcome.status, default: 0] += 1
          if !outcome.asRecorded { regressed += 1 }
          emit("\(outcome.status.rawValue.uppercased().padding(toLength: 10, withPad: " ", startingAt: 0)) \(file): \(outcome.detail)")
        case .failure(let error):
          throw UsageError("\(error)".hasPrefix(file) ? "\(error)" : "\(file): \(error)")
        }
      }
      emit("\(files.count) counterexample(s): \(counts[.reproduced] ?? 0) reproduced, \(counts[.fixed] ?? 0) fixed, \(counts[.regressed] ?? 0) regressed")
      if regressed > 0 { throw ExitCode(1) }
    }
  }
}
