import ArgumentParser
import Foundation
import Inference
import PropertyTesting

struct Replay: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Re-run saved counterexamples (Counterexamples/ or the given paths) and check they behave as recorded.",
    discussion: """
      A counterexample whose expectation is `reproduce` (a finding, e.g. an explainer's \
      divergence) must fail again: same verdict, same exact values, float values within 1e-9 \
      (relative), same first failing input from the same seed, same shrunk input. One whose \
      expectation is `fixed` (a defect of ExplainCert's own) must now pass. A LIME divergence \
      saved by `lime-diverge --save` is re-run with its recorded LIME seeds, sample count and \
      settings and must still show. ExplainCert computes floats in a fixed order, so a file \
      recorded on one machine replays the same on every other. Each file is reported as \
      reproduced, fixed or regressed. Exit 0 when every file behaves as recorded, 1 otherwise, \
      2 on a malformed file.

      After a retrain the recorded model hash no longer matches, and the file regresses with \
      "the model changed". `--model NEW.onnx` re-judges each such file on the new model instead: \
      still-fails (with the new observed values), no-longer-fails, or unjudged (the new model \
      does not take the recorded input). Then exit 1 means a file could not be judged or a \
      defect of ExplainCert's own (expectation `fixed`) fails again.

      Examples:
        explaincert replay
        explaincert replay Counterexamples/consistency-digits_mlp-0123456789abcdef.json
        explaincert replay Counterexamples/ --model retrained/digits_mlp.onnx
        explaincert replay out/lime-cx
      """)

  @Argument(help: "Counterexample files or folders (searched recursively for .json). Default: Counterexamples/.")
  var paths: [String] = []

  @Option(help: "Re-judge files recorded on another model on this one (after a retrain).")
  var model: String?

  @Option(help: "Parallel jobs (default: the number of cores).")
  var jobs: Int?

  func run() throws {
    try reportingErrors {
      let files = try Replayer.files(in: paths.isEmpty ? ["Counterexamples"] : paths)
      // Every file is read and checked before anything runs: a corrupted one is bad input.
      for file in files { _ = try Counterexample.load(path: file) }
      let outcomes = parallelMap(files.count, jobs: try jobCount(jobs)) { [model] k in try Replayer.replay(path: files[k], model: model) }
      var regressed = 0
      var counts: [ReplayOutcome.Status: Int] = [:]
      for (file, result) in zip(files, outcomes) {
        switch result {
        case .success(let outcome):
          counts[outcome.status, default: 0] += 1
          if !outcome.asRecorded { regressed += 1 }
          emit("\(outcome.status.rawValue.uppercased().padding(toLength: 15, withPad: " ", startingAt: 0)) \(file): \(outcome.detail)")
        case .failure(let error):
          throw UsageError("\(error)".hasPrefix(file) ? "\(error)" : "\(file): \(error)")
        }
      }
      let rejudged: [ReplayOutcome.Status] = [.stillFails, .noLongerFails, .unjudged]
      let extra = rejudged.compactMap { status in counts[status].map { ", \($0) \(status.rawValue)" } }.joined()
      emit("\(files.count) counterexample(s): \(counts[.reproduced] ?? 0) reproduced, \(counts[.fixed] ?? 0) fixed, \(counts[.regressed] ?? 0) regressed\(extra)")
      if regressed > 0 { throw ExitCode(1) }
    }
  }
}
