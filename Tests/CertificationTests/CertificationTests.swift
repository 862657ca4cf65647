import DataIO
import ExactArithmetic
import Foundation
import Inference
import Model
import ONNXProtobuf
import Regions
import Testing

@testable import Certification

let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path + "/Fixtures"

/// The first test image of the digits MLP as the body input [1, 64].
func digitsInput(_ index: Int = 0) throws -> DenseTensor<Double> {
  let array = try NumericArray.load(path: fixtures + "/data/digits_test.npy")
  return DenseTensor(shape: [1, 64], elements: Array(array.asDoubles[(index * 64)..<((index + 1) * 64)]))
}

@Suite struct CertificationTests {
  @Test(arguments: ["tiny_clip", "tiny_leaky", "tiny_abs", "tiny_prelu", "tiny_mixed"])
  func tinyNetsCertifyAndVerify(_ name: String) throws {
    let certifier = try Certifier(modelPath: "\(fixtures)/models/\(name).onnx")
    let inputs = try NumericArray.load(path: fixtures + "/data/tiny_inputs.npy").asDoubles
    for k in 0..<20 {
      let x0 = DenseTensor<Double>(shape: [1, 2], elements: Array(inputs[(2 * k)..<(2 * k + 2)]))
      let certificate = try certifier.certify(x0)
      #expect(certificate.identityHolds && certificate.inputInRegion, "\(name) input \(k)")
      #expect(try certifier.verify(certificate) == .accepted)
    }
  }

