import Foundation
import ONNXProtobuf
import Testing

/// One verdict, the same on every machine: replay compares float observations within their
/// bound, re-judges findings after a retrain, vacuous cases never pass, every command exits by
/// the same verdict, and no report overwrites an input.
@Suite(.serialized) struct PortableVerdictTests {
  static let repository = CommandLineRun.repository

  /// The corpus file of a finding, by its name's prefix.
  static func corpusFile(_ prefix: String) throws -> String {
    let folder = repository + "/Counterexamples"
    let name = try #require(try FileManager.default.contentsOfDirectory(atPath: folder).sorted().first { $0.hasPrefix(prefix) })
    return folder + "/" + name
  }

  /// The JSON object of a file, with one observed value replaced.
  static func editing(_ path: String, observed key: String, _ change: (Double) -> Double) throws -> Data {
    var object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
    var observed = try #require(object["observed"] as? [String: String])
    let text = try #require(observed[key])
    let value = try #require(Double(text))
    observed[key] = "\(change(value))"
    object["observed"] = observed
    return try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
  }

  @Test func floatObservationsReplayWithinTheirBoundAndRegressBeyondIt() throws {
    let scratch = try ScratchFolder()
    for (prefix, key) in [("explainer-fidelity-digits_mlp-", "surrogate g(x′)"), ("lime-divergence-fidelity-digits_mlp-", "gap")] {
      let file = try Self.corpusFile(prefix)
      let within = try scratch.write("within.json", try Self.editing(file, observed: key) { $0 * (1 + 1e-12) })
      let run = try CommandLineRun(["replay", within])
      #expect(run.status == 0 && run.standardOutput.contains("REPRODUCED"), "\(prefix): \(run.standardOutput)")
      let beyond = try scratch.write("beyond.json", try Self.editing(file, observed: key) { $0 * (1 + 1e-6) })
      let regressed = try CommandLineRun(["replay", beyond])
      #expect(regressed.status == 1 && regressed.standardOutput.contains("REGRESSED") && regressed.standardOutput.contains(key),
              "\(prefix): \(regressed.standardOutput)")
    }
  }

  /// The model with its last layer's weights scaled (or zeroed, with its bias).
  static func retrained(scale: Float, in scratch: ScratchFolder, name: String) throws -> String {
    var model = try Onnx_ModelProto(serializedBytes: try Data(contentsOf: URL(fileURLWithPath: Self.repository + "/Fixtures/models/digits_mlp.onnx")))
    for k in model.graph.initializer.indices where model.graph.initializer[k].name.hasPrefix("fc3.") {
      let raw = model.graph.initializer[k].rawData
      let values = stride(from: 0, to: raw.count, by: 4).map { Float(bitPattern: raw[raw.startIndex + $0..<raw.startIndex + $0 + 4].withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) }) }
      let scaled = values.map { model.graph.initializer[k].name == "fc3.bias" && scale == 0 ? 0 : $0 * scale }
      model.graph.initializer[k].rawData = scaled.withUnsafeBytes { Data($0) }
    }
    return try scratch.write(name, try model.serializedData())
  }

  @Test func replayAfterARetrainSaysWhetherEachFindingStillFails() throws {
    let scratch = try ScratchFolder()
    let files = try ["consistency-digits_mlp-", "lime-divergence-fidelity-digits_mlp-"].map(Self.corpusFile)

    // The same path, new weights: "the model changed", exit 1.
    let copy = scratch.path + "/copy"
    for folder in ["Fixtures/models", "Fixtures/data", "Counterexamples"] {
      try FileManager.default.createDirectory(atPath: copy + "/" + folder, withIntermediateDirectories: true)
    }
    try FileManager.default.copyItem(atPath: Self.repository + "/Fixtures/data/digits_test.npy", toPath: copy + "/Fixtures/data/digits_test.npy")
    let slightly = try Self.retrained(scale: 1.5, in: scratch, name: "slightly.onnx")
    try FileManager.default.copyItem(atPath: slightly, toPath: copy + "/Fixtures/models/digits_mlp.onnx")
    for file in files { try FileManager.default.copyItem(atPath: file, toPath: copy + "/Counterexamples/" + (file as NSString).lastPathComponent) }
    let changed = try CommandLineRun(["replay", "Counterexamples"], in: copy)
    #expect(changed.status == 1 && changed.standardOutput.contains("the model changed") && changed.standardOutput.contains("--model"),
            "\(changed.standardOutput)")

    // Re-judged on the retrained model: both findings still fail there.
    let still = try CommandLineRun(["replay", "Counterexamples", "--model", "Fixtures/models/digits_mlp.onnx"], in: copy)
    #expect(still.status == 0, "\(still.standardOutput + still.standardError)")
    #expect(still.standardOutput.components(separatedBy: "STILL-FAILS").count - 1 == 2, "\(still.standardOutput)")

    // A last layer of zeros explains nothing and diverges nowhere: no longer fails.
    let zero = try Self.retrained(scale: 0, in: scratch, name: "zero.onnx")
    let gone = try CommandLineRun(["replay", "Counterexamples", "--model", zero], in: copy)
    #expect(gone.status == 0 && gone.standardOutput.components(separatedBy: "NO-LONGER-FAILS").count - 1 == 2, "\(gone.standardOutput)")

    // A model that does not take the recorded input cannot judge it: exit 1.
    let other = try CommandLineRun(["replay", "Counterexamples", "--model", Self.repository + "/Fixtures/models/digits_cnn.onnx"], in: copy)
    #expect(other.status == 1 && other.standardOutput.components(separatedBy: "UNJUDGED").count - 1 == 2, "\(other.standardOutput)")

    // Files whose recorded model is unchanged replay as usual, whatever --model says.
    let unchanged = try CommandLineRun(["replay"] + files + ["--model", zero])
    #expect(unchanged.status == 0 && unchanged.standardOutput.components(separatedBy: "REPRODUCED").count - 1 == 2, "\(unchanged.standardOutput)")
  }

  @Test func aCaseThatTestedNothingIsVacuousNeverHeld() throws {
    let scratch = try ScratchFolder()
    // The digits CNN's test image 0 lies on a facet of its region: its certified radius is 0.
    let suite = try scratch.write("cnn.yaml", Data("""
      model: \(Self.repository)/Fixtures/models/digits_cnn.onnx
      inputs: \(Self.repository)/Fixtures/data/digits_test_images.npy
      examples: [0]
      seed: 3
      properties:
        - consistency: {samples: 10, radius: certified}
        - region-membership: {samples: 10, radius: 0.05}
      """.utf8))
    let json = scratch.path + "/check.json", junit = scratch.path + "/check.xml"
    let run = try CommandLineRun(["check", suite, "--no-save", "--quiet", "--json", json, "--junit", junit])
    #expect(run.status == 0, "\(run.standardOutput + run.standardError)")
    #expect(run.standardOutput.contains("VACUOUS") && run.standardOutput.contains("certified radius is 0"), "\(run.standardOutput)")
    #expect(run.standardOutput.contains("consistency (uniform ℓ∞ r=certified)") && run.standardOutput.contains("region-membership (uniform ℓ∞ r=0.05)"))
    let report = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as? [String: Any])
    #expect(report["verdict"] as? String == "vacuous")
    let statuses = (report["cases"] as? [[String: Any]] ?? []).compactMap { $0["status"] as? String }
    #expect(statuses == ["vacuous", "held"])
    let xml = try String(contentsOfFile: junit, encoding: .utf8)
    #expect(xml.contains("skipped=\"1\"") && xml.contains("<skipped message=\"vacuous: x0"))
    let strict = try CommandLineRun(["check", suite, "--no-save", "--quiet", "--strict"])
    #expect(strict.status == 1, "\(strict.standardOutput)")
  }

  @Test func aCertificateWithRadiusZeroIsNotAPlainPass() throws {
    let scratch = try ScratchFolder()
    let html = scratch.path + "/cnn.html", json = scratch.path + "/cnn.json"
    let run = try CommandLineRun(["report", "Fixtures/models/digits_cnn.onnx", "Fixtures/data/digits_test_images.npy", "--limit", "1",
                                  "--methods", "openbox", "--output", html, "--json", json, "--quiet", "--counterexamples", scratch.path + "/none"])
    #expect(run.status == 0 && run.standardOutput.contains("verdict: VACUOUS"), "\(run.standardOutput)\(run.standardError)")
    let page = try String(contentsOfFile: html, encoding: .utf8)
    #expect(page.contains("certified, x0 on a facet (radius 0)") && page.contains("Verdict: Passed, but something tested nothing"))
    let report = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as? [String: Any])
    let verdict = try #require(report["verdict"] as? [String: Any])
    #expect(verdict["status"] as? String == "vacuous")
    #expect((verdict["vacuous"] as? [String])?.first?.contains("radius 0") == true)
    let certify = try CommandLineRun(["certify", "Fixtures/models/digits_cnn.onnx", "Fixtures/data/digits_test_images.npy", "--limit", "1", "--quiet"])
    #expect(certify.standardOutput.contains("CERTIFIED, x0 on a facet (radius 0)"), "\(certify.standardOutput)")
  }

  @Test func reportsNeverOverwriteTheirOwnInputs() throws {
    let scratch = try ScratchFolder()
    let suiteText = try String(contentsOfFile: Self.repository + "/Properties/tiny_clip.yaml", encoding: .utf8)
      .replacingOccurrences(of: "Fixtures/", with: Self.repository + "/Fixtures/")
    let suite = try scratch.write("a.yaml", Data(suiteText.utf8))
    let before = try Data(contentsOf: URL(fileURLWithPath: suite))
    let check = try CommandLineRun(["check", suite, "--json", scratch.path + "/./a.yaml", "--no-save", "--quiet"])
    #expect(check.status == 2 && check.errorLines.count == 1 && check.standardError.contains("a.yaml") && check.standardError.contains("--json"),
            "\(check.standardError)")
    #expect(try Data(contentsOf: URL(fileURLWithPath: suite)) == before)
    let model = Self.repository + "/Fixtures/models/tiny_clip.onnx"
    let report = try CommandLineRun(["report", model, Self.repository + "/Fixtures/data/tiny_inputs.npy", "--output", model, "--quiet"])
    #expect(report.status == 2 && report.standardError.contains("--output would overwrite"), "\(report.standardError)")
  }

  @Test func demoFailsAndSaysSoWhenARecordedCounterexampleRegresses() throws {
    let scratch = try ScratchFolder()
    for folder in ["Fixtures", "Properties", "Counterexamples"] {
      try FileManager.default.copyItem(atPath: Self.repository + "/" + folder, toPath: scratch.path + "/" + folder)
    }
    let victim = scratch.path + "/Counterexamples/" + (try Self.corpusFile("lime-divergence-fidelity-digits_mlp-") as NSString).lastPathComponent
    try Self.editing(victim, observed: "gap") { $0 + 1 }.write(to: URL(fileURLWithPath: victim))
    let run = try CommandLineRun(["demo", "--output", "out/demo.html", "--json", "out/demo.json", "--quiet"], in: scratch.path)
    #expect(run.status == 1, "\(run.standardOutput + run.standardError)")
    #expect(run.standardOutput.contains("1 regressed") && run.standardOutput.contains("verdict: FAILED"), "\(run.standardOutput)")
    let page = try String(contentsOfFile: scratch.path + "/out/demo.html", encoding: .utf8)
    #expect(page.contains("Verdict: Failed") && page.contains("1 recorded counterexample(s) regressed"))
    let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: scratch.path + "/out/demo.json"))) as? [String: Any])
    #expect((json["verdict"] as? [String: Any])?["status"] as? String == "failed")
  }
}
