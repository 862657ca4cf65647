import ExactArithmetic
import Explainers
import Foundation
import Model
import Testing

@testable import PropertyTesting

@Suite struct PropertiesTests {
  func points(_ anchor: Anchor, _ spec: PropertySpec, seed: UInt64 = 1) throws -> [[Double]] {
    var random = SeededGenerator(seed: seed)
    return try NearbyGenerator(settings: spec.generator, anchor: anchor).points(spec.samples, random: &random)
  }

  /// The OpenBox surrogate predicts the network inside x0's region and drifts away from it far
  /// outside (so explainer-fidelity can fail).
  @Test func surrogateFidelityHoldsInsideAndFailsFarOutside() throws {
    let anchor = try Subjects.digitsMLP.anchor(2)
    var spec = PropertySpec(name: .explainerFidelity)
    spec.samples = 20
    spec.maxAbsError = 1e-9
    let inside = try PropertyChecker(spec: spec, anchor: anchor, seed: 1).check(try points(anchor, spec))
    #expect(inside.allSatisfy { $0.holds })
    spec.generator.radius = .absolute(0.3)
    let outside = try PropertyChecker(spec: spec, anchor: anchor, seed: 1).check(try points(anchor, spec))
    #expect(outside.contains { !$0.holds })
  }

  /// LIME through the Explainers registry: tabular LIME with the suite's inputs as training data.
  @Test func limeFidelityRunsThroughTheRegistry() throws {
    let anchor = try Subjects.tinyClip.anchor(5)
    var spec = PropertySpec(name: .explainerFidelity)
    spec.explainer = "lime"
    spec.explainerSamples = 500
    spec.samples = 5
    spec.generator.radius = .absolute(0.1)
    let checker = PropertyChecker(spec: spec, anchor: anchor, seed: 9)
    let verdicts = try checker.check(try points(anchor, spec))
    #expect(verdicts.count == 5)
    #expect(try checker.explainerExplanation().method == "lime")
    // Same seed, same LIME, same verdicts bit for bit.
    let again = try PropertyChecker(spec: spec, anchor: anchor, seed: 9).check(try points(anchor, spec))
    #expect(zip(verdicts, again).allSatisfy { $0.observed == $1.observed })
    var unknown = spec
    unknown.explainer = "oracle"
    #expect(throws: SuiteError.self) { try PropertyChecker(spec: unknown, anchor: anchor, seed: 9).check([anchor.x0.elements]) }
  }

  /// A pattern that differs from σ0 at a neuron whose inequality is not tight is not explained
  /// by a tie: region-membership would flag it.
  @Test func patternChangesAwayFromTightFacetsAreViolations() throws {
    let anchor = try Subjects.digitsMLP.anchor(0)
    var other = anchor.pattern
    other.choices[0][3] = other.choices[0][3] == 0 ? 1 : 0
    let membership = try anchor.membership(anchor.x0.elements)
    #expect(membership.inside && membership.tight.isEmpty)
    #expect(!anchor.differsOnlyAtTies(other, tight: membership.tight))
    #expect(anchor.differsOnlyAtTies(anchor.pattern, tight: []))
    // With that neuron's inequality tight, the change is a tie.
    let rows = anchor.region.origins.indices.filter { anchor.region.origins[$0].site == 0 && anchor.region.origins[$0].element == 3 }
    #expect(anchor.differsOnlyAtTies(other, tight: rows))
  }

  /// x0 exactly on a breakpoint (tiny input 0 is (0, 0), on a ReLU boundary of tiny_clip's first
  /// layer): the certified radius is 0, and points on the facet are in P with a tie.
  @Test func tiesAtX0() throws {
    let anchor = try Subjects.tinyClip.anchor(0)
    #expect(anchor.radiusLinf == 0)
    var spec = PropertySpec(name: .regionMembership)
    spec.samples = 60
    spec.generator.radius = .absolute(0.5)
    spec.generator.kind = .mixed
    let verdicts = try PropertyChecker(spec: spec, anchor: anchor, seed: 3).check(try points(anchor, spec))
    #expect(verdicts.allSatisfy { $0.holds })
    #expect(try PropertyChecker(spec: spec, anchor: anchor, seed: 3).check([anchor.x0.elements])[0].holds)
  }

  /// Exactness checks f(x) = A·x + c at points of P and counts the others.
  @Test func exactnessOnTheCNN() throws {
    let anchor = try Subjects.digitsCNN.anchor(0)
    var spec = PropertySpec(name: .exactness)
    spec.samples = 8
    spec.generator.kind = .ray
    spec.generator.radius = .absolute(1)
    let verdicts = try PropertyChecker(spec: spec, anchor: anchor, seed: 4).check(try points(anchor, spec))
    #expect(verdicts.allSatisfy { $0.holds })
    #expect(verdicts.contains { $0.tallies["in P, f(x) = A·x + c"] == 1 })
  }
}
