import ExactArithmetic
import Foundation
import Inference
import Model
import Testing

@testable import Certification

/// Radii inside a box per input coordinate (a `--domain` file or a VNN-LIB property's box).
@Suite struct InputBoxTests {
  @Test func aBoxPerCoordinateIsWrittenReadAndVerified() throws {
    let certifier = try Certifier(modelPath: fixtures + "/models/digits_mlp.onnx")
    let x0 = try digitsInput()
    let n = x0.elements.count
    let uniform = try certifier.certify(x0, domain: try InputBox(uniform: 0...16, count: n))
    #expect(uniform.radii.domain == ["0.0", "16.0"])
    // The same bounds given per coordinate are the same box: the same certificate.
    let same = try certifier.certify(x0, domain: try InputBox(lower: Array(repeating: 0, count: n), upper: Array(repeating: 16, count: n)))
    #expect(same == uniform)
    // Each coordinate boxed tightly around x0 except the first: the in-box radius can only grow.
    let lower = x0.elements.enumerated().map { $0.offset == 0 ? 0 : $0.element }
    let upper = x0.elements.enumerated().map { $0.offset == 0 ? 16 : $0.element }
    let tight = try certifier.certify(x0, domain: try InputBox(lower: lower, upper: upper))
    #expect(tight.radii.domain?.count == 2 * n)
    let (r, rTight) = (Rational(uniform.radii.linf), tight.radii.linf == "inf" ? nil : Rational(tight.radii.linf))
    #expect(r != nil && (rTight == nil || rTight! >= r!))
    #expect(try certifier.verify(tight) == .accepted)
    var tampered = tight
    tampered.radii.domain![1] = "-1.0"
    #expect(try certifier.verify(tampered) != .accepted)
  }

  @Test func malformedBoxesAreRefused() {
    #expect(throws: ModelError.self) { try InputBox(lower: [0, 1], upper: [1, 0]) }
    #expect(throws: ModelError.self) { try InputBox(lower: [0], upper: [.infinity]) }
    #expect(throws: ModelError.self) { try InputBox(certificateText: ["0", "1", "2"], count: 2) }
    #expect(throws: ModelError.self) { try InputBox(certificateText: ["0", "x"], count: 2) }
  }
}
