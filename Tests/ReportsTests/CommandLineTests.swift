import DataIO
import Foundation
import Reports
import Testing

/// Runs the built `explaincert` binary (the one SwiftPM built beside this test bundle).
struct Run {
  var status: Int32
  var output: String
  var error: String
  var seconds: Double

  static var binary: String {
    var candidates: [String] = []
    if let executable = Bundle.main.executableURL {
      var folder = executable.deletingLastPathComponent()
      for _ in 0..<4 {
        candidates.append(folder.appendingPathComponent("explaincert").path)
        folder = folder.deletingLastPathComponent()
      }
    }
    candidates.append(Fixture.repository + "/.build/debug/explaincert")
    return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates.last!
  }

  /// `explaincert ARGUMENTS` in the repository root; `terminal` runs it under `script`, on a
  /// pseudo-terminal, as a person at a terminal would.
  init(_ arguments: [String], environment extra: [String: String] = ["NO_COLOR": "1"], terminal: Bool = false) throws {
    let process = Process()
    if terminal {
      process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
      process.arguments = ["-q", "-e", "-c", ([Self.binary] + arguments).map(ShellWords.quoted).joined(separator: " "), "/dev/null"]
    } else {
      process.executableURL = URL(fileURLWithPath: Self.binary)
      process.arguments = arguments
    }
    process.currentDirectoryURL = URL(fileURLWithPath: Fixture.repository)
    var environment = ProcessInfo.processInfo.environment
    environment["NO_COLOR"] = nil
    environment.merge(extra) { $1 }
    process.environment = environment
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    let start = Date()
    try process.run()
    let box = Browser.ErrorText()
    let reader = Thread { box.value = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self) }
    reader.start()
    output = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    while !box.done { Thread.sleep(forTimeInterval: 0.01) }
    error = box.value
    status = process.terminationStatus
    seconds = Date().timeIntervalSince(start)
  }
}

final class Scratch {
  let path = NSTemporaryDirectory() + "explaincert-reports-" + UUID().uuidString
  init() throws { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }
  deinit { try? FileManager.default.removeItem(atPath: path) }
  func file(_ name: String) -> String { path + "/" + name }
}

@Suite(.serialized) struct ReportCommandTests {
  @Test func reportWritesThePageAndItsJSONTwin() throws {
    let scratch = try Scratch()
    let run = try Run(["report", "Fixtures/models/tiny_mixed.onnx", "Fixtures/data/tiny_inputs.npy", "--methods", "openbox,gradient-x-input",
                       "--examples", "12,13,14", "--seed", "5", "--output", scratch.file("r/page.html"), "--json", scratch.file("r/page.json")])
    #expect(run.status == 0, "\(run.error)")
    #expect(run.output.contains("wrote \(scratch.file("r/page.html")) and \(scratch.file("r/page.json"))"))
    #expect(run.output.contains("certificates: 3/3 accepted"))
    #expect(run.output.contains("gradient-x-input vs exact OpenBox: mean cosine 1.000"))
    // Not a terminal: one plain progress line per input, no escape sequences.
    #expect(run.output.components(separatedBy: "report: ").count - 1 == 3)
    #expect(!run.output.contains("\u{1B}"))
    let report = try JSONDecoder().decode(AuditReport.self, from: Data(contentsOf: URL(fileURLWithPath: scratch.file("r/page.json"))))
    #expect(report.examples.map(\.index) == [12, 13, 14] && report.reproduction.seed == 5)
    #expect(report.reproduction.command.hasPrefix("explaincert report Fixtures/models/tiny_mixed.onnx Fixtures/data/tiny_inputs.npy --methods openbox,gradient-x-input --seed 5 --examples 12,13,14"))
    let html = try String(contentsOfFile: scratch.file("r/page.html"), encoding: .utf8)
    #expect(html == HTMLReport.render(report))
  }

  @Test func quietPrintsOnlyTheSummary() throws {
    let scratch = try Scratch()
    let run = try Run(["report", "Fixtures/models/tiny_clip.onnx", "Fixtures/data/tiny_inputs.npy", "--methods", "openbox", "--limit", "2", "--quiet",
                       "--output", scratch.file("q.html")])
    #expect(run.status == 0)
    #expect(!run.output.contains("report: "))
    #expect(run.output.hasPrefix("wrote "))
  }

