import Foundation
import Testing

/// `info` describes every well-formed model; `certify` refuses one that is not piecewise linear.
@Suite struct ModelDescriptionTests {
  static let pytorch = CommandLineRun.repository + "/Fixtures/pytorch"

  @Test(arguments: ["tanh_mlp.torchscript.onnx", "tanh_mlp.dynamo.onnx"])
  func infoDescribesAModelThatIsNotPiecewiseLinear(_ file: String) throws {
    let model = Self.pytorch + "/" + file
    let info = try CommandLineRun(["info", model])
    #expect(info.status == 0, "\(info.standardError)")
    #expect(info.standardOutput.contains("piecewise linear: no") && info.standardOutput.contains("Tanh") && info.standardOutput.contains("Gemm"),
            "\(info.standardOutput)")
    let json = try CommandLineRun(["info", model, "--json"])
    let object = try #require(try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any])
    #expect(object["piecewiseLinear"] as? Bool == false && object["limitation"] as? String == "notPiecewiseLinear")
    let certify = try CommandLineRun(["certify", model, Self.pytorch + "/tanh_mlp.inputs.npy"])
    #expect(certify.status == 2 && certify.errorLines.count == 1 && certify.standardError.contains("not piecewise linear"), "\(certify.standardError)")
  }

  @Test func infoOfAPiecewiseLinearExportListsItsShapes() throws {
    let info = try CommandLineRun(["info", Self.pytorch + "/conv1d.dynamo.onnx"])
    #expect(info.status == 0 && info.standardOutput.contains("piecewise linear: yes") && info.standardOutput.contains("MaxPool *"), "\(info.standardOutput)")
  }
}
