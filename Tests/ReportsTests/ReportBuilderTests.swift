import Certification
import DataIO
import ExactArithmetic
import Foundation
import Model
import Reports
import Testing

@Suite struct ReportBuilderTests {
  @Test func digitsMLPExactContributionsComeFromTheCertificate() throws {
    let options = ReportOptions(methods: ["openbox", "gradient-x-input"], seed: 3, examples: [0, 4], jobs: 2)
    let builder = try ReportBuilder(modelPath: Fixture.model("digits_mlp"), inputsPath: Fixture.data("digits_test"), options: options)
    let report = try builder.build(command: "test")
    #expect(report.examples.map(\.index) == [0, 4])
    #expect(report.inputs?.count == 100)
    for example in report.examples {
      #expect(example.display.kind == .image && example.display.height == 8 && example.display.width == 8)
      let region = try #require(example.region)
      #expect(region.verdict == "accepted" && region.identityHolds && region.inputInRegion)
      #expect(region.constraints > 0)
      // OpenBox first, exact, and equal to the certificate's A row times x0, as rationals.
      let openbox = example.explanations[0]
      #expect(openbox.method == "openbox" && openbox.exact)
      let x0 = try DenseTensorInput.load(example.index)
      let certificate = try builder.certifier.certify(x0)
      let row = certificate.outputs[0].a[example.prediction.output]
      let expected = zip(row, certificate.input).map { (Rational($0)! * Rational($1)!).fractionString }
      #expect(openbox.exactRelevance == expected)
      // The certificate hash is the SHA-256 of certify's JSON text.
      #expect(region.certificateSHA256 == SHA256Digest.hex(try ReportBuilder.certificateJSON(certificate)))
      // gradient × input is OpenBox's relevance in float64: cosine 1 with the exact one.
      let comparison = try #require(example.comparisons.first { $0.method == "gradient-x-input" })
      #expect(abs(try #require(comparison.cosine) - 1) < 1e-9)
      #expect(comparison.topKAgreement == 1)
      #expect(openbox.diagnostics["float64 max |Δ relevance|"]! < 1e-9)
    }
    let html = HTMLReport.render(report)
    #expect(html.contains("id=\"input-4\""))
  }

  @Test func sameSeedSameReport() throws {
    let options = ReportOptions(methods: ["lime"], seed: 11, limit: 1, samples: 300, jobs: 1)
    func run() throws -> AuditReport {
      var report = try ReportBuilder(modelPath: Fixture.model("tiny_mixed"), inputsPath: Fixture.data("tiny_inputs"), options: options).build(command: "t")
      report.reproduction.generated = ""
      for i in report.examples.indices {
        report.examples[i].region?.seconds = 0
        for j in report.examples[i].explanations.indices { report.examples[i].explanations[j].seconds = 0 }
      }
      return report
    }
    let (a, b) = (try run(), try run())
    #expect(a == b)
    #expect(a.examples[0].display.kind == .tabular)
    #expect(a.examples[0].explanations.map(\.method) == ["openbox", "lime"])
    #expect(a.examples[0].explanations[1].error == nil)
  }

  @Test func textModelShowsTokensWithTheirWords() throws {
    let vocabulary = try String(contentsOfFile: Fixture.fixtures + "/text/vocab.txt", encoding: .utf8).split(separator: "\n").map(String.init)
    let options = ReportOptions(methods: ["openbox"], limit: 1, vocabulary: vocabulary, jobs: 1)
    let report = try ReportBuilder(modelPath: Fixture.model("text_rnn"), inputsPath: Fixture.data("text_test_ids"), options: options).build(command: "t")
    let example = report.examples[0]
    #expect(example.display.kind == .text)
    let tokens = try #require(example.display.tokens)
    #expect(tokens.count == 10)
    #expect(tokens.allSatisfy { !$0.text.hasPrefix("#") })
    // Token relevance is the sum of its embedding coordinates' contributions.
    let openbox = example.explanations[0]
    #expect(openbox.featureRelevance.count == 10)
    let width = openbox.relevance.count / 10
    #expect(abs(openbox.featureRelevance[3] - openbox.relevance[(3 * width)..<(4 * width)].reduce(0, +)) < 1e-12)
    #expect(HTMLReport.render(report).contains("<p class=\"tokens\">"))
  }

  @Test func badRequestsNameTheProblem() throws {
    #expect(throws: ReportError.self) {
      _ = try ReportBuilder(modelPath: Fixture.model("digits_mlp"), inputsPath: Fixture.data("digits_test"), options: ReportOptions(methods: ["no-such-method"]))
    }
    do {
      _ = try ReportBuilder(modelPath: Fixture.model("digits_mlp"), inputsPath: Fixture.data("digits_test"), options: ReportOptions(examples: [100]))
      Issue.record("expected an error")
    } catch {
      #expect("\(error)".contains("digits_test.npy: example 100 is out of range"))
    }
  }
}

/// The digits fixture's inputs as the builder sees them.
enum DenseTensorInput {
  static func load(_ index: Int) throws -> DenseTensor<Double> {
    let array = try NumericArray.load(path: Fixture.data("digits_test"))
    let values = array.asDoubles
    return DenseTensor<Double>(shape: [1, 64], elements: Array(values[(index * 64)..<((index + 1) * 64)]))
  }
}
