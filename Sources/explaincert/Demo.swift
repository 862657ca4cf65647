import ArgumentParser
import Certification
import DataIO
import ExactArithmetic
import Foundation
import Inference
import Model
import PropertyTesting
import Reports

struct Demo: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Run the whole pipeline on the models and data that ship in Fixtures/ and write an audit report.",
    discussion: """
      1. checks the float core against the committed onnxruntime outputs on every fixture model; \
      2. certifies and verifies exact explanations of digits through the MLP; 3. checks the MLP's \
      property suite (Properties/digits_mlp.yaml; counterexamples are not saved) and replays the \
      counterexamples recorded for it; 4. compares OpenBox's exact contributions with LIME's; \
      5. writes the HTML audit report (and, with --json, its JSON twin) and says what it shows. \
      Under a minute in a debug build on two cores.

      Exit codes: 0 everything as expected, 1 a check failed, 2 bad input.

      Examples:
        swift run explaincert demo
        explaincert demo --output /tmp/demo.html --json /tmp/demo.json --seed 3
      """)

  @Option(help: "The fixtures folder (default: Fixtures/ of this checkout).")
  var fixtures: String?

  @Option(help: "Where to write the HTML report.")
  var output = "out/demo-report.html"

  @Option(help: "Also write the report's JSON twin here.")
  var json: String?

  @Option(help: "Seed of LIME (the property suite keeps its own seed unless this is given).")
  var seed: UInt64?

  @Option(help: "Parallel jobs (default: the number of cores).")
  var jobs: Int?

  @Flag(help: "No progress bars.")
  var quiet = false

  func validate() throws {
    if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1") }
  }

  func run() throws {
    try reportingErrors {
      let start = Date()
      let root = try fixtures ?? FixtureLocator.fixturesFolder()
      for case let (option, path?) in [("--output", output), ("--json", json)]
      where OutputGuard.identity(path).hasPrefix(OutputGuard.identity(root) + "/") {
        throw UsageError("\(path): \(option) would write into the fixtures folder the demo reads; choose another file")
      }
      emit("ExplainCert \(ExplainCertVersion.current) demo on \(root)\n")
      emit("1. Float core vs onnxruntime (committed reference outputs)")
      var worst = 0.0
      for pair in FixtureLocator.referencePairs(in: root) {
        let network = try Network.load(contentsOf: pair.model)
        let array = try NumericArray.load(path: pair.data)
        let bound = try network.bind(array, file: pair.data)
        let prediction = try FloatCore<Float>(network).run(bound.tensor.float32)
        let reference = try NumericArray.load(path: pair.reference).asDoubles
        let ours = prediction.outputs[network.outputNames[0]]!.elements.map(Double.init)
        let error = zip(ours, reference).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? 0
        worst = max(worst, error)
        let sites = prediction.plan.sites.count
        let count = bound.examples(batchAxis: network.batchAxis, tokenIDs: nil).count
        emit("   \(URL(fileURLWithPath: pair.model).lastPathComponent.padding(toLength: 18, withPad: " ", startingAt: 0)) \(count) inputs, \(sites) pattern sites, max relative error \(String(format: "%.2e", error))")
      }
      guard worst <= 1e-5 else {
        emit("   FAILED: the float core differs from onnxruntime by more than 1e-5")
        throw ExitCode(1)
      }
      emit("   all within 1e-5 of onnxruntime")

      emit("\n2. Exact certificates (GMP/FLINT rationals) of the first digits through the MLP")
      let certifier = try Certifier(modelPath: root + "/models/digits_mlp.onnx")
      let digits = try NumericArray.load(path: root + "/data/digits_test.npy").asDoubles
      for k in 0..<3 {
        let x0 = DenseTensor<Double>(shape: [1, 64], elements: Array(digits[(k * 64)..<((k + 1) * 64)]))
        let certificate = try certifier.certify(x0)
        let verdict = try certifier.verify(certificate)
        let radius = Rational(certificate.radii.linf).map { String(format: "%.3g", Double($0)) } ?? certificate.radii.linf
        emit("   digit \(k): f(x0) = A·x0 + c \(certificate.identityHolds ? "exactly" : "FAILS"), \(certificate.constraints) inequalities, r∞ ≈ \(radius), float |A error| ≤ \(String(format: "%.2g", certificate.floatFindings.maxAbsoluteError)), verify: \(verdict == .accepted ? "accepted" : "REJECTED")")
        guard verdict == .accepted, certificate.identityHolds else { throw ExitCode(1) }
      }
      try reportSteps(root: root, start: start)
    }
  }

  /// Steps 3–5: the property suite, LIME against OpenBox, and the report.
  func reportSteps(root: String, start: Date) throws {
    let jobs = self.jobs ?? ProcessInfo.processInfo.activeProcessorCount
    let repository = (relative(root) as NSString).deletingLastPathComponent
    let folder = repository.isEmpty ? "" : repository + "/"
    let suite = folder + "Properties/digits_mlp.yaml"
    let model = relative(root) + "/models/digits_mlp.onnx", inputs = relative(root) + "/data/digits_test.npy"

    emit("\n3. Property suite \(relative(suite)) (exactness, region membership, consistency, float faithfulness, surrogate fidelity)")
    let bar = Progress("   properties", total: 0, unit: "cases", quiet: quiet, plainLines: false)
    var properties = try PropertyResults.check(paths: [suite], seed: seed, jobs: jobs, counterexamples: nil) { done, total in
      bar.update(done, of: total, item: "")
    }
    bar.finish()
    emit("   \(properties.held)/\(properties.cases.count) cases held, \(properties.violated) violated, \(properties.vacuous) vacuous, \(properties.errors) errors (seed \(properties.suites.first?.seed ?? 0), \(String(format: "%.1f", properties.seconds)) s)")
    let certifier = try Certifier(modelPath: model)
    let recorded = PropertyResults.recorded(in: folder + "Counterexamples", modelSHA256: certifier.modelSHA256, replay: true)
    properties.merge(counterexamples: recorded)
    if !recorded.isEmpty {
      let statuses = Dictionary(grouping: recorded.compactMap(\.replayStatus), by: { $0 }).sorted { $0.key < $1.key }.map { "\($0.value.count) \($0.key)" }
      emit("   replayed the \(recorded.count) counterexample(s) recorded for the MLP: \(statuses.joined(separator: ", "))")
    }

    emit("\n4. OpenBox (exact) against LIME (5000 samples, seed \(seed ?? 0)) on the first 4 digits")
    let options = ReportOptions(methods: ["openbox", "lime"], seed: seed ?? 0, limit: 4, domain: .uniform(0...1), jobs: jobs)
    let builder = try ReportBuilder(modelPath: model, inputsPath: inputs, options: options)
    let progress = Progress("   explaining", total: builder.chosen.count, unit: "inputs", quiet: quiet, plainLines: false)
    let words = ["explaincert", "demo"] + (seed.map { ["--seed", "\($0)"] } ?? []) + ["--output", output] + (json.map { ["--json", $0] } ?? [])
    let report = try builder.build(command: ShellWords.line(words), properties: properties) { done, _, index in
      progress.update(done, item: "digit \(index)")
    }
    progress.finish()
    for example in report.examples {
      let lime = example.comparisons.first { $0.method == "lime" }
      let radius = example.region?.radii.linfApprox.map { Graphics.number($0) } ?? "?"
      emit("   digit \(example.index) (class \(example.prediction.output)): certificate \(example.region?.verdict ?? "missing"), r∞ in [0,1]⁶⁴ \(radius); " +
           (lime.map { "LIME cosine \($0.cosine.map { String(format: "%.2f", $0) } ?? "n/a"), top-\($0.k) agreement \(String(format: "%.0f%%", 100 * $0.topKAgreement))" } ?? "LIME failed"))
    }

    emit("\n5. Audit report")
    try writeReport(report, html: output, json: json)
    emit(Report.summary(report, html: output, json: json, seconds: Date().timeIntervalSince(start)))
    let absolute = output.hasPrefix("/") ? output : FileManager.default.currentDirectoryPath + "/" + output
    emit("""

      Open the report in a browser: file://\(absolute)
      It shows, for each digit, the image with OpenBox's exact contributions and LIME's weights as
      heatmaps, their cosine and top-k agreement, the certified region (inequalities, radii,
      float-vs-exact error, verify's verdict, certificate hash), the property results and the
      recorded counterexamples with their replay commands, and the command, seeds and versions
      that reproduce it.
      """)
    if report.verdict.exitCode != 0 { throw ExitCode(report.verdict.exitCode) }
  }

  func relative(_ path: String) -> String {
    let here = FileManager.default.currentDirectoryPath + "/"
    return path.hasPrefix(here) ? String(path.dropFirst(here.count)) : path
  }
}

/// Finds the fixtures that ship with the repository.
enum FixtureLocator {
  /// `Fixtures/` in the current directory, or in the checkout this binary was built from.
  static func fixturesFolder() throws -> String {
    let candidates = [
      FileManager.default.currentDirectoryPath + "/Fixtures",
      URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path + "/Fixtures",
    ]
    guard let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0 + "/models") }) else {
      throw UsageError("cannot find the Fixtures/ folder; run from the repository root or pass --fixtures")
    }
    return found
  }

  /// Each committed reference output `reference/MODEL__DATA.npy` with its model and data.
  static func referencePairs(in root: String) -> [(model: String, data: String, reference: String)] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: root + "/reference")) ?? []
    return names.sorted().compactMap { name in
      guard name.hasSuffix(".npy") else { return nil }
      let parts = name.dropLast(4).components(separatedBy: "__")
      guard parts.count == 2 else { return nil }
      return ("\(root)/models/\(parts[0]).onnx", "\(root)/data/\(parts[1]).npy", "\(root)/reference/\(name)")
    }
  }
}
