import Certification
import ArgumentParser
import Explainers
import Foundation
import Reports

struct Report: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Write an audit report: one self-contained HTML page (and its JSON twin) per model and inputs.",
    discussion: """
      For each input the page shows the input as people see it (an image with a relevance \
      heatmap, text with tokens highlighted, or a bar chart of the top features), OpenBox's exact \
      contributions beside every other method (cosine and top-k agreement), the certified region \
      (inequalities, ties, radii, float-vs-exact findings, the verdict of `verify` and the \
      certificate's SHA-256), property results and counterexamples with their replay commands, \
      and the versions, seeds and settings that reproduce the page. The HTML has no scripts and \
      fetches nothing. The JSON schema is in docs/report-schema.md.

      Exit codes: 0 every certificate accepted (and every property held), 1 a certificate was \
      rejected or a property violated, 2 bad input.

      Examples:
        explaincert report Fixtures/models/digits_mlp.onnx Fixtures/data/digits_test.npy --limit 3
        explaincert report Fixtures/models/digits_cnn.onnx Fixtures/data/digits_test_images.npy --methods openbox,lime,gradient --examples 0,7 --output cnn.html --json cnn.json
        explaincert report Fixtures/models/text_rnn.onnx Fixtures/data/text_test_ids.npy --vocabulary Fixtures/text/vocab.txt --limit 2
        explaincert report Fixtures/models/digits_mlp.onnx Fixtures/data/digits_test.npy --limit 2 --suite Properties/digits_mlp.yaml --replay
      """)

  @Argument(help: "The ONNX model file.")
  var model: String

  @Argument(help: "The input(s) (.npy, .csv or .json); several inputs stack along a leading dimension.")
  var inputs: String

  @Option(help: "Comma-separated methods to run beside OpenBox (\(ExplainerRegistry.names.joined(separator: ", "))).")
  var methods = "openbox,lime"

  @Option(help: "Where to write the HTML page.")
  var output = "report.html"

  @Option(help: "Also write the report's JSON twin here.")
  var json: String?

  @Option(help: "Seed of every random choice (LIME, KernelSHAP, property samples of --suite).")
  var seed: UInt64 = 0

  @Option(help: "Explain at most this many inputs (the first ones).")
  var limit: Int?

  @Option(help: "Explain these inputs (0-based, comma-separated).")
  var examples: String?

  @Option(help: "Samples for LIME and KernelSHAP (default: theirs).")
  var samples: Int?

  @Option(help: "Training data for tabular LIME's statistics (.npy, .csv, .json; inputs of the model; default: the INPUTS).")
  var training: String?

  @Option(name: .customLong("setting"), help: "A method setting METHOD.KEY=VALUE, e.g. lime.kernel-width=3 (repeatable).")
  var settings: [String] = []

  @Option(help: "A box the inputs lie in; the certified ℓ∞ radius stays inside it: MIN,MAX for every coordinate (e.g. 0,1 for pixels), or a file with a box per coordinate (.vnnlib, or .npy/.csv/.json of shape [2, …input]).")
  var domain: String?

  @Option(name: .customLong("output-index"), help: "The body output element to explain (default: the predicted class).")
  var outputIndex: Int?

  @Option(help: "k of the top-k agreement and of the bar charts.")
  var top = 10

  @Option(help: "Token texts, one per line (line number = token id), for token models.")
  var vocabulary: String?

  @Option(help: "Show inputs as: image, text or tabular (default: from the model and the input's shape).")
  var kind: String?

  @Option(help: "Image size HxW (e.g. 28x28) for flat image inputs.")
  var image: String?

  @Option(help: "Property suite(s) to check and include (file or folder; repeatable).")
  var suite: [String] = []

  @Option(help: "Counterexamples folder: --suite saves violations there, and the report lists those recorded for the model.")
  var counterexamples = "Counterexamples"

  @Flag(help: "Replay the listed counterexamples and show whether each reproduces.")
  var replay = false

  @Option(help: "Also write each input's certificate into this folder (certificate-K.json).")
  var certificates: String?

  @Option(help: "Inputs explained at once (default: the number of cores).")
  var jobs: Int?

  @Flag(help: "No progress bar or per-input lines: only the summary.")
  var quiet = false

  func validate() throws {
    if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1") }
    if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
    if top < 1 { throw ValidationError("--top must be at least 1") }
    try validateSamples(samples)
  }

  @OptionGroup var memory: MemoryOptions

  func run() throws {
    try reportingErrors {
      memory.apply()
      try OutputGuard.refuse([("--output", output), ("--json", json)], toOverwrite: [model, inputs] + [training, vocabulary].compactMap { $0 } + suite)
      let options = try makeOptions()
      let start = Date()
      let builder = try ReportBuilder(modelPath: model, inputsPath: inputs, options: options)
      if let folder = certificates { try createFolder(folder) }
      var properties: PropertyResults?
      if !suite.isEmpty {
        let progress = Progress("properties", total: 0, unit: "cases", quiet: quiet)
        properties = try PropertyResults.check(paths: suite, seed: seed, jobs: options.jobs, counterexamples: counterexamples) { done, total in
          progress.update(done, of: total, item: "")
        }
        progress.finish()
      }
      let recorded = PropertyResults.recorded(in: counterexamples, modelSHA256: builder.certifier.modelSHA256, replay: replay)
      if !recorded.isEmpty {
        if properties == nil { properties = PropertyResults(suites: [], held: 0, violated: 0, errors: 0, seconds: 0, cases: [], counterexamples: []) }
        properties!.merge(counterexamples: recorded)
      }
      let progress = Progress("report", total: builder.chosen.count, unit: "inputs", quiet: quiet)
      let report = try builder.build(command: commandLine(), properties: properties) { done, _, index in
        progress.update(done, item: "input \(index)")
      }
      progress.finish()
      try writeReport(report, html: output, json: json)
      emit(Self.summary(report, html: output, json: json, seconds: Date().timeIntervalSince(start)))
      if Self.exitCode(report) != 0 { throw ExitCode(Self.exitCode(report)) }
    }
  }

  func makeOptions() throws -> ReportOptions {
    let methodList = methods.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    guard !methodList.isEmpty else { throw UsageError("--methods must name at least one method") }
    var perMethod: [String: [String: String]] = [:]
    for setting in settings {
      let parts = setting.split(separator: "=", maxSplits: 1).map(String.init)
      let key = parts.first?.split(separator: ".", maxSplits: 1).map(String.init) ?? []
      guard parts.count == 2, key.count == 2, !key[0].isEmpty, !key[1].isEmpty else {
        throw UsageError("--setting must be METHOD.KEY=VALUE (e.g. lime.kernel-width=3), got '\(setting)'")
      }
      perMethod[key[0], default: [:]][key[1]] = parts[1]
    }
    var indices: [Int]?
    if let examples {
      indices = try examples.split(separator: ",").map { text in
        guard let value = Int(text.trimmingCharacters(in: .whitespaces)), value >= 0 else {
          throw UsageError("--examples must be comma-separated indices ≥ 0, got '\(examples)'")
        }
        return value
      }
    }
    var displayKind: Display.Kind?
    if let kind {
      guard let value = Display.Kind(rawValue: kind) else { throw UsageError("--kind must be image, text or tabular, got '\(kind)'") }
      displayKind = value
    }
    var size: (height: Int, width: Int)?
    if let image {
      let parts = image.lowercased().split(separator: "x").map { Int($0) }
      guard parts.count == 2, let h = parts[0], let w = parts[1], h > 0, w > 0 else { throw UsageError("--image must be HxW (e.g. 28x28), got '\(image)'") }
      size = (h, w)
    }
    var words: [String]?
    if let vocabulary {
      guard let text = try? String(contentsOfFile: vocabulary, encoding: .utf8) else { throw UsageError("\(vocabulary): cannot read the vocabulary") }
      words = text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
    }
    return ReportOptions(methods: methodList, seed: seed, examples: indices, limit: limit, domain: try domain.map { try InputDomain(parsing: $0) }, samples: samples,
                         training: training, settings: perMethod, topK: top, output: outputIndex, kind: displayKind, imageSize: size, vocabulary: words,
                         jobs: jobs ?? ProcessInfo.processInfo.activeProcessorCount, certificatesFolder: certificates)
  }

  /// The command line that regenerates this page (the options given, in a stable order).
  func commandLine() -> String {
    var words = ["explaincert", "report", model, inputs, "--methods", methods, "--seed", "\(seed)"]
    if let limit { words += ["--limit", "\(limit)"] }
    if let examples { words += ["--examples", examples] }
    if let samples { words += ["--samples", "\(samples)"] }
    if let training { words += ["--training", training] }
    for setting in settings { words += ["--setting", setting] }
    if let domain { words += ["--domain", domain] }
    if let outputIndex { words += ["--output-index", "\(outputIndex)"] }
    if top != 10 { words += ["--top", "\(top)"] }
    if let vocabulary { words += ["--vocabulary", vocabulary] }
    if let kind { words += ["--kind", kind] }
    if let image { words += ["--image", image] }
    for s in suite { words += ["--suite", s] }
    if replay { words.append("--replay") }
    words += ["--output", output]
    if let json { words += ["--json", json] }
    return ShellWords.line(words)
  }

  /// 1 when the report's verdict is failed (a certificate not accepted, a property violated, a
  /// recorded counterexample regressed), else 0.
  static func exitCode(_ report: AuditReport) -> Int32 { report.verdict.exitCode }

  /// What the page shows, in a few lines.
  static func summary(_ report: AuditReport, html: String?, json: String?, seconds: Double) -> String {
    var lines: [String] = []
    if let html { lines.append("wrote \(html)" + (json.map { " and \($0)" } ?? "") + String(format: " in %.1f s", seconds)) }
    let regions = report.examples.compactMap(\.region)
    if !report.examples.isEmpty {
      let accepted = regions.filter { $0.verdict == "accepted" && $0.identityHolds && $0.inputInRegion }.count
      let ok = accepted == report.examples.count
      lines.append("  certificates: " + Terminal.paint("\(accepted)/\(report.examples.count) accepted", ok ? .green : .red) +
                   " (f(x0) = A·x0 + c exact, re-derived by verify); radii r∞ from " +
                   Graphics.number(regions.compactMap(\.radii.linfApprox).min() ?? 0) + " to " + Graphics.number(regions.compactMap(\.radii.linfApprox).max() ?? 0))
      let flips = regions.reduce(0) { $0 + $1.float.flippedNeurons }
      lines.append("  float32 vs exact: max |A error| \(Graphics.number(regions.map(\.float.maxAbsoluteError).max() ?? 0, digits: 2)), " +
                   (flips == 0 ? "float pattern = exact pattern everywhere" : Terminal.paint("\(flips) neuron(s) on the wrong piece", .yellow)))
      for method in report.reproduction.methods where method != "openbox" {
        let rows = report.examples.flatMap(\.comparisons).filter { $0.method == method }
        let failed = report.examples.flatMap(\.explanations).filter { $0.method == method && $0.error != nil }.count
        guard !rows.isEmpty else {
          if failed > 0 { lines.append("  \(method): failed on \(failed) input(s) (see the page)") }
          continue
        }
        let cosines = rows.compactMap(\.cosine)
        let cosine = cosines.isEmpty ? "n/a" : String(format: "%.3f", cosines.reduce(0, +) / Double(cosines.count))
        let agreement = rows.map(\.topKAgreement).reduce(0, +) / Double(rows.count)
        lines.append("  \(method) vs exact OpenBox: mean cosine \(cosine), top-\(rows[0].k) agreement \(String(format: "%.0f%%", 100 * agreement))" +
                     (failed > 0 ? ", failed on \(failed) input(s)" : ""))
      }
    }
    if let p = report.properties {
      if !p.cases.isEmpty {
        let verdict = p.violated + p.errors > 0 ? Terminal.paint("\(p.violated) violated, \(p.errors) errors", .red)
          : p.vacuous > 0 ? Terminal.paint("none violated, \(p.vacuous) vacuous (tested nothing)", .yellow) : Terminal.paint("all hold", .green)
        lines.append("  properties: \(p.held)/\(p.cases.count) cases held — \(verdict)")
      }
      if !p.counterexamples.isEmpty {
        let replayed = p.counterexamples.compactMap(\.replayStatus)
        lines.append("  counterexamples: \(p.counterexamples.count) listed with replay commands" +
                     (replayed.isEmpty ? "" : "; replayed: " + Dictionary(grouping: replayed, by: { $0 }).sorted { $0.key < $1.key }.map { "\($0.value.count) \($0.key)" }.joined(separator: ", ")))
      }
    }
    let verdict = report.verdict
    let word = Terminal.paint(verdict.status.rawValue.uppercased(), verdict.status == .passed ? .green : verdict.status == .failed ? .red : .yellow)
    let reasons = verdict.status == .failed ? verdict.failed : verdict.status == .vacuous ? verdict.vacuous : []
    lines.append("  verdict: \(word)" + (reasons.isEmpty ? "" : " — " + reasons.joined(separator: "; ")))
    return lines.joined(separator: "\n")
  }
}

/// Writes a report's HTML page and, optionally, its JSON twin (atomically).
func writeReport(_ report: AuditReport, html: String?, json: String?) throws {
  if let html {
    try createFolder((html as NSString).deletingLastPathComponent)
    try writeAtomically(HTMLReport.render(report), to: html)
  }
  if let json {
    try createFolder((json as NSString).deletingLastPathComponent)
    try writeAtomically(try ReportJSON.text(report), to: json)
  }
}

/// Creates a folder (and its parents) if missing; "" is the current folder.
func createFolder(_ path: String) throws {
  guard !path.isEmpty else { return }
  do {
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  } catch {
    throw UsageError("\(path): cannot create the folder (\(error.localizedDescription))")
  }
}

