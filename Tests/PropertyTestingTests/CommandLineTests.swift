import Foundation
import Testing

@testable import PropertyTesting

/// Runs the built `explaincert` binary.
struct Run {
  var status: Int32
  var output: String
  var error: String

  /// The binary SwiftPM built beside this test bundle.
  static var binary: String? {
    var candidates: [String] = []
    if let executable = Bundle.main.executableURL {
      var folder = executable.deletingLastPathComponent()
      for _ in 0..<4 {
        candidates.append(folder.appendingPathComponent("explaincert").path)
        folder = folder.deletingLastPathComponent()
      }
    }
    for path in Bundle.allBundles.map(\.bundlePath) {
      candidates.append(URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("explaincert").path)
    }
    candidates.append(repository + "/.build/debug/explaincert")
    return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
  }

  static func process(_ arguments: [String], in directory: String = repository) throws -> (Process, Pipe, Pipe) {
    let binary = try #require(Self.binary, "the explaincert binary is not built beside the tests")
    let process = Process()
    process.executableURL = URL(fileURLWithPath: binary)
    process.arguments = arguments
    process.currentDirectoryURL = URL(fileURLWithPath: directory)
    var environment = ProcessInfo.processInfo.environment
    environment["NO_COLOR"] = "1"
    process.environment = environment
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    return (process, out, err)
  }

  init(_ arguments: [String], in directory: String = repository) throws {
    let (process, out, err) = try Self.process(arguments, in: directory)
    try process.run()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    status = process.terminationStatus
    output = String(decoding: outData, as: UTF8.self)
    error = String(decoding: errData, as: UTF8.self)
  }
}

@Suite(.serialized) struct CommandLineTests {
  @Test func badSuitesExitTwoWithOneLine() throws {
    let scratch = try Scratch()
    let cases = [
      ("unknown property", digitsSuite("  - beauty: {}"), "key 'beauty': unknown property"),
      ("wrong type", digitsSuite("  - consistency: {samples: [1]}"), "key 'consistency.samples': expected a whole number"),
      ("missing model", digitsSuite("  - exactness: {}").replacingOccurrences(of: "digits_mlp.onnx", with: "gone.onnx"), "key 'model': no such file"),
    ]
    for (what, text, message) in cases {
      let file = try scratch.write("\(what).yaml", text)
      let run = try Run(["check", file, "--no-save"])
      #expect(run.status == 2, "\(what)")
      let lines = run.error.split(separator: "\n")
      #expect(lines.count == 1 && lines[0].contains(file) && lines[0].contains(message), "\(what): \(run.error)")
    }
    let missing = try Run(["check", scratch.path + "/none.yaml"])
    #expect(missing.status == 2 && missing.error.contains("none.yaml: no such file"))
  }

  @Test func corruptedCounterexampleExitsTwo() throws {
    let scratch = try Scratch()
    let file = try scratch.write("broken.json", "{\"format\": \"explaincert-counterexample/1\", \"property\": ")
    let run = try Run(["replay", file])
    #expect(run.status == 2)
    #expect(run.error.split(separator: "\n").count == 1 && run.error.contains(file), "\(run.error)")
  }

  /// check → violations exit 1 with a JUnit file; replay of what it saved exits 0; shards via
  /// the command line cover the unsharded cases.
  @Test func checkReplayAndShardsFromTheCommandLine() throws {
    let scratch = try Scratch()
    let good = try scratch.write("good.yaml", digitsSuite("""
        - exactness: {samples: 5}
        - consistency: {samples: 5}
      """, examples: "3"))
    let pass = try Run(["check", good, "--junit", scratch.path + "/good.xml", "--json", scratch.path + "/all.json", "--no-save"])
    #expect(pass.status == 0, "\(pass.output)\(pass.error)")
    #expect(pass.output.contains("seed 5") && pass.output.contains("all properties hold"))
    #expect(!pass.output.contains("\u{1B}["), "no colours with NO_COLOR or without a terminal")
    let reader = try parseJUnit(try String(contentsOfFile: scratch.path + "/good.xml", encoding: .utf8))
    #expect(reader.cases.count == 6 && reader.failures == 0)

    var shardIDs: [String] = []
    for k in 1...2 {
      let run = try Run(["check", good, "--shard", "\(k)/2", "--json", scratch.path + "/part\(k).json", "--no-save", "--quiet"])
      #expect(run.status == 0)
      let report = try JSONDecoder().decode(CheckReport.self, from: try Data(contentsOf: URL(fileURLWithPath: scratch.path + "/part\(k).json")))
      shardIDs += report.cases.map(\.id)
    }
    let all = try JSONDecoder().decode(CheckReport.self, from: try Data(contentsOf: URL(fileURLWithPath: scratch.path + "/all.json")))
    #expect(shardIDs.sorted() == all.cases.map(\.id).sorted() && Set(shardIDs).count == shardIDs.count)
    #expect(try Run(["check", good, "--shard", "3/2"]).status == 2)

    let bad = try scratch.write("bad.yaml", digitsSuite("  - consistency: {samples: 10, radius: 0.3}", examples: "[1]"))
    let folder = scratch.path + "/cx"
    let fail = try Run(["check", bad, "--counterexamples", folder, "--junit", scratch.path + "/bad.xml"])
    #expect(fail.status == 1, "\(fail.output)\(fail.error)")
    #expect(fail.output.contains("VIOLATED") && fail.output.contains("shrunk: changed features"))
    #expect(try parseJUnit(try String(contentsOfFile: scratch.path + "/bad.xml", encoding: .utf8)).failures == 1)
    let replay = try Run(["replay", folder])
    #expect(replay.status == 0 && replay.output.contains("1 reproduced"), "\(replay.output)\(replay.error)")
  }

  /// A kill in the middle of a run leaves no partial report and only whole counterexamples.
  @Test func killMidRunLeavesNoPartialFile() throws {
    let scratch = try Scratch()
    let suite = try scratch.write("slow.yaml", digitsSuite("""
        - consistency: {samples: 40, radius: 0.3}
        - region-membership: {samples: 400, radius: 0.05, generator: ray}
      """, examples: "12"))
    for delay in [0.5, 1.5, 3.0] {
      let folder = scratch.path + "/cx-\(delay)"
      let junit = scratch.path + "/report-\(delay).xml", json = scratch.path + "/report-\(delay).json"
      let (process, _, _) = try Run.process(["check", suite, "--counterexamples", folder, "--junit", junit, "--json", json, "--quiet"])
      try process.run()
      Thread.sleep(forTimeInterval: delay)
      kill(process.processIdentifier, SIGKILL)
      process.waitUntilExit()
      #expect(process.terminationReason == .uncaughtSignal, "killed at \(delay) s")
      #expect(!FileManager.default.fileExists(atPath: junit) && !FileManager.default.fileExists(atPath: json))
      let visible = (try? FileManager.default.contentsOfDirectory(atPath: folder))?.filter { !$0.hasPrefix(".") } ?? []
      for name in visible {
        #expect(name.hasSuffix(".json"))
        #expect(throws: Never.self) { try Counterexample.load(path: folder + "/" + name) }
      }
    }
  }
}
