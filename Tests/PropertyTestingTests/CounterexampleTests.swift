import Foundation
import Testing

@testable import PropertyTesting

@Suite(.serialized) struct CounterexampleTests {
  /// A consistency radius far larger than the region: the run finds counterexamples, saves them
  /// shrunk (fewer changed features, smaller norm) and still failing, and replay reproduces
  /// them bit for bit with the same seed.
  @Test func tooLargeConsistencyRadiusIsFoundShrunkSavedAndReplayed() throws {
    let scratch = try Scratch()
    let file = try scratch.write("large.yaml", digitsSuite("  - consistency: {samples: 30, radius: 0.3}", examples: "[0, 2]"))
    let runner = try Runner(suites: [try Suite.load(path: file)])
    let folder = scratch.path + "/Counterexamples"
    let results = runner.run(runner.cases, options: .init(jobs: 2, counterexamples: folder))
    #expect(results.allSatisfy { $0.status == .violated })
    let files = try Replayer.files(in: [folder])
    #expect(files.count == 2)
    for path in files {
      let record = try Counterexample.load(path: path)
      let x0 = record.x0
      let changedFound = zip(record.found, x0).filter { $0 != $1 }.count
      let changedSaved = zip(record.input, x0).filter { $0 != $1 }.count
      let normFound = NearbyGenerator.distance(record.found, from: x0, .l2)
      let normSaved = NearbyGenerator.distance(record.input, from: x0, .l2)
      #expect(changedSaved < changedFound && normSaved < normFound, "shrunk: \(changedFound) → \(changedSaved) features, ‖·‖₂ \(normFound) → \(normSaved)")
      #expect(record.shrink.changedFeaturesAfter == changedSaved && record.shrink.changedFeaturesBefore == changedFound)
      #expect(record.shrink.radiusAfter.map { $0 < 0.3 } == true)
      // Still fails, on its own.
      let subject = try Subject(modelPath: fixtures + "/models/digits_mlp.onnx", inputsPath: fixtures + "/data/digits_test.npy")
      let checker = PropertyChecker(spec: try record.propertySpec(), anchor: try subject.anchor(record.example), seed: record.caseSeed!)
      #expect(try checker.fails(record.input))
      #expect(try checker.check([record.input])[0].observed == record.observed)
      // Replay: reproduced bit for bit.
      let outcome = try Replayer.replay(path: path)
      #expect(outcome.status == .reproduced, "\(outcome.detail)")
      // Not written twice; a second run with the same seed writes the same bytes.
      #expect(try record.save(in: folder).written == false)
    }
    let again = scratch.path + "/Again"
    _ = runner.run(runner.cases, options: .init(jobs: 1, counterexamples: again))
    let first = try files.map { try String(contentsOfFile: $0, encoding: .utf8) }
    let second = try Replayer.files(in: [again]).map { try String(contentsOfFile: $0, encoding: .utf8) }
    #expect(first == second, "same seed, same counterexamples, bit for bit")
  }

  /// Replay tells a finding that stopped reproducing, a defect that came back, and a fixed one.
  @Test func replayReportsReproducedFixedAndRegressed() throws {
    let scratch = try Scratch()
    let file = try scratch.write("large.yaml", digitsSuite("  - consistency: {samples: 10, radius: 0.3}", examples: "[1]"))
    let runner = try Runner(suites: [try Suite.load(path: file)])
    _ = runner.run(runner.cases, options: .init(jobs: 1, counterexamples: scratch.path + "/cx"))
    let path = try #require(try Replayer.files(in: [scratch.path + "/cx"]).first)
    let record = try Counterexample.load(path: path)

    // The same input recorded as a defect that must stay fixed: it still fails, so it regressed.
    var defect = record
    defect.expectation = .fixed
    let defectPath = try defect.save(in: scratch.path + "/defect").path
    #expect(try Replayer.replay(path: defectPath).status == .regressed)

    // A "fixed" record whose input now satisfies the property (x0 itself): fixed.
    var fixed = record
    fixed.expectation = .fixed
    fixed.input = record.x0
    fixed.found = record.x0
    #expect(try Replayer.replay(path: try fixed.save(in: scratch.path + "/fixed").path).status == .fixed)

    // A finding whose observed values were recorded differently no longer reproduces bit for bit.
    var drifted = record
    drifted.observed["cosine (explained class)"] = "0.5"
    #expect(try Replayer.replay(path: try drifted.save(in: scratch.path + "/drifted").path).status == .regressed)

    // A finding whose seed draws another input has regressed too.
    var reseeded = record
    reseeded.caseSeed! &+= 1
    #expect(try Replayer.replay(path: try reseeded.save(in: scratch.path + "/reseeded").path).status == .regressed)
  }

