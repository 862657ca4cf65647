import DataIO
import Foundation
import Inference
import Model
import ONNXProtobuf
import Testing

/// The float core against onnxruntime's outputs, committed beside the fixtures.
@Suite struct FixtureConformanceTests {
  static let pairs: [String] = {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: Paths.fixtures + "/reference")) ?? []
    return names.filter { $0.hasSuffix(".npy") }.sorted()
  }()

  @Test func everyFixtureHasAReference() {
    #expect(Self.pairs.count >= 9)
  }

  @Test(arguments: pairs)
  func floatCoreMatchesOnnxruntime(_ reference: String) throws {
    let parts = reference.dropLast(4).components(separatedBy: "__")
    let network = try Network.load(contentsOf: "\(Paths.fixtures)/models/\(parts[0]).onnx")
    let data = "\(Paths.fixtures)/data/\(parts[1]).npy"
    let bound = try network.bind(try NumericArray.load(path: data), file: data)
    for useDouble in [false, true] {
      let ours: [Double]
      if useDouble {
        ours = try FloatCore<Double>(network).run(bound.tensor).outputs[network.outputNames[0]]!.elements
      } else {
        ours = try FloatCore<Float>(network).run(bound.tensor.float32).outputs[network.outputNames[0]]!.elements.map(Double.init)
      }
      let expected = try NumericArray.load(path: "\(Paths.fixtures)/reference/\(reference)").asDoubles
      #expect(ours.count == expected.count)
      for (a, b) in zip(ours, expected) {
        #expect(abs(a - b) <= 1e-5 * max(1, abs(b)), "\(reference) float64=\(useDouble): \(a) vs \(b)")
      }
    }
  }

  /// ONNX's own backend tests (inputs and expected outputs as TensorProto files).
  @Test func onnxBackendTests() throws {
    guard Paths.sharedAvailable(for: "onnxBackendTests") else { return }
    let root = Paths.shared + "/models/onnx-backend-tests"
    let enumerator = FileManager.default.enumerator(atPath: root)
    var checked = 0
    while let path = enumerator?.nextObject() as? String {
      guard path.hasSuffix("model.onnx") else { continue }
      let folder = root + "/" + (path as NSString).deletingLastPathComponent
      let network = try Network.load(contentsOf: folder + "/model.onnx")
      let input = try tensor(folder + "/test_data_set_0/input_0.pb")
      let expected = try tensor(folder + "/test_data_set_0/output_0.pb")
      let output = try FloatCore<Float>(network).run(DenseTensor(shape: [1] + input.shape, elements: input.float32))
      let ours = output.outputs[network.outputNames[0]]!.elements
      #expect(ours.count == expected.count, "\(path)")
      for (a, b) in zip(ours, expected.values) {
        #expect(abs(Double(a) - b) <= 1e-5 * max(1, abs(b)), "\(path)")
      }
      checked += 1
    }
    #expect(checked == 7)
  }

  func tensor(_ path: String) throws -> Constant {
    let proto = try Onnx_TensorProto(serializedBytes: try Data(contentsOf: URL(fileURLWithPath: path)))
    let values = proto.rawData.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
    return Constant(shape: proto.dims.map { Int($0) }, float32: values.isEmpty ? proto.floatData : values)
  }
}
