import Foundation
import Testing

/// `certify MODEL prop.vnnlib` on the public ACAS Xu network and its VNN-COMP properties.
@Suite struct VNNLIBCommandTests {
  static let acas = CommandLineRun.repository + "/../shared/models/vnncomp2021/acasxu"

  @Test(arguments: 1...4)
  func acasXuCertifiesAtEachPropertysCentreInsideItsBox(_ property: Int) throws {
    guard FileManager.default.fileExists(atPath: Self.acas) else {
      print("SKIPPED VNNLIBCommandTests: ../shared not found beside the repository")
      return
    }
    let scratch = try ScratchFolder()
    let model = Self.acas + "/ACASXU_run2a_1_1_batch_2000.onnx"
    let certificate = scratch.path + "/prop\(property).json"
    let run = try CommandLineRun(["certify", model, Self.acas + "/prop_\(property).vnnlib", "--output", certificate])
    #expect(run.status == 0, "\(run.standardError)")
    #expect(run.standardError.contains("output constraint(s) read and not checked"), "\(run.standardError)")
    let object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: certificate))) as? [String: Any])
    let domain = try #require((object["radii"] as? [String: Any])?["domain"] as? [String])
    #expect(domain.count == 10)
    let verify = try CommandLineRun(["verify", model, certificate])
    #expect(verify.status == 0, "\(verify.standardOutput)")
  }
}
