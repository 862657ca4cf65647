import ArgumentParser
import Certification
import DataIO
import Foundation
import Inference

struct Contains: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Decide exactly whether points lie in a certificate's region P = {x : G·x ≤ h}.",
    discussion: """
      Verifies the certificate against the model (a certificate that does not hold has no region), \
      re-derives G and h from the model at its input, and decides G·x ≤ h for every point in exact \
      rationals. A point outside P is listed with the inequalities it violates — the pattern site \
      and element each comes from — and by how much. Exit 0 when every point lies in P, 1 when one \
      does not (or the certificate does not hold), 2 on bad input.

      Examples:
        explaincert certify Fixtures/models/digits_mlp.onnx Fixtures/data/digits_test.npy --limit 1 --output out/cert.json
        explaincert contains Fixtures/models/digits_mlp.onnx out/cert.json Fixtures/data/digits_test.npy --limit 3  # exits 1
      """)

  @Argument(help: "The ONNX model file.")
  var model: String

  @Argument(help: "The certificate (.json) written by `certify`.")
  var certificate: String

  @Argument(help: "The points: .npy, .csv or .json, shaped like the model's input (a leading dimension stacks several).")
  var points: String

  @Option(help: "Only the first K points.")
  var limit: Int?

  @Option(help: "Violated inequalities listed per point.")
  var top = 5

  @Flag(help: "Print the memberships as JSON.")
  var json = false

  func run() throws {
    try reportingErrors {
      let certifier = try Certifier(modelPath: model)
      let loaded = try Certificate.load(path: certificate)
      guard loaded.modelSHA256 == certifier.modelSHA256 else {
        emit("\(certificate): the certificate does not hold for this model: it is for the model with sha256 \(loaded.modelSHA256.prefix(12))…")
        throw ExitCode(1)
      }
      let array = try NumericArray.load(path: points)
      let bound = try certifier.network.bind(array, file: points)
      let inputs = bound.examples(batchAxis: certifier.network.batchAxis,
                                  tokenIDs: certifier.network.embedding == nil ? nil : array.asDoubles).prefix(limit ?? Int.max).map(\.input)
      let memberships: [Membership]
      do {
        memberships = try certifier.membership(of: Array(inputs), in: loaded)
      } catch {
        emit("\(certificate): \(error)")
        throw ExitCode(1)
      }
      if json {
        emit(try jsonText(memberships))
      } else {
        for (k, m) in memberships.enumerated() {
          guard !m.inside else {
            emit("point \(k): in P")
            continue
          }
          let worst = m.violations.prefix(top).map { "\($0.node)[\($0.element)] by \(String(format: "%.4g", $0.excessApprox))" }
          emit("point \(k): OUTSIDE P — violates \(m.violations.count) of \(loaded.constraints) inequalities; largest: \(worst.joined(separator: ", "))")
        }
        emit("\(memberships.filter(\.inside).count) of \(memberships.count) point(s) in the region of \(certificate)")
      }
      if memberships.contains(where: { !$0.inside }) { throw ExitCode(1) }
    }
  }
}