  @Test func onATerminalABarWithRateAndETAAndColoursUnlessNO_COLOR() throws {
    guard FileManager.default.isExecutableFile(atPath: "/usr/bin/script") else {
      FileHandle.standardError.write(Data("SKIPPED terminal test: /usr/bin/script (util-linux) is not installed\n".utf8))
      return
    }
    let scratch = try Scratch()
    let arguments = ["report", "Fixtures/models/tiny_clip.onnx", "Fixtures/data/tiny_inputs.npy", "--methods", "openbox", "--jobs", "1", "--output", scratch.file("t.html")]
    let coloured = try Run(arguments, environment: [:], terminal: true)
    #expect(coloured.status == 0)
    #expect(coloured.output.contains("\u{1B}[2K"))
    #expect(coloured.output.contains("inputs/s") && coloured.output.contains("ETA "))
    #expect(coloured.output.contains("\u{1B}[32m20/20 accepted"))
    let plain = try Run(arguments, environment: ["NO_COLOR": "1"], terminal: true)
    #expect(plain.output.contains("ETA "))
    #expect(!plain.output.contains("\u{1B}[32m"))
    #expect(plain.output.contains("20/20 accepted"))
  }

  @Test func badInputIsOneLineNamingTheFileOrOption() throws {
    let scratch = try Scratch()
    let model = "Fixtures/models/digits_mlp.onnx", inputs = "Fixtures/data/digits_test.npy"
    let garbage = scratch.file("garbage.onnx")
    try Data("not a model".utf8).write(to: URL(fileURLWithPath: garbage))
    let cases: [([String], String)] = [
      (["report", scratch.file("absent.onnx"), inputs], "absent.onnx: cannot read the file"),
      (["report", garbage, inputs], "garbage.onnx"),
      (["report", model, scratch.file("absent.npy")], "absent.npy"),
      (["report", model, inputs, "--examples", "3,400"], "digits_test.npy: example 400 is out of range"),
      (["report", model, inputs, "--methods", "lime,nope"], "--methods nope: unknown method 'nope'"),
      (["report", model, inputs, "--setting", "kernel-width=3"], "--setting must be METHOD.KEY=VALUE"),
      (["report", model, inputs, "--setting", "lime.colour=red"], "--setting lime.colour: method 'lime' has no setting 'colour'"),
      (["report", "Fixtures/models/text_rnn.onnx", "Fixtures/data/text_test_ids.npy", "--vocabulary", scratch.file("words.txt")], "words.txt: cannot read the vocabulary"),
      (["report", model, inputs, "--limit", "1", "--output", "/proc/explaincert/report.html"], "/proc/explaincert"),
      (["report", model, inputs, "--domain", "1,0"], "--domain must be MIN,MAX"),
      (["report", model, inputs, "--suite", scratch.file("none.yaml")], "none.yaml"),
      (["certify", model, inputs, "--limit", "1", "--html", "/proc/explaincert/c.html"], "/proc/explaincert"),
    ]
    for (arguments, mention) in cases {
      let run = try Run(arguments)
      #expect(run.status == 2, "\(arguments): \(run.status) \(run.error)")
      let lines = run.error.split(separator: "\n")
      #expect(lines.count == 1, "\(arguments): \(run.error)")
      #expect(run.error.contains(mention), "\(arguments): \(run.error)")
      #expect(!run.error.contains("Fatal error") && !run.error.contains("Stack dump"))
    }
  }

  /// Usage errors are bad input too: one line and exit 2 (ArgumentParser's own code would be 64).
  @Test func usageErrorsAreOneLineAndExitTwo() throws {
    for (arguments, mention) in [(["report"], "Missing expected argument '<model>'"), (["report", "a", "b", "--limit", "x"], "'x' is invalid for '--limit"),
                                 (["certify", "a", "b", "--jobs", "0"], "--jobs must be at least 1"), (["no-such-command"], "Unexpected argument")] {
      let run = try Run(arguments)
      #expect(run.status == 2, "\(arguments): \(run.status)")
      #expect(run.error.split(separator: "\n").count == 1 && run.error.contains(mention), "\(arguments): \(run.error)")
    }
    let help = try Run(["--help"])
    #expect(help.status == 0)
    #expect(help.output.contains("Exit codes: 0 success, 1 a property or verification failed, 2 bad input"))
  }

  @Test func certifyAndCheckWritePages() throws {
    let scratch = try Scratch()
    let certify = try Run(["certify", "Fixtures/models/tiny_leaky.onnx", "Fixtures/data/tiny_inputs.npy", "--limit", "4", "--output", scratch.file("c/"),
                           "--html", scratch.file("c/report.html")])
    #expect(certify.status == 0, "\(certify.error)")
    let page = try String(contentsOfFile: scratch.file("c/report.html"), encoding: .utf8)
    #expect(page.components(separatedBy: "<section class=\"example\"").count - 1 == 4)
    // The page names each certificate by the SHA-256 of the file certify wrote.
    let certificate = try Data(contentsOf: URL(fileURLWithPath: scratch.file("c/certificate-0.json")))
    #expect(page.contains("sha256 " + SHA256Digest.hex(certificate)))

    let check = try Run(["check", "Properties/tiny_clip.yaml", "--quiet", "--no-save", "--html", scratch.file("check.html")])
    #expect(check.status == 0, "\(check.error)")
    let checked = try String(contentsOfFile: scratch.file("check.html"), encoding: .utf8)
    #expect(checked.contains("id=\"properties\"") && checked.contains("<span class=\"pill good\">held</span>"))
  }

