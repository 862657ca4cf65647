import ArgumentParser
import Certification
import DataIO
import ExactArithmetic
import Foundation
import Inference
import Model

struct Demo: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Run ExplainCert on the models and data that ship in Fixtures/.",
    discussion: """
      Checks the float core against the committed onnxruntime outputs on every fixture model, then \
      certifies and verifies exact explanations of digits through the MLP.

      Example:
        swift run explaincert demo
      """)

  @Option(help: "The fixtures folder (default: Fixtures/ of this checkout).")
  var fixtures: String?

  func run() throws {
    try reportingErrors {
      let root = try fixtures ?? FixtureLocator.fixturesFolder()
      emit("ExplainCert \(ExplainCertVersion.current) demo on \(root)\n")
      emit("1. Float core vs onnxruntime (committed reference outputs)")
      var worst = 0.0
      for pair in FixtureLocator.referencePairs(in: root) {
        let network = try Network.load(contentsOf: pair.model)
        let array = try NumericArray.load(path: pair.data)
        let bound = try network.bind(array, file: pair.data)
        let prediction = try FloatCore<Float>(network).run(bound.tensor.float32)
        let reference = try NumericArray.load(path: pair.reference).asDoubles
        let ours = prediction.outputs[network.outputNames[0]]!.elements.map(Double.init)
        let error = zip(ours, reference).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? 0
        worst = max(worst, error)
        let sites = prediction.plan.sites.count
        emit("   \(URL(fileURLWithPath: pair.model).lastPathComponent.padding(toLength: 18, withPad: " ", startingAt: 0)) \(bound.copies) inputs, \(sites) pattern sites, max relative error \(String(format: "%.2e", error))")
      }
      guard worst <= 1e-5 else {
        emit("   FAILED: the float core differs from onnxruntime by more than 1e-5")
        throw ExitCode(1)
      }
      emit("   all within 1e-5 of onnxruntime")

      emit("\n2. Exact certificates (GMP/FLINT rationals) of the first digits through the MLP")
      let certifier = try Certifier(modelPath: root + "/models/digits_mlp.onnx")
      let digits = try NumericArray.load(path: root + "/data/digits_test.npy").asDoubles
      for k in 0..<3 {
        let x0 = DenseTensor<Double>(shape: [1, 64], elements: Array(digits[(k * 64)..<((k + 1) * 64)]))
        let certificate = try certifier.certify(x0)
        let verdict = try certifier.verify(certificate)
        let radius = Rational(certificate.radii.linf).map { String(format: "%.3g", Double($0)) } ?? certificate.radii.linf
        emit("   digit \(k): f(x0) = A·x0 + c \(certificate.identityHolds ? "exactly" : "FAILS"), \(certificate.constraints) inequalities, r∞ ≈ \(radius), float |A error| ≤ \(String(format: "%.2g", certificate.floatFindings.maxAbsoluteError)), verify: \(verdict == .accepted ? "accepted" : "REJECTED")")
        guard verdict == .accepted, certificate.identityHolds else { throw ExitCode(1) }
      }
    }
  }
}

/// Finds the fixtures that ship with the repository.
enum FixtureLocator {
  /// `Fixtures/` in the current directory, or in the checkout this binary was built from.
  static func fixturesFolder() throws -> String {
    let candidates = [
      FileManager.default.currentDirectoryPath + "/Fixtures",
      URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path + "/Fixtures",
    ]
    guard let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0 + "/models") }) else {
      throw UsageError("cannot find the Fixtures/ folder; run from the repository root or pass --fixtures")
    }
    return found
  }

  /// Each committed reference output `reference/MODEL__DATA.npy` with its model and data.
  static func referencePairs(in root: String) -> [(model: String, data: String, reference: String)] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: root + "/reference")) ?? []
    return names.sorted().compactMap { name in
      guard name.hasSuffix(".npy") else { return nil }
      let parts = name.dropLast(4).components(separatedBy: "__")
      guard parts.count == 2 else { return nil }
      return ("\(root)/models/\(parts[0]).onnx", "\(root)/data/\(parts[1]).npy", "\(root)/reference/\(name)")
    }
  }
}
