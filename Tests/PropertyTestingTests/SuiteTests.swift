import Foundation
import Testing

@testable import PropertyTesting

/// A scratch folder removed when the test ends.
final class Scratch {
  let path: String
  init() throws {
    path = NSTemporaryDirectory() + "explaincert-props-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  }
  deinit { try? FileManager.default.removeItem(atPath: path) }

  @discardableResult
  func write(_ name: String, _ text: String) throws -> String {
    let file = path + "/" + name
    try FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    try text.write(toFile: file, atomically: true, encoding: .utf8)
    return file
  }
}

/// A suite on the digits MLP with absolute paths, properties given as YAML lines.
func digitsSuite(_ properties: String, examples: String = "[0, 1]", seed: Int = 5, extra: String = "") -> String {
  """
  model: \(fixtures)/models/digits_mlp.onnx
  inputs: \(fixtures)/data/digits_test.npy
  examples: \(examples)
  domain: {min: 0, max: 1}
  seed: \(seed)
  \(extra)
  properties:
  \(properties)
  """
}

@Suite struct SuiteTests {
  @Test func readsTheDesignExample() throws {
    let scratch = try Scratch()
    let file = try scratch.write("s.yaml", digitsSuite("""
        - exactness: {}
        - region-membership: {samples: 200, radius: 0.05}
        - consistency: {samples: 100, radius: 0.01}
        - float-faithfulness: {max_abs_error: 1.0e-5, max_rel_error: 0.001}
        - explainer-fidelity: {explainer: openbox-surrogate, samples: 7, radius: certified, radius_scale: 0.5, norm: l2, output: 3}
      """, extra: "budget: {samples: 9, shrink_evaluations: 100}"))
    let suite = try Suite.load(path: file)
    #expect(suite.seed == 5 && suite.examples == [0, 1] && suite.domain == .uniform(0...1) && suite.shrinkBudget == 100)
    #expect(suite.properties.map(\.name) == [.exactness, .regionMembership, .consistency, .floatFaithfulness, .explainerFidelity])
    #expect(suite.properties[0].samples == 9)  // budget default
    #expect(suite.properties[1].samples == 200 && suite.properties[1].generator.radius == .absolute(0.05))
    #expect(suite.properties[3].maxRelError == 0.001)
    let fidelity = suite.properties[4]
    #expect(fidelity.generator.radius == .certified(scale: 0.5) && fidelity.generator.norm == .l2 && fidelity.output == .index(3))
    #expect(try Suite.load(path: file, seedOverride: 99).seed == 99)
  }

  /// Every bad suite is one error naming the file, the line and the key.
  @Test(arguments: [
    ("unknown top-level key", "model: M\ninputs: I\nsede: 3\nproperties:\n  - exactness: {}\n", "s.yaml:3:1: key 'sede': unknown key"),
    ("unknown property", "model: M\ninputs: I\nproperties:\n  - exactnes: {}\n", "s.yaml:4:5: key 'exactnes': unknown property"),
    ("unknown property key", "model: M\ninputs: I\nproperties:\n  - consistency: {samples: 3, radios: 1}\n", "s.yaml:4:31: key 'consistency.radios': unknown key"),
    ("wrong type", "model: M\ninputs: I\nproperties:\n  - consistency: {samples: many}\n", "s.yaml:4:28: key 'consistency.samples': expected a whole number, got 'many'"),
    ("wrong radius", "model: M\ninputs: I\nproperties:\n  - consistency: {radius: '0.5'}\n", "s.yaml:4:27: key 'consistency.radius': expected a number"),
    ("negative samples", "model: M\ninputs: I\nproperties:\n  - exactness: {samples: -1}\n", "key 'exactness.samples': must be at least 0"),
    ("missing model file", "model: nowhere.onnx\ninputs: I\nproperties:\n  - exactness: {}\n", "s.yaml:1:8: key 'model': no such file 'nowhere.onnx'"),
    ("missing key", "inputs: I\nproperties:\n  - exactness: {}\n", "key 'model': missing"),
    ("properties not a list", "model: M\ninputs: I\nproperties: {exactness: {}}\n", "s.yaml:3:13: key 'properties': expected a list"),
    ("malformed YAML", "model: M\ninputs: [I\nproperties:\n", "malformed YAML"),
    ("domain upside down", "model: M\ninputs: I\ndomain: {min: 2, max: 1}\nproperties:\n  - exactness: {}\n", "key 'domain': min 2.0 is above max 1.0"),
    ("bad generator", "model: M\ninputs: I\nproperties:\n  - exactness: {generator: spiral}\n", "key 'exactness.generator': unknown generator 'spiral'"),
  ])
  func badSuitesNameFileLineAndKey(_ what: String, _ text: String, _ message: String) throws {
    let scratch = try Scratch()
    let model = "\(fixtures)/models/digits_mlp.onnx", inputs = "\(fixtures)/data/digits_test.npy"
    let file = try scratch.write("s.yaml", text.replacingOccurrences(of: "model: M", with: "model: \(model)").replacingOccurrences(of: "inputs: I", with: "inputs: \(inputs)"))
    do {
      _ = try Suite.load(path: file)
      Issue.record("\(what): accepted")
    } catch let error as SuiteError {
      #expect(error.message.contains(message), "\(what): \(error.message)")
      #expect(error.message.hasPrefix(file), "\(what): \(error.message)")
      #expect(!error.message.contains("\n"), "\(what): one line")
    }
  }

  /// Relative paths are found beside the suite or in its ancestors (the repository root).
  @Test func relativePathsResolveFromTheSuiteUpwards() throws {
    let found = Suite.resolve("Fixtures/models/digits_mlp.onnx", from: repository + "/Properties/digits_mlp.yaml")
    #expect(found.map { FileManager.default.fileExists(atPath: $0) } == true)
    #expect(Suite.resolve("Fixtures/models/none.onnx", from: repository + "/Properties/x.yaml") == nil)
  }

  @Test func examplesOutOfRangeAreBadInput() throws {
    let scratch = try Scratch()
    let file = try scratch.write("s.yaml", digitsSuite("  - exactness: {}", examples: "[0, 100]"))
    #expect(throws: SuiteError.self) { try Runner(suites: [try Suite.load(path: file)]) }
    do {
      _ = try Runner(suites: [try Suite.load(path: file)])
    } catch let error as SuiteError {
      #expect(error.message.contains("s.yaml:3: key 'examples': example 100 is out of range"), "\(error.message)")
    }
  }

  /// Every shipped suite is valid and names a fixture model.
  @Test func shippedSuitesAreValid() throws {
    let files = try Suite.files(in: [repository + "/Properties"])
    let models = try Set(files.map { try Suite.load(path: $0).model })
    let fixtureModels = try FileManager.default.contentsOfDirectory(atPath: fixtures + "/models").filter { $0.hasSuffix(".onnx") }
    #expect(models == Set(fixtureModels.map { "Fixtures/models/" + $0 }), "one suite per fixture model")
  }
}
