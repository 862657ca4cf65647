import Foundation
import Testing

/// `lime-diverge --save` writes replayable counterexamples; `replay` reproduces them, reports a
/// tampered one as regressed (exit 1) and a malformed one as bad input (exit 2).
@Suite struct LimeDivergeReplayTests {
  let fixtures = CommandLineRun.repository + "/Fixtures"

  /// The saved counterexample files of one search.
  func saved(_ arguments: [String], in folder: String) throws -> [String] {
    let run = try CommandLineRun(["lime-diverge"] + arguments + ["--samples", "1000", "--save", "--counterexamples", folder])
    #expect(run.status == 1, "\(run.standardError)")
    return run.standardOutput.split(separator: "\n").filter { $0.hasPrefix("saved ") }.map { String($0.dropFirst("saved ".count)) }
  }

  @Test func eachKindIsSavedAndReplayedAndATamperedOneRegresses() throws {
    let scratch = try ScratchFolder()
    let folder = scratch.path + "/cx"
    let mlp = [fixtures + "/models/digits_mlp.onnx", fixtures + "/data/digits_test.npy", "--example", "0"]
    var files = try saved([fixtures + "/models/tiny_leaky.onnx", fixtures + "/data/tiny_inputs.npy", "--example", "7", "--kinds", "fidelity"], in: folder)
    files += try saved(mlp + ["--kinds", "instability"], in: folder)
    files += try saved(mlp + ["--kinds", "attribution", "--setting", "discretize=off", "--setting", "around=true", "--setting", "scale=0.0005"], in: folder)
    #expect(files.count == 3)
    for kind in ["fidelity", "attribution", "instability"] {
      #expect(files.contains { ($0 as NSString).lastPathComponent.hasPrefix("lime-divergence-\(kind)-") }, "\(kind): \(files)")
    }
    let replay = try CommandLineRun(["replay", folder])
    #expect(replay.status == 0, "\(replay.standardOutput)\(replay.standardError)")
    #expect(replay.standardOutput.contains("3 counterexample(s): 3 reproduced, 0 fixed, 0 regressed"), "\(replay.standardOutput)")

    // Searching again writes nothing new.
    let again = try CommandLineRun(["lime-diverge", fixtures + "/models/tiny_leaky.onnx", fixtures + "/data/tiny_inputs.npy", "--example", "7",
                                    "--kinds", "fidelity", "--samples", "1000", "--save", "--counterexamples", folder])
    #expect(again.standardOutput.contains("already recorded"), "\(again.standardOutput)")

    // Another LIME seed: the divergence does not reproduce as recorded.
    let file = try #require(files.first { $0.contains("instability") })
    var json = try JSONSerialization.jsonObject(with: try Data(contentsOf: URL(fileURLWithPath: file))) as! [String: Any]
    var lime = json["lime"] as! [String: Any]
    lime["seeds"] = [3, 3]
    json["lime"] = lime
    let tampered = scratch.path + "/tampered.json"
    try JSONSerialization.data(withJSONObject: json).write(to: URL(fileURLWithPath: tampered))
    let regressed = try CommandLineRun(["replay", tampered])
    #expect(regressed.status == 1)
    #expect(regressed.standardOutput.contains("REGRESSED") && regressed.standardOutput.contains("no longer shows"), "\(regressed.standardOutput)")
  }

  @Test func malformedCounterexampleIsBadInput() throws {
    let scratch = try ScratchFolder()
    let file = try scratch.write("broken.json", Data(#"{"format": "explaincert-counterexample/1", "property": "lime-divergence"}"#.utf8))
    let run = try CommandLineRun(["replay", file])
    #expect(run.status == 2)
    #expect(run.errorLines.count == 1 && run.standardError.contains(file), "\(run.standardError)")
  }
}
