import DataIO
import Explainers
import Foundation
import Testing

@testable import Certification
@testable import PropertyTesting

/// A suite's domain given as a box per coordinate (a file): samples are clipped to each
/// coordinate's own range, and counterexamples record the box and replay with it.
@Suite struct BoxDomainTests {
  @Test func samplesStayInABoxPerCoordinateAndCounterexamplesKeepIt() throws {
    let scratch = try Scratch()
    // Coordinates 0–31 may move within [0, 16], the others are pinned to [0, 0.5].
    let lower = [Double](repeating: 0, count: 64)
    let upper = (0..<64).map { $0 < 32 ? 16.0 : 0.5 }
    try NumericArray(shape: [2, 64], elements: .float64(lower + upper)).writeNPY(path: scratch.path + "/box.npy")
    let text = digitsSuite("  - consistency: {samples: 30, radius: 3}", examples: "[0]")
      .replacingOccurrences(of: "domain: {min: 0, max: 1}", with: "domain: box.npy")
    let file = try scratch.write("box.yaml", text)
    let suite = try Suite.load(path: file)
    #expect(suite.domain == .box(try InputBox(lower: lower, upper: upper)))
    let subject = try Subject(modelPath: fixtures + "/models/digits_mlp.onnx", inputsPath: fixtures + "/data/digits_test.npy")
    let generator = NearbyGenerator(settings: suite.properties[0].generator, anchor: try subject.anchor(0))
    var random = SeededGenerator(seed: 3)
    for point in try generator.points(20, random: &random) {
      for (i, v) in point.enumerated() { #expect(v >= lower[i] && v <= upper[i], "coordinate \(i): \(v)") }
    }
    let runner = try Runner(suites: [suite])
    let folder = scratch.path + "/Counterexamples"
    let results = runner.run(runner.cases, options: .init(jobs: 1, counterexamples: folder))
    #expect(results.allSatisfy { $0.status == .violated })
    for path in try Replayer.files(in: [folder]) {
      #expect(try Counterexample.load(path: path).settings?.domain == lower + upper)
      #expect(try Replayer.replay(path: path).status == .reproduced)
    }
  }
}