  @Test func limeDivergeWritesAPageOfItsFindings() throws {
    let scratch = try Scratch()
    let run = try Run(["lime-diverge", "Fixtures/models/tiny_leaky.onnx", "Fixtures/data/tiny_inputs.npy", "--kinds", "fidelity",
                       "--html", scratch.file("ld.html"), "--output", scratch.file("ld.json")])
    #expect(run.status == 1, "a divergence is expected on the tiny LeakyReLU net: \(run.output)\(run.error)")
    let page = try String(contentsOfFile: scratch.file("ld.html"), encoding: .utf8)
    #expect(page.contains("<section id=\"divergences\">"))
    #expect(page.contains("<span class=\"pill bad\">fidelity</span>"))
    #expect(page.contains("explaincert lime-diverge Fixtures/models/tiny_leaky.onnx Fixtures/data/tiny_inputs.npy --example "))
    // Every input with a divergence is shown with LIME beside the exact explanation.
    let found = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: scratch.file("ld.json")))) as? [[String: Any]] ?? []
    for example in Set(found.compactMap { $0["example"] as? Int }) {
      #expect(page.contains("id=\"input-\(example)\""))
    }
  }

  /// The whole pipeline, every step (its time is a benchmark's business, not a test's).
  @Test func demoRunsThePipeline() throws {
    let scratch = try Scratch()
    let run = try Run(["demo", "--output", scratch.file("demo.html"), "--json", scratch.file("demo.json")])
    #expect(run.status == 0, "\(run.output)\(run.error)")
    for step in ["1. Float core vs onnxruntime", "2. Exact certificates", "3. Property suite", "4. OpenBox (exact) against LIME", "5. Audit report"] {
      #expect(run.output.contains(step), "missing step '\(step)'")
    }
    #expect(run.output.contains("Open the report in a browser: file://\(scratch.file("demo.html"))"))
    let report = try JSONDecoder().decode(AuditReport.self, from: Data(contentsOf: URL(fileURLWithPath: scratch.file("demo.json"))))
    #expect(report.examples.count == 4)
    #expect(report.examples.allSatisfy { $0.region?.verdict == "accepted" })
    #expect(report.examples.allSatisfy { $0.comparisons.contains { $0.method == "lime" } })
    #expect((report.properties?.cases.count ?? 0) > 0)
  }
}

/// The runner of the documentation's commands (Scripts/doc-commands.py) fails when a command does.
@Suite struct DocCommandsRunnerTests {
  @Test func failsOnAWrongExitCodeAndPassesOnTheDocumentedOne() throws {
    guard FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") else {
      FileHandle.standardError.write(Data("SKIPPED doc-commands runner test: python3 is not installed\n".utf8))
      return
    }
    let scratch = try Scratch()
    func run(_ markdown: String) throws -> (Int32, String) {
      let file = scratch.file("guide-\(UUID().uuidString).md")
      try markdown.write(toFile: file, atomically: true, encoding: .utf8)
      let process = Process()
      process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
      process.arguments = [Fixture.repository + "/Scripts/doc-commands.py", "--explaincert", Run.binary, file]
      let out = Pipe()
      process.standardOutput = out
      process.standardError = out
      try process.run()
      let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
      process.waitUntilExit()
      return (process.terminationStatus, text)
    }
    let good = try run("""
      ```sh
      explaincert info Fixtures/models/tiny_clip.onnx
      explaincert verify Fixtures/models/tiny_clip.onnx absent.json  # exits 2
      Scripts/test.sh
      ```
      ```yaml
      not: run
      ```
      """)
    #expect(good.0 == 0, "\(good.1)")
    #expect(good.1.contains("all 1 blocks ran as documented"))
    let bad = try run("""
      ```sh
      explaincert verify Fixtures/models/tiny_clip.onnx absent.json  # exits 1
      ```
      ```sh
      explaincert info Fixtures/models/absent.onnx
      ```
      """)
    #expect(bad.0 == 1)
    #expect(bad.1.contains("expected exit 1, got 2"))
    #expect(bad.1.contains("2 of 2 blocks FAILED"))
  }
}
