import ArgumentParser
import DataIO
import Foundation
import PropertyTesting
import Reports

#if canImport(Glibc)
import Glibc
#endif

struct Check: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Check the property suites (YAML) in Properties/ or the given paths.",
    discussion: """
      Each suite names a model, its inputs and the properties to check around them (schema: \
      README, "Property suites"). Cases (property × example) run in parallel; a violation is \
      shrunk and saved to Counterexamples/ as JSON (atomically, never twice). A case that tested \
      nothing — radius 0 (x0 on a facet), every sample x0, no sample the property can judge — is \
      VACUOUS, never held: counted apart, skipped in JUnit, a failure with --strict. Exit 0 when \
      every property holds, 1 on a violation (or a vacuous case with --strict), 2 on bad input \
      (one line naming the file, line and key). Reports never overwrite a suite, model or inputs file.

      Examples:
        explaincert check                                   # Properties/
        explaincert check Properties/digits_mlp.yaml --junit check.xml --seed 7
        explaincert check Properties/ --strict              # vacuous cases fail too
        explaincert check Properties/tiny_clip.yaml --html check.html --quiet
        explaincert check --shard 1/2 --json part1.json     # half of the cases (CI job 1 of 2)
        explaincert check --bench-membership --benchmarks BENCHMARKS.md
      """)

  @Argument(help: "Suite files or folders (searched recursively for .yaml/.yml). Default: Properties/.")
  var paths: [String] = []

  @Option(help: "Write a JUnit XML report here (atomically).")
  var junit: String?

  @Option(help: "Write a JSON report here (atomically).")
  var json: String?

  @Option(help: "Write an HTML page of the results here: every case, each counterexample with its replay command.")
  var html: String?

  @Option(help: "Run only shard K of N (K/N, 1-based): every N-th case from the K-th; the N shards cover the cases exactly once.")
  var shard: String?

  @Option(help: "Use this seed for every suite instead of the suites' own.")
  var seed: UInt64?

  @Option(help: "Cases checked at once (default: the number of cores).")
  var jobs: Int?

  @Flag(help: "Fail (exit 1) on a vacuous case too: one that tested nothing.")
  var strict = false

  @Flag(help: "No per-case lines or progress bar: only violations and the summary.")
  var quiet = false

  @Option(help: "Folder for minimized counterexamples.")
  var counterexamples = "Counterexamples"

  @Flag(help: "Do not save counterexamples.")
  var noSave = false

  @Flag(help: "Measure region-membership checks per second (float and exact, 1 and 2 jobs) on the digits MLP instead of checking suites.")
  var benchMembership = false

  @Option(help: "With --bench-membership: write the numbers into this Markdown file between the properties markers.")
  var benchmarks: String?

  func validate() throws {
    if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1") }
  }

  func parseShard() throws -> (k: Int, n: Int)? {
    guard let shard else { return nil }
    let parts = shard.split(separator: "/").map { Int($0) }
    guard parts.count == 2, let k = parts[0], let n = parts[1], n >= 1, k >= 1, k <= n else {
      throw UsageError("--shard must be K/N with 1 ≤ K ≤ N, got '\(shard)'")
    }
    return (k, n)
  }

  func run() throws {
    try reportingErrors {
      if benchMembership {
        try MembershipBenchmarkCommand.run(writeTo: benchmarks, quiet: quiet)
        return
      }
      let shardSpec = try parseShard()
      let files = try Suite.files(in: paths.isEmpty ? ["Properties"] : paths)
      guard !files.isEmpty else { throw UsageError("\(paths.isEmpty ? "Properties" : paths.joined(separator: " ")): no suite files (.yaml, .yml)") }
      let suites = try files.map { try Suite.load(path: $0, seedOverride: seed) }
      try OutputGuard.refuse([("--junit", junit), ("--json", json), ("--html", html)],
                             toOverwrite: files + suites.flatMap { [$0.modelPath, $0.inputsPath] })
      let runner = try Runner(suites: suites)
      let cases = runner.cases(shard: shardSpec)
      let style = OutputStyle(quiet: quiet)
      if !quiet {
        emit("explaincert check: \(files.count) suite(s), \(cases.count) case(s)\(shard.map { " (shard \($0))" } ?? ""), \(jobs ?? ProcessInfo.processInfo.activeProcessorCount) job(s); seeds: " +
             suites.map { "\($0.path) \($0.seed)" }.joined(separator: ", "))
      }
      let folder = noSave ? nil : counterexamples
      if let folder, FileManager.default.fileExists(atPath: folder) { AtomicFile.removeStaleTemporaries(in: folder) }
      let start = Date()
      let results = runner.run(cases, options: .init(jobs: jobs ?? ProcessInfo.processInfo.activeProcessorCount, counterexamples: folder)) { result, done, total in
        style.progress(result, done: done, total: total)
      }
      style.finishProgress()
      let report = CheckReport(
        tool: "explaincert", version: ExplainCertVersion.current, seedOverride: seed, shard: shard,
        suites: suites.map { suite in
          .init(path: suite.path, model: suite.model, modelSHA256: runner.modelSHA256(of: suite), seed: suite.seed)
        },
        cases: results, seconds: Date().timeIntervalSince(start) + runner.loadSeconds)
      if let junit { try AtomicFile.write(report.junitXML(), to: junit) }
      if let json { try AtomicFile.write(try report.jsonText(), to: json) }
      if let html {
        let words = ["explaincert", "check"] + paths + (seed.map { ["--seed", "\($0)"] } ?? []) + (shard.map { ["--shard", $0] } ?? []) + ["--html", html]
        let page = AuditReport(
          title: "Property check of \(files.count == 1 ? (files[0] as NSString).lastPathComponent : "\(files.count) suites")",
          reproduction: Reproduction(version: ExplainCertVersion.current, command: ShellWords.line(words), seed: seed ?? suites.first?.seed ?? 0, methods: [],
                                     settings: ["suites": suites.map { "\($0.path) (seed \($0.seed))" }.joined(separator: ", ")].merging(shard.map { ["shard": $0] } ?? [:]) { a, _ in a },
                                     components: ReportBuilder.components, generated: ISO8601DateFormatter().string(from: Date())),
          properties: PropertyResults(check: report))
        try writeReport(page, html: html, json: nil)
      }
      emit("")
      emit(report.table())
      for c in results where c.status != .held {
        let (word, colour): (String, OutputStyle.Colour) = switch c.status {
        case .violated: ("VIOLATED", .red)
        case .vacuous: ("VACUOUS", .yellow)
        default: ("ERROR", .yellow)
        }
        emit(style.paint(word, colour) + " \(c.id) (seed \(c.seed)): \(c.message ?? "")")
        if let file = c.counterexample { emit("  counterexample: \(file)") }
      }
      let exitCode = report.exitCode(strict: strict)
      if let failed = results.first(where: { $0.status == .error }) {
        // Bad input: one line on standard error, naming the suite (the table above has them all).
        FileHandle.standardError.write(Data("explaincert: error: \(oneLine(failed.suite)): \(report.errors) case(s) could not run; first, \(oneLine(failed.id)): \(oneLine(failed.message ?? "error"))\n".utf8))
      }
      let verdict = report.errors > 0 ? style.paint("\(report.errors) error(s)", .yellow)
        : report.violated > 0 ? style.paint("\(report.violated) violated", .red)
        : report.vacuous > 0 ? style.paint("\(report.vacuous) case(s) tested nothing\(strict ? " (--strict: failure)" : "")", strict ? .red : .yellow)
        : style.paint("all properties hold", .green)
      emit("\(report.held) held, \(report.violated) violated, \(report.vacuous) vacuous, \(report.errors) errors in \(String(format: "%.1f", report.seconds)) s — \(verdict); seed\(suites.count == 1 ? "" : "s") \(Set(suites.map(\.seed)).sorted().map(String.init).joined(separator: ", "))")
      if exitCode != 0 { throw ExitCode(exitCode) }
    }
  }
}

