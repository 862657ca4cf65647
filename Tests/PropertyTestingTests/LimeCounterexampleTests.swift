import Explainers
import Foundation
import Testing

@testable import PropertyTesting

/// LIME divergences saved as counterexamples (`lime-diverge --save`) and replayed.
@Suite(.serialized) struct LimeCounterexampleTests {
  /// The search of `lime-diverge` (LIME from the catalog, 1000 samples) on one example, saved.
  static func found(_ kind: LimeDivergence.Kind, model: String, inputs: String, example: Int, options: [String: String] = [:],
                    in folder: String) throws -> (Counterexample, String) {
    let subject = try Subject(modelPath: fixtures + "/models/\(model).onnx", inputsPath: fixtures + "/data/\(inputs).npy")
    let x0 = subject.examples[example].input
    let rows = subject.examples.map(\.input.elements)
    let search = LimeDivergenceSearch(samples: 1000, regionPoints: true) { n in
      try ExplainerCatalog.standard.make("lime", ExplainerRequest(settings: options, samples: n, model: subject.explained, shape: x0.shape, data: rows))
    }
    let output = try subject.explained.predictedOutput(at: x0)
    let d = try #require(try search.search(subject.explained, example: example, at: x0, output: output, kinds: [kind]).first)
    let record = Counterexample(d, search: search, model: subject.modelPath, modelSHA256: subject.modelSHA256, inputs: subject.inputsPath,
                                shape: x0.shape, tokens: subject.examples[example].tokens, options: options, training: nil, command: "test")
    return (record, try record.save(in: folder).path)
  }

  static let cases: [(LimeDivergence.Kind, String, String, Int, [String: String])] = [
    (.fidelity, "tiny_leaky", "tiny_inputs", 7, [:]),
    (.attribution, "digits_mlp", "digits_test", 0, ["discretize": "off", "around": "true", "scale": "0.0005"]),
    (.instability, "digits_mlp", "digits_test", 0, [:]),
  ]

  /// Each kind: found, minimized, saved, loaded unchanged, replayed bit for bit; a changed seed or
  /// a threshold the divergence no longer passes is reported as regressed.
  @Test(arguments: LimeDivergence.Kind.allCases)
  func savedDivergencesReplayAndTamperedOnesDoNot(_ kind: LimeDivergence.Kind) throws {
    let scratch = try Scratch()
    let (_, model, inputs, example, options) = Self.cases.first { $0.0 == kind }!
    let (record, path) = try Self.found(kind, model: model, inputs: inputs, example: example, options: options, in: scratch.path)
    #expect((path as NSString).lastPathComponent.hasPrefix("lime-divergence-\(kind.rawValue)-\(model)-"))
    #expect(try Counterexample.load(path: path) == record)
    #expect(try record.save(in: scratch.path).written == false)
    let lime = try #require(record.lime)
    #expect(lime.samples < 1000 && record.shrink.samplesBefore == 1000 && record.shrink.samplesAfter == lime.samples)
    if kind == .fidelity {
      #expect(!lime.changedFeatures.isEmpty && record.shrink.changedFeaturesAfter <= record.shrink.changedFeaturesBefore)
      #expect(record.shrink.linfAfter < record.shrink.linfBefore)
    }
    let outcome = try Replayer.replay(path: path)
    #expect(outcome.status == .reproduced, "\(outcome.detail)")

    var reseeded = record
    reseeded.lime!.seeds = lime.seeds.map { $0 + 7 }
    let reseededOutcome = try Replayer.replay(path: try reseeded.save(in: scratch.path + "/reseeded").path)
    #expect(reseededOutcome.status == .regressed, "\(reseededOutcome.detail)")

    var vanished = record
    switch kind {
    case .fidelity: vanished.lime!.tolerance = Double(record.observed["gap"]!)! + 1
    case .attribution: vanished.lime!.options["scale"] = "1"  // LIME's neighbourhood now leaves x0's region
    case .instability: vanished.lime!.seeds = [lime.seeds[0], lime.seeds[0]]
    }
    let vanishedOutcome = try Replayer.replay(path: try vanished.save(in: scratch.path + "/vanished").path)
    #expect(vanishedOutcome.status == .regressed && vanishedOutcome.detail.contains("no longer shows"), "\(vanishedOutcome.detail)")

    // Recorded as a defect that must stay fixed: fixed where it no longer shows, regressed where it does.
    vanished.expectation = .fixed
    #expect(try Replayer.replay(path: try vanished.save(in: scratch.path + "/fixed").path).status == .fixed)
    var back = record
    back.expectation = .fixed
    #expect(try Replayer.replay(path: try back.save(in: scratch.path + "/back").path).status == .regressed)
  }

  /// Instability between two points of one region (LIME with one seed at x0 and at x′, where
  /// OpenBox's A is the same): saved, replayed; moved out of the region, it no longer shows.
  @Test func regionInstabilityIsSavedAndReplayed() throws {
    let scratch = try Scratch()
    let (record, path) = try Self.found(.instability, model: "tiny_mixed", inputs: "tiny_inputs", example: 3, in: scratch.path)
    let lime = try #require(record.lime)
    #expect(lime.seeds.count == 1 && !lime.changedFeatures.isEmpty && record.input != record.x0)
    #expect(record.observed["sameRegion"] == "1.0")
    #expect(try Replayer.replay(path: path).status == .reproduced)
    var moved = record
    moved.input = zip(record.x0, record.input).map { $0 == $1 ? $0 : $0 + 100 }
    let outcome = try Replayer.replay(path: try moved.save(in: scratch.path + "/moved").path)
    #expect(outcome.status == .regressed && outcome.detail.contains("sameRegion 0"), "\(outcome.detail)")
  }

  enum Corruption: String, CaseIterable, Sendable {
    case missingRun, oneSeedForInstability, unknownKind, runOnAProperty, featureOutsideInput

    func apply(_ json: inout [String: Any]) {
      var lime = json["lime"] as! [String: Any]
      switch self {
      case .missingRun: json["lime"] = nil
      case .oneSeedForInstability: lime["seeds"] = [0]
      case .unknownKind: lime["kind"] = "beauty"
      case .runOnAProperty: json["property"] = "consistency"
      case .featureOutsideInput: lime["changedFeatures"] = [9999]
      }
      if self != .missingRun { json["lime"] = lime }
    }
  }

  /// A malformed LIME divergence is bad input: one line naming the file.
  @Test func malformedDivergencesAreBadInput() throws {
    let scratch = try Scratch()
    let (_, path) = try Self.found(.instability, model: "digits_mlp", inputs: "digits_test", example: 0, in: scratch.path)
    let original = try JSONSerialization.jsonObject(with: try Data(contentsOf: URL(fileURLWithPath: path))) as! [String: Any]
    for corruption in Corruption.allCases {
      var json = original
      corruption.apply(&json)
      let broken = scratch.path + "/\(corruption).json"
      try JSONSerialization.data(withJSONObject: json).write(to: URL(fileURLWithPath: broken))
      do {
        _ = try Replayer.replay(path: broken)
        Issue.record("\(corruption): accepted")
      } catch let error as SuiteError {
        #expect(error.message.hasPrefix(broken) && !error.message.contains("\n"), "\(corruption): \(error.message)")
      }
    }
  }
}
