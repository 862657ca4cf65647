import ArgumentParser
import CMalloc
import Foundation

@main
struct ExplainCert: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "explaincert",
    abstract: "Certify explanations of piecewise-linear neural networks and property-test explainers.",
    discussion: """
      Exit codes: 0 success, 1 a property or verification failed, 2 bad input (one line on \
      standard error naming the file and the problem).

      Long work draws a progress bar with rate and ETA on a terminal, plain lines otherwise, \
      nothing with --quiet; colours only on a terminal and never with NO_COLOR. Every subcommand's \
      --help has examples.

      Examples (from the repository root):
        explaincert demo
        explaincert certify Fixtures/models/tiny_clip.onnx Fixtures/data/tiny_inputs.npy --output certs/
        explaincert verify Fixtures/models/tiny_clip.onnx certs/certificate-0.json
        explaincert report Fixtures/models/digits_mlp.onnx Fixtures/data/digits_test.npy --limit 4
        explaincert check Properties/ --junit check.xml
        explaincert replay
      """,
    version: ExplainCertVersion.current,
    subcommands: [Info.self, Predict.self, Certify.self, Verify.self, Contains.self, Demo.self, Bench.self, Check.self, Replay.self, Explain.self, Report.self, LimeDiverge.self])

  /// Parses and runs; a usage error (unknown option, missing argument, bad value) is bad input
  /// like any other: one line on standard error and exit code 2 (not ArgumentParser's 64).
  static func main() {
    keepLargeAllocations()
    do {
      var command = try parseAsRoot()
      try command.run()
    } catch {
      guard exitCode(for: error) == .validationFailure else { exit(withError: error) }
      let message = self.message(for: error).split(separator: "\n").first.map(String.init) ?? "invalid arguments"
      FileHandle.standardError.write(Data("explaincert: error: \(message) (see --help)\n".utf8))
      Foundation.exit(2)
    }
  }
}

/// Keeps freed large blocks in the process instead of returning them to the system (unless
/// `GLIBC_TUNABLES` decides). The explainers allocate megabytes of samples per explanation; with
/// glibc's defaults every such block is a fresh mapping whose pages fault in one by one — a third
/// of LIME's time on a small model. Up to 256 MiB of freed memory stay for reuse.
func keepLargeAllocations() {
  #if canImport(Glibc)
  guard getenv("GLIBC_TUNABLES") == nil else { return }
  _ = mallopt(M_MMAP_THRESHOLD, 64 << 20)
  _ = mallopt(M_TRIM_THRESHOLD, 256 << 20)
  #endif
}

/// The tool's version, written into every report.
enum ExplainCertVersion {
  static let current = "0.1.0"
}