/// Progress on a terminal (a bar on standard error), plain lines otherwise; colours only on a
/// terminal and never with NO_COLOR.
final class OutputStyle: @unchecked Sendable {
  enum Colour: String { case red = "31", green = "32", yellow = "33" }
  let quiet: Bool
  let terminal: Bool
  let colour: Bool
  let start = Date()

  init(quiet: Bool) {
    self.quiet = quiet
    terminal = isatty(STDERR_FILENO) == 1 && isatty(STDOUT_FILENO) == 1
    colour = terminal && ProcessInfo.processInfo.environment["NO_COLOR"].map(\.isEmpty) ?? true
  }

  func paint(_ text: String, _ c: Colour) -> String {
    colour ? "\u{1B}[\(c.rawValue)m\(text)\u{1B}[0m" : text
  }

  func progress(_ result: CaseResult, done: Int, total: Int) {
    guard !quiet else { return }
    if terminal {
      let line = Progress.line(label: "check", done: done, total: total, elapsed: Date().timeIntervalSince(start), unit: "cases", item: result.id)
      FileHandle.standardError.write(Data("\r\u{1B}[2K\(line)".utf8))
    } else {
      let status = result.status.rawValue.uppercased().padding(toLength: 8, withPad: " ", startingAt: 0)
      emit("\(status) \(result.id) (\(result.samples) samples, \(String(format: "%.2f", result.seconds)) s)")
    }
  }

  func finishProgress() {
    if terminal && !quiet { FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8)) }
  }
}

/// `explaincert check --bench-membership`: region-membership checks per second on the digits
/// MLP, float and exact, with 1 and 2 jobs; optionally written into BENCHMARKS.md between the
/// `<!-- properties:begin -->` and `<!-- properties:end -->` markers (the rest of the file kept).
enum MembershipBenchmarkCommand {
  static let model = "Fixtures/models/digits_mlp.onnx"
  static let inputs = "Fixtures/data/digits_test.npy"

