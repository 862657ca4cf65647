import ArgumentParser

@main
struct ExplainCert: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "explaincert",
    abstract: "Certify explanations of piecewise-linear neural networks and property-test explainers.",
    discussion: """
      Exit codes: 0 success, 1 a property or verification failed, 2 bad input (the message names \
      the file and the problem).
      """,
    version: ExplainCertVersion.current,
    subcommands: [Info.self, Predict.self, Certify.self, Verify.self, Demo.self, Bench.self, Check.self, Replay.self, Explain.self, Report.self])
}

/// The tool's version, written into every report.
enum ExplainCertVersion {
  static let current = "0.1.0"
}
