import DataIO
import Foundation
import Inference
import Model
import ONNXProtobuf
import Testing

@testable import Certification

/// Today's PyTorch exports (`Fixtures/pytorch`, made by `Tools/make_pytorch_fixtures.py` with both
/// `torch.onnx.export` exporters): every one loads, matches onnxruntime, and certifies and
/// verifies; the one that is not piecewise linear is refused for that reason.
@Suite struct PyTorchExportTests {
  static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .path + "/Fixtures/pytorch"

  static let exports: [String] = {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
    return names.filter { $0.hasSuffix(".onnx") }.sorted()
  }()

  /// The manifest's models by name: whether each is piecewise linear.
  static let piecewiseLinear: [String: Bool] = {
    guard let data = FileManager.default.contents(atPath: folder + "/manifest.json"),
          let manifest = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
          let models = manifest["models"] as? [[String: Any]] else { return [:] }
    return Dictionary(uniqueKeysWithValues: models.compactMap { m in
      (m["name"] as? String).map { ($0, m["piecewise_linear"] as? Bool ?? true) }
    })
  }()

  @Test func everyModelOfTheManifestIsExported() {
    #expect(Self.piecewiseLinear.count >= 21)
    #expect(Self.exports.count >= 2 * Self.piecewiseLinear.count)
  }

  static func name(_ export: String) -> String { String(export.prefix { $0 != "." }) }

  @Test(arguments: exports)
  func loadsMatchesOnnxruntimeCertifiesAndVerifies(_ export: String) throws {
    let path = Self.folder + "/" + export
    let name = Self.name(export)
    guard Self.piecewiseLinear[name] ?? true else {
      let error = #expect(throws: ModelError.self) { try Network.load(contentsOf: path) }
      #expect(error?.limitation == .notPiecewiseLinear, "\(export): \(error?.message ?? "")")
      return
    }
    let network = try Network.load(contentsOf: path)
    let inputs = Self.folder + "/\(name).inputs.npy"
    let bound = try network.bind(try NumericArray.load(path: inputs), file: inputs)
    let reference = String(export.dropLast(".onnx".count)) + ".reference.npy"
    let expected = try NumericArray.load(path: Self.folder + "/" + reference).asDoubles
    let scale = expected.map(abs).max() ?? 1
    let tokens = network.embedding == nil ? nil : try NumericArray.load(path: inputs).asDoubles
    let examples = bound.examples(batchAxis: network.batchAxis, tokenIDs: tokens)
    let perExample = expected.count / examples.count
    for (k, example) in examples.enumerated() {
      let output = try FloatCore<Float>(network).run(example.input.float32.reshaped([1] + example.input.shape))
      let ours = output.outputs[network.outputNames[0]]!.elements
      #expect(ours.count == perExample, "\(export)")
      for (a, b) in zip(ours, expected[(k * perExample)...]) {
        #expect(abs(Double(a) - b) <= 1e-5 * scale, "\(export) example \(k): \(a) vs \(b)")
      }
    }
    let certifier = try Certifier(modelPath: path)
    let first = try #require(examples.first)
    let certificate = try certifier.certify(first.input, tokens: first.tokens)
    #expect(certificate.identityHolds && certificate.inputInRegion, "\(export)")
    #expect(try certifier.verify(certificate) == .accepted, "\(export)")
  }

  /// External data must stay inside the model's folder; its bytes are part of the model's hash.
  @Test func externalDataOutsideTheFolderIsRefusedAndHashed() throws {
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("explaincert-external-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: scratch.appendingPathComponent("model"), withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: scratch) }
    let original = Self.folder + "/mlp.dynamo.onnx"
    let data = try Data(contentsOf: URL(fileURLWithPath: original + ".data"))
    try data.write(to: scratch.appendingPathComponent("mlp.dynamo.onnx.data"))
    try data.write(to: scratch.appendingPathComponent("model/mlp.dynamo.onnx.data"))
    var model = try Onnx_ModelProto(serializedBytes: try Data(contentsOf: URL(fileURLWithPath: original)))
    for escape in ["../mlp.dynamo.onnx.data", "/etc/passwd", "sub/../../mlp.dynamo.onnx.data"] {
      for i in model.graph.initializer.indices where model.graph.initializer[i].dataLocation == .external {
        for j in model.graph.initializer[i].externalData.indices where model.graph.initializer[i].externalData[j].key == "location" {
          model.graph.initializer[i].externalData[j].value = escape
        }
      }
      let file = scratch.appendingPathComponent("model/escape.onnx").path
      try model.serializedData().write(to: URL(fileURLWithPath: file))
      let error = #expect(throws: ModelError.self) { try Network.load(contentsOf: file) }
      let message = error?.message ?? ""
      #expect(message.hasPrefix(file + ": ") && message.contains("outside the model's folder") && !message.contains("\n"), "\(message)")
    }
    // The same model with one weight byte changed in its data file has another hash.
    let copy = scratch.appendingPathComponent("model/mlp.dynamo.onnx").path
    try FileManager.default.copyItem(atPath: original, toPath: copy)
    let before = try Network.load(contentsOf: copy).sha256
    var changed = data
    changed[changed.startIndex] ^= 1
    try changed.write(to: scratch.appendingPathComponent("model/mlp.dynamo.onnx.data"))
    #expect(try Network.load(contentsOf: copy).sha256 != before)
  }
}
