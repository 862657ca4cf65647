import ExactArithmetic
import Explainers
import Foundation
import Testing

@testable import PropertyTesting

let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
let fixtures = repository + "/Fixtures"

/// Subjects are loaded once per test process.
enum Subjects {
  static let digitsMLP = try! Subject(modelPath: fixtures + "/models/digits_mlp.onnx", inputsPath: fixtures + "/data/digits_test.npy")
  static let digitsCNN = try! Subject(modelPath: fixtures + "/models/digits_cnn.onnx", inputsPath: fixtures + "/data/digits_test_images.npy")
  static let textRNN = try! Subject(modelPath: fixtures + "/models/text_rnn.onnx", inputsPath: fixtures + "/data/text_test_ids.npy")
  static let tinyClip = try! Subject(modelPath: fixtures + "/models/tiny_clip.onnx", inputsPath: fixtures + "/data/tiny_inputs.npy")
}

func isFloat32(_ v: Double) -> Bool { Double(Float(v)) == v }

@Suite struct GeneratorTests {
  @Test(arguments: [Norm.linf, .l2], [GeneratorKind.uniform, .gaussian, .sparse, .pixel, .patch])
  func pointsStayInTheBallTheDomainAndFloat32(_ norm: Norm, _ kind: GeneratorKind) throws {
    let anchor = try Subjects.digitsCNN.anchor(1)
    var settings = GeneratorSettings()
    settings.kind = kind
    settings.norm = norm
    settings.radius = .absolute(0.3)
    settings.k = 3
    settings.domain = .uniform(0...1)
    let generator = NearbyGenerator(settings: settings, anchor: anchor)
    var random = SeededGenerator(seed: 11)
    let points = try generator.points(40, random: &random)
    #expect(points.count == 40)
    for x in points {
      #expect(generator.distance(x) <= 0.3 * (1 + 1e-12))
      #expect(x.allSatisfy { isFloat32($0) && $0 >= 0 && $0 <= 1 })
      let changed = zip(x, anchor.x0.elements).filter { $0 != $1 }.count
      if kind == .sparse || kind == .pixel { #expect(changed <= 3) }
      if kind == .patch { #expect(changed <= 4) }
    }
    // Same seed, same points, bit for bit; another seed, other points.
    var again = SeededGenerator(seed: 11)
    #expect(try generator.points(40, random: &again) == points)
    var other = SeededGenerator(seed: 12)
    #expect(try generator.points(40, random: &other) != points)
  }

  @Test func certifiedBallsLieInsideTheRegion() throws {
    let anchor = try Subjects.digitsMLP.anchor(0)
    #expect(anchor.radiusLinf > 0 && anchor.radiusLinf.isFinite)
    for norm in Norm.allCases {
      var settings = GeneratorSettings()
      settings.norm = norm
      let generator = NearbyGenerator(settings: settings, anchor: anchor)
      var random = SeededGenerator(seed: 3)
      for x in try generator.points(30, random: &random) {
        #expect(try anchor.membership(x).inside)
      }
    }
  }

  /// The exact crossing point lies on the facet (equality) and in P; the float32 points beside it
  /// are inside and outside P.
  @Test(arguments: [0, 3, 7])
  func rayCrossingIsExact(_ example: Int) throws {
    let anchor = try Subjects.digitsMLP.anchor(example)
    var settings = GeneratorSettings()
    settings.kind = .ray
    settings.radius = .absolute(10)
    let generator = NearbyGenerator(settings: settings, anchor: anchor)
    var random = SeededGenerator(seed: UInt64(example))
    let direction = generator.unitDirection(anchor.inputCount, .linf, random: &random)
    let crossing = try generator.crossing(direction: direction)
    let facet = try #require(crossing.facet)
    let point = try #require(crossing.point)
    let gx = anchor.region.constraints.combiningRows(with: point)
    #expect(gx[facet] == anchor.bounds[facet])
    #expect(gx.indices.allSatisfy { gx[$0] <= anchor.bounds[$0] })
    #expect(try anchor.membership(crossing.inside).inside)
    let outside = try #require(crossing.outside)
    #expect(try !anchor.membership(outside).inside)
    // Both are within a few float32 steps of the crossing point.
    let star = point.map { Double($0) }
    #expect(NearbyGenerator.distance(outside, from: star, .linf) < 1e-5)
    #expect(NearbyGenerator.distance(crossing.inside, from: star, .linf) < 1e-5)
  }

  @Test func synonymSubstitutionUsesTheTable() throws {
    let table = try SynonymTable(synonymsPath: fixtures + "/text/synonyms.tsv", vocabularyPath: fixtures + "/text/vocab.txt")
    let anchor = try Subjects.textRNN.anchor(0)
    let tokens = try #require(anchor.tokens)
    var random = SeededGenerator(seed: 5)
    var changedSome = false
    for _ in 0..<20 {
      let substituted = table.substitute(tokens, changes: 2, random: &random)
      for (a, b) in zip(tokens, substituted) where a != b {
        #expect(table.synonyms[a]?.contains(b) == true)
        changedSome = true
      }
      let body = try table.bodyInput(substituted, network: Subjects.textRNN.network, clipTo: nil)
      #expect(body.count == anchor.inputCount)
      if substituted == tokens { #expect(body == anchor.x0.elements) }
    }
    #expect(changedSome)
  }
}