  /// Points of P (x0 plus dyadic steps inside the ℓ∞ radius, and their midpoints) are mapped by
  /// the network exactly to A·x + c.
  @Test func pointsInsideTheRegionFollowTheAffineMap() throws {
    let certifier = try Certifier(modelPath: fixtures + "/models/digits_mlp.onnx")
    let x0 = try digitsInput()
    let certificate = try certifier.certify(x0)
    let radius = Double(Rational(certificate.radii.linf)!)
    #expect(radius > 0)
    var step = 1.0
    while step >= radius { step /= 2 }
    let plan = try certifier.core.plan(for: [1, 64])
    let region = plan.region(pattern: try #require(pattern(certificate)), unitVectors: ExactTensor.identity(count: 64, shape: [1, 64]))
    var generator = SystemRandomNumberGenerator()
    var points: [[Double]] = []
    for _ in 0..<6 {
      points.append(x0.elements.map { $0 + (Bool.random(using: &generator) ? step : -step) / 2 })
    }
    points.append(zip(points[0], points[1]).map { ($0 + $1) / 2 })
    for point in points {
      let x = try ExactTensor(exactly: DenseTensor(shape: [1, 1, 64], elements: point))
      let exact = plan.evaluate(x)
      #expect(exact.pattern == region.pattern)
      let ax = region.linear["logits"]!.combiningRows(with: x.values)
      let c = region.constant["logits"]!.values
      #expect(exact.outputs["logits"]!.values == zip(ax, c).map { $0 + $1 })
      let slack = zip(region.bounds.values, region.constraints.combiningRows(with: x.values)).map { $0 - $1 }
      #expect(slack.allSatisfy { $0.signum() >= 0 })
    }
  }

  /// With pixels in [0, 1], points of the ℓ∞ ball of radius r∞ clipped to the box keep x0's
  /// pattern, and the radius is at least the plain ball's.
  @Test func domainRadiusHoldsInsideTheBox() throws {
    let certifier = try Certifier(modelPath: fixtures + "/models/digits_mlp.onnx")
    let x0 = try digitsInput(2)
    let plain = try certifier.certify(x0)
    let boxed = try certifier.certify(x0, domain: try InputBox(uniform: 0...1, count: x0.elements.count))
    let r = try #require(Rational(boxed.radii.linf))
    #expect(r >= Rational(plain.radii.linf)!)
    #expect(try certifier.verify(boxed) == .accepted)
    let plan = try certifier.core.plan(for: [1, 64])
    let expected = try #require(pattern(boxed))
    var step = 1.0
    while try Rational(exactly: step) > r { step /= 2 }
    var generator = SystemRandomNumberGenerator()
    for _ in 0..<20 {
      let point = x0.elements.map { min(1, max(0, $0 + (Bool.random(using: &generator) ? step : -step))) }
      let exact = plan.evaluate(try ExactTensor(exactly: DenseTensor(shape: [1, 1, 64], elements: point)))
      // A point exactly on a facet of P (a tie) may take the other piece; any other point keeps σ.
      #expect(exact.pattern == expected || exact.ties.reduce(0, +) > 0)
    }
  }

  func pattern(_ certificate: Certificate) -> ActivationPattern? {
    ActivationPattern(choices: certificate.pattern.map { site in site.choices.map { UInt8(String($0), radix: 36)! } })
  }

  // MARK: Tampering

  func certified() throws -> (Certifier, Certificate) {
    let certifier = try Certifier(modelPath: fixtures + "/models/digits_mlp.onnx")
    let certificate = try certifier.certify(try digitsInput(1), domain: try InputBox(uniform: 0...1, count: 64))
    #expect(try certifier.verify(certificate) == .accepted)
    return (certifier, certificate)
  }

  func expectRejected(_ certifier: Certifier, _ certificate: Certificate, at field: String...) throws {
    guard case .rejected(let rejected, _) = try certifier.verify(certificate) else {
      Issue.record("a tampered certificate was accepted (\(field))")
      return
    }
    #expect(field.contains { rejected.hasPrefix($0) }, "rejected at \(rejected), expected \(field)")
  }

  @Test func changedCoefficientOfAIsRejected() throws {
    var (certifier, certificate) = try certified()
    let value = Rational(certificate.outputs[0].a[2][7])! + Rational(1, ExactInteger(1) << 40)
    certificate.outputs[0].a[2][7] = value.fractionString
    try expectRejected(certifier, certificate, at: "outputs[0].a[2][7]")
  }

  @Test func changedConstantIsRejected() throws {
    var (certifier, certificate) = try certified()
    certificate.outputs[0].c[4] = (Rational(certificate.outputs[0].c[4])! * 2 + 1).fractionString
    try expectRejected(certifier, certificate, at: "outputs[0].c[4]")
  }

  @Test func flippedPatternBitIsRejected() throws {
    var (certifier, certificate) = try certified()
    var choices = Array(certificate.pattern[1].choices)
    choices[5] = choices[5] == "0" ? "1" : "0"
    certificate.pattern[1].choices = String(choices)
    try expectRejected(certifier, certificate, at: "pattern[1]")
  }

  @Test func enlargedRadiusIsRejected() throws {
    var (certifier, certificate) = try certified()
    certificate.radii.linf = (Rational(certificate.radii.linf)! + Rational(1, 1 << 20)).fractionString
    try expectRejected(certifier, certificate, at: "radii.linf")
  }

  @Test func changedInputIsRejected() throws {
    var (certifier, certificate) = try certified()
    let moved = Rational(certificate.input[10])! + Rational(1, 1 << 20)
    certificate.input[10] = moved.fractionString
    // The input is what the certificate is about: moved, it no longer matches its own A·x0 + c
    // and pattern, whichever the re-derivation reaches first.
    try expectRejected(certifier, certificate, at: "outputs", "pattern")
  }

  @Test func otherModelHashIsRejected() throws {
    var (certifier, certificate) = try certified()
    certificate.modelSHA256 = String(repeating: "0", count: 64)
    try expectRejected(certifier, certificate, at: "modelSHA256")
  }

  /// A net where float32 rounding switches a ReLU off at x0 while it is on exactly:
  /// z = x₁ + x₂ − 1 with x = (1, 2⁻³⁰) is 2⁻³⁰ exactly but 0 in float32.
  @Test func floatRoundingFlipIsReported() throws {
    let path = NSTemporaryDirectory() + "flip-\(UUID().uuidString).onnx"
    defer { try? FileManager.default.removeItem(atPath: path) }
    try Self.flipModel().serializedData().write(to: URL(fileURLWithPath: path))
    let certifier = try Certifier(modelPath: path)
    let certificate = try certifier.certify(DenseTensor(shape: [1, 2], elements: [1, 0x1p-30]))
    #expect(certificate.floatFindings.flippedNeurons == [.init(node: "relu", element: 0, floatChoice: 0, exactChoice: 1)])
    #expect(certificate.identityHolds)
    #expect(certificate.outputs[0].value == ["1/1073741824"])
    #expect(try certifier.verify(certificate) == .accepted)
  }

  static func flipModel() -> Onnx_ModelProto {
    func tensor(_ name: String, _ dims: [Int64], _ values: [Float]) -> Onnx_TensorProto {
      var t = Onnx_TensorProto()
      t.name = name
      t.dims = dims
      t.dataType = Int32(Onnx_TensorProto.DataType.float.rawValue)
      t.floatData = values
      return t
    }
    func value(_ name: String, _ dims: [Int64]) -> Onnx_ValueInfoProto {
      var info = Onnx_ValueInfoProto()
      info.name = name
      info.type.tensorType.elemType = Int32(Onnx_TensorProto.DataType.float.rawValue)
      info.type.tensorType.shape.dim = dims.map { d in
        var dim = Onnx_TensorShapeProto.Dimension()
        dim.dimValue = d
        return dim
      }
      return info
    }
    var gemm = Onnx_NodeProto()
    gemm.opType = "Gemm"
    gemm.name = "dense"
    gemm.input = ["x", "W", "b"]
    gemm.output = ["z"]
    var transB = Onnx_AttributeProto()
    transB.name = "transB"
    transB.type = .int
    transB.i = 1
    gemm.attribute = [transB]
    var relu = Onnx_NodeProto()
    relu.opType = "Relu"
    relu.name = "relu"
    relu.input = ["z"]
    relu.output = ["y"]
    var model = Onnx_ModelProto()
    model.irVersion = 8
    var opset = Onnx_OperatorSetIdProto()
    opset.version = 17
    model.opsetImport = [opset]
    model.graph.node = [gemm, relu]
    model.graph.initializer = [tensor("W", [1, 2], [1, 1]), tensor("b", [1], [-1])]
    model.graph.input = [value("x", [1, 2])]
    model.graph.output = [value("y", [1, 1])]
    return model
  }
}

/// Certify then verify the first examples of every fixture model with its committed data.
@Suite struct FixtureCertificationTests {
  static let pairs = [
    ("digits_mlp", "digits_test"), ("digits_cnn", "digits_test_images"), ("digits_rnn", "digits_test_rows"),
    ("text_rnn", "text_test_ids"), ("tiny_leaky", "tiny_inputs"), ("tiny_clip", "tiny_inputs"),
    ("tiny_abs", "tiny_inputs"), ("tiny_prelu", "tiny_inputs"), ("tiny_mixed", "tiny_inputs"),
  ]

  @Test(arguments: pairs)
  func certifyThenVerify(_ model: String, _ data: String) throws {
    let certifier = try Certifier(modelPath: "\(fixtures)/models/\(model).onnx")
    let array = try NumericArray.load(path: "\(fixtures)/data/\(data).npy")
    let bound = try certifier.network.bind(array, file: data)
    let examples = bound.examples(batchAxis: certifier.network.batchAxis, tokenIDs: certifier.network.embedding == nil ? nil : array.asDoubles)
    #expect(examples.count > 1)
    for example in examples.prefix(3) {
      let certificate = try certifier.certify(example.input, tokens: example.tokens)
      #expect(certificate.identityHolds && certificate.inputInRegion, "\(model)")
      #expect(certificate.constraints > 0)
      #expect(try certifier.verify(certificate) == .accepted, "\(model)")
    }
  }
}