  enum Corruption: String, CaseIterable, Sendable {
    case truncated, notJSON, wrongType, missingField, unknownProperty, nanInput

    func apply(_ text: String) -> String {
      switch self {
      case .truncated: return String(text.prefix(text.count / 2))
      case .notJSON: return "hello"
      case .wrongType: return text.replacingOccurrences(of: "\"example\" : 1", with: "\"example\" : \"one\"")
      case .missingField: return text.replacingOccurrences(of: "\"modelSHA256\"", with: "\"modelSHA\"")
      case .unknownProperty: return text.replacingOccurrences(of: "\"property\" : \"consistency\"", with: "\"property\" : \"beauty\"")
      case .nanInput: return text.replacingOccurrences(of: "\"input\" : [\n", with: "\"input\" : [\n    1e999,\n")
      }
    }
  }

  /// A corrupted file is bad input: one line naming the file.
  @Test(arguments: Corruption.allCases)
  func corruptedCounterexamplesAreBadInput(_ corruption: Corruption) throws {
    let scratch = try Scratch()
    let file = try scratch.write("large.yaml", digitsSuite("  - consistency: {samples: 5, radius: 0.3}", examples: "[1]"))
    let runner = try Runner(suites: [try Suite.load(path: file)])
    _ = runner.run(runner.cases, options: .init(jobs: 1, counterexamples: scratch.path + "/cx"))
    let path = try #require(try Replayer.files(in: [scratch.path + "/cx"]).first)
    let text = try String(contentsOfFile: path, encoding: .utf8)
    let corrupted = corruption.apply(text)
    #expect(corrupted != text, "\(corruption) changes the file")
    let broken = try scratch.write("broken.json", corrupted)
    do {
      _ = try Replayer.replay(path: broken)
      Issue.record("\(corruption): accepted")
    } catch let error as SuiteError {
      #expect(error.message.hasPrefix(broken) && !error.message.contains("\n"), "\(corruption): \(error.message)")
    }
  }

  /// The shipped counterexamples load and are named after their content (so `check` and
  /// `lime-diverge --save` recognize a finding already recorded).
  @Test func shippedCounterexamplesAreNamedAfterTheirContent() throws {
    let files = try Replayer.files(in: [repository + "/Counterexamples"])
    #expect(files.count >= 8)
    for path in files {
      #expect((path as NSString).lastPathComponent == (try Counterexample.load(path: path)).fileName, "\(path)")
    }
  }

  /// A finding's name depends on what was found (property, settings, model, inputs, seeds),
  /// never on what was observed: the same finding recorded on two machines is one file.
  @Test func identityIgnoresObservationsButNotWhatWasFound() throws {
    let files = try Replayer.files(in: [repository + "/Counterexamples"])
    let record = try Counterexample.load(path: try #require(files.first { $0.contains("/consistency-") }))
    var observed = record
    observed.observed = observed.observed.mapValues { $0 + "1" }
    observed.summary = "other words"
    observed.shrink.evaluations += 1
    observed.provenance.version = "9.9.9"
    #expect(observed.fileName == record.fileName)
    var reseeded = record
    reseeded.caseSeed! &+= 1
    #expect(reseeded.fileName != record.fileName)
    var moved = record
    moved.input[0] += 1
    #expect(moved.fileName != record.fileName)
  }

  /// Files of the first format still load; when one regresses, replay says it is old and to
  /// record it again.
  @Test func oldFormatLoadsAndSaysSoWhenItRegresses() throws {
    let scratch = try Scratch()
    let files = try Replayer.files(in: [repository + "/Counterexamples"])
    var record = try Counterexample.load(path: try #require(files.first { $0.contains("/lime-divergence-fidelity-digits_mlp") }))
    record.format = Counterexample.oldFormatName
    record.model = repository + "/" + record.model
    record.provenance.inputs = repository + "/" + record.provenance.inputs
    let current = try Replayer.replay(path: try record.save(in: scratch.path + "/old").path)
    #expect(current.status == .reproduced, "\(current.detail)")
    record.observed["gap"] = "1.5"
    let drifted = try Replayer.replay(path: try record.save(in: scratch.path + "/drifted").path)
    #expect(drifted.status == .regressed && drifted.detail.contains("old format"), "\(drifted.detail)")
  }

  @Test func doublesRoundTripBitForBit() throws {
    let values: [Double] = [0.1, 1.0 / 3, Double.leastNonzeroMagnitude, 0.16330787539482117, Double(Float(0.7)), -0.0, 1e300]
    let data = try JSONEncoder().encode(values)
    let back = try JSONDecoder().decode([Double].self, from: data)
    #expect(zip(values, back).allSatisfy { $0.bitPattern == $1.bitPattern })
  }
}