  static func run(writeTo path: String?, quiet: Bool) throws {
    let subject = try Subject(modelPath: model, inputsPath: inputs)
    let examples = Array(0..<8)
    let (floatSamples, exactSamples, radius) = (100_000, 500, 0.05)
    let measurements = try MembershipBenchmark.run(subject: subject, examples: examples, floatSamples: floatSamples,
                                                   exactSamples: exactSamples, radius: radius, jobs: [1, 2])
    func rate(_ kind: String, _ jobs: Int) -> Double {
      measurements.first { $0.kind == kind && $0.jobs == jobs }!.perSecond
    }
    var lines: [String] = []
    for m in measurements {
      lines.append("| \(m.kind) | \(m.jobs) | \(m.checks) | \(String(format: "%.3f", m.seconds)) s | \(String(format: "%.2f", m.coresUsed)) | \(String(format: "%.0f", m.perSecond)) |")
    }
    let floatSpeedup = rate("float", 2) / rate("float", 1)
    let exactSpeedup = rate("exact", 2) / rate("exact", 1)
    #if DEBUG
    let configuration = "debug"
    #else
    let configuration = "release"
    #endif
    let blas = ProcessInfo.processInfo.environment["OPENBLAS_NUM_THREADS"].map { "OPENBLAS_NUM_THREADS=\($0)" } ?? "OPENBLAS_NUM_THREADS unset"
    let date = ISO8601DateFormatter().string(from: Date())
    let load = ((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "?").split(separator: " ").prefix(3).joined(separator: " ")
    let verdict = { (ok: Bool) in ok ? "MET" : "NOT MET" }
    let section = """
      <!-- properties:begin -->
      ## Property checks: region membership

      Generated by `explaincert check --bench-membership`; do not edit by hand between the markers. Regenerate with:

      ```sh
      swift build -c release && OPENBLAS_NUM_THREADS=1 .build/release/explaincert check --bench-membership --benchmarks BENCHMARKS.md
      ```

      - Date: \(date); build: \(configuration); \(blas); cores: \(ProcessInfo.processInfo.activeProcessorCount)
      - Model: `\(model)`, examples 0–\(examples.count - 1) of `\(inputs)`, points uniform in the ℓ∞ ball of radius \(radius) around each (float32 values, drawn before timing; seed 1).
      - A **float check** decides G·x ≤ h in float64 (one BLAS product per batch of 256) and compares the float32 core's pattern at x with its pattern at x0. An **exact check** is one sample of the `region-membership` property: G·x ≤ h with exact rationals and the exact pattern at x (batched exact evaluation, 16 points per batch) compared with σ0 up to ties.
      - Load average when the measurement ended: \(load) (this benchmark included; other processes' work competes for the \(ProcessInfo.processInfo.activeProcessorCount) cores). "Cores obtained" is the CPU time the process got divided by the wall time: a speed-up can only be as large as the cores the machine actually gave.
      - Best of 3 runs. Goals (DESIGN.md): ≥ 10⁵ float and ≥ 10³ exact checks per second; ≥ 1.8× from 1 to 2 cores.

      | checks | jobs | count | time | cores obtained | checks/s |
      |---|---|---|---|---|---|
      \(lines.joined(separator: "\n"))

      | goal | measured | verdict |
      |---|---|---|
      | float checks/s ≥ 10⁵ (1 job) | \(String(format: "%.0f", rate("float", 1))) | \(verdict(rate("float", 1) >= 1e5)) |
      | exact checks/s ≥ 10³ (1 job) | \(String(format: "%.0f", rate("exact", 1))) | \(verdict(rate("exact", 1) >= 1e3)) |
      | float speed-up 1 → 2 jobs ≥ 1.8× | \(String(format: "%.2f", floatSpeedup))× | \(verdict(floatSpeedup >= 1.8)) |
      | exact speed-up 1 → 2 jobs ≥ 1.8× | \(String(format: "%.2f", exactSpeedup))× | \(verdict(exactSpeedup >= 1.8)) |
      <!-- properties:end -->
      """
    if !quiet || path == nil { emit(section) }
    guard let path else { return }
    let existing = (try? String(contentsOfFile: path, encoding: .utf8)) ?? "# ExplainCert benchmarks\n"
    let updated: String
    if let begin = existing.range(of: "<!-- properties:begin -->"), let end = existing.range(of: "<!-- properties:end -->"), begin.upperBound <= end.lowerBound {
      updated = String(existing[..<begin.lowerBound]) + section + String(existing[end.upperBound...])
    } else {
      updated = existing + (existing.hasSuffix("\n\n") ? "" : existing.hasSuffix("\n") ? "\n" : "\n\n") + section + "\n"
    }
    try AtomicFile.write(updated, to: path)
    emit("wrote \(path) (section properties)")
  }
}
