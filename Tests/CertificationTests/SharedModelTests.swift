import DataIO
import Foundation
import Inference
import Model
import Testing

@testable import Certification

/// Certify then verify on every network under ../shared/models (public benchmarks nobody on the
/// team wrote), at a seeded random input of the declared shape.
@Suite struct SharedModelTests {
  static let shared = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path + "/shared/models"

  static let models: [String] = {
    guard let enumerator = FileManager.default.enumerator(atPath: shared) else { return [] }
    return enumerator.compactMap { $0 as? String }.filter { $0.hasSuffix(".onnx") }.sorted()
  }()

  @Test func sharedModelsArePresent() {
    if Self.models.isEmpty { print("SKIPPED SharedModelTests: ../shared/models not found beside the repository") }
  }

  @Test(arguments: models)
  func certifyThenVerify(_ model: String) throws {
    let certifier = try Certifier(modelPath: Self.shared + "/" + model)
    var state: UInt64 = 0x5EED
    let shape = certifier.network.inputShape.map { dimension -> Int in
      if case .fixed(let size) = dimension { return size }
      return 3
    }
    let values = (0..<shape.reduce(1, *)).map { _ -> Double in
      state = state &* 6364136223846793005 &+ 1442695040888963407
      return Double(Float(Double(state >> 40) / Double(1 << 24)))
    }
    let bound = try certifier.network.bind(NumericArray(shape: shape, elements: .float64(values)), file: model)
    let x0 = try #require(bound.examples(batchAxis: certifier.network.batchAxis, tokenIDs: nil).first).input
    let certificate = try certifier.certify(x0)
    #expect(certificate.identityHolds, "\(model)")
    #expect(certificate.inputInRegion, "\(model)")
    #expect(try certifier.verify(certificate) == .accepted, "\(model)")
  }
}
