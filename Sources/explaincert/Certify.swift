import ArgumentParser
import Certification
import DataIO
import Dispatch
import ExactArithmetic
import Foundation
import Inference
import Model
import Regions
import Reports

struct Certify: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Certify the OpenBox explanation of each input with exact rational arithmetic.",
    discussion: """
      For each input x0 the certificate holds the exact activation pattern, the exact affine map \
      A·x + c of x0's region, the identity f(x0) = A·x0 + c, the certified radii, and how far \
      the float explanation is from the exact one. `explaincert verify` re-checks it.

      Examples:
        explaincert certify Fixtures/models/tiny_clip.onnx Fixtures/data/tiny_inputs.npy --output certs/
        explaincert certify Fixtures/models/digits_mlp.onnx x0.npy --domain 0,1 --output x0.cert.json
        explaincert certify Fixtures/models/digits_mlp.onnx Fixtures/data/digits_test.npy --output certs/ --html certs/report.html --quiet

      Exit codes: 0 every input certified, 1 an identity or membership check failed, 2 bad input.
      """)

  @Argument(help: "The ONNX model file.")
  var model: String

  @Argument(help: "The input(s) (.npy, .csv or .json; several inputs stack along a leading dimension), or a VNN-LIB property (.vnnlib): its box's centre is certified, inside the box.")
  var inputs: String

  @Option(help: "Where to write: a .json file for one input, a folder for several.")
  var output: String?

  @Flag(help: "With --output: also write each region's G and h, exactly, beside its certificate (NAME.region.json).")
  var region = false

  @Option(help: "A box the inputs lie in; the radii stay inside it: MIN,MAX for every coordinate (e.g. 0,1 for pixels), or a file with a box per coordinate (.vnnlib, or .npy/.csv/.json of shape [2, …input]: lower bounds, then upper).")
  var domain: String?

  @Option(help: "Parallel jobs (default: the number of cores).")
  var jobs: Int?

  @Option(help: "Certify at most this many inputs (the first ones).")
  var limit: Int?

  @Flag(help: "Print the certificates as JSON instead of a summary.")
  var json = false

  @Option(help: "Also write an HTML audit page of the certificates here (each is verified for it; see `explaincert report`).")
  var html: String?

  @Flag(help: "No progress bar or per-input lines while certifying.")
  var quiet = false

  func validate() throws {
    if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1") }
    if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
  }

  @OptionGroup var memory: MemoryOptions

  func run() throws {
    try reportingErrors {
      memory.apply()
      try OutputGuard.refuse([("--output", output), ("--html", html)], toOverwrite: [model, inputs])
      let certifier = try Certifier(modelPath: model)
      var domain = try self.domain.map { try InputDomain(parsing: $0) }
      let array: NumericArray
      if inputs.lowercased().hasSuffix(".vnnlib") {
        // A verification property: certify its box's centre, with radii inside the box.
        guard domain == nil else { throw UsageError("--domain cannot be given with a VNN-LIB property: the property's box is the domain") }
        let property = try VNNLIBProperty.load(path: inputs)
        let box = try InputBox(lower: property.lower, upper: property.upper)
        domain = .box(box)
        let declared = certifier.network.inputShape.map { if case .fixed(let size) = $0 { size } else { 1 } }
        guard declared.reduce(1, *) == property.lower.count else {
          throw UsageError("\(inputs): the property has \(property.lower.count) inputs, the model's input \(certifier.network.inputShape.shapeDescription) has \(declared.reduce(1, *))")
        }
        array = NumericArray(shape: declared, elements: .float64(box.centre))
        if property.outputAssertions > 0 {
          warn("\(inputs): \(property.outputAssertions) output constraint(s) read and not checked: certify proves the explanation at the box's centre and its radii inside the box, not the property")
        }
      } else {
        array = try NumericArray.load(path: inputs)
      }
      let bound = try certifier.network.bind(array, file: inputs)
      let examples = Array(bound.examples(batchAxis: certifier.network.batchAxis,
                                          tokenIDs: certifier.network.embedding == nil ? nil : array.asDoubles).prefix(limit ?? Int.max))
      let box = try examples.first.flatMap { example in try domain?.box(count: example.input.elements.count) }
      // Progress only for batches, and never over the JSON on standard output.
      let progress = Progress("certify", total: examples.count, unit: "inputs", quiet: quiet || json || examples.count < 2, plainLines: false)
      let results = parallelMap(examples.count, jobs: jobs ?? ProcessInfo.processInfo.activeProcessorCount,
                                progress: { done, k, _ in progress.update(done, item: "input \(k)") }) { k in
        try certifier.certify(examples[k].input, tokens: examples[k].tokens, domain: box)
      }
      progress.finish()
      var done: [Certificate] = []
      for (k, result) in results.enumerated() {
        switch result {
        case .success(let certificate): done.append(certificate)
        case .failure(let error):
          // A problem of the model's (its size, an operator) names the model; others the input.
          let text = "\(error)"
          throw UsageError(text.hasPrefix(model) ? "\(text) (input \(k) of \(inputs))" : "\(inputs): input \(k): \(text)")
        }
      }
      if DigitProductChecks.failed.count > 0 {
        warn("\(DigitProductChecks.failed.count) of \(DigitProductChecks.failed.count + DigitProductChecks.passed.count) BLAS digit products failed the exact check and were recomputed with FLINT; the certificates are exact, but this machine's BLAS computes wrong products")
      }
      if region && output == nil { throw UsageError("--region needs --output: G and h are written beside the certificates") }
      if let output { try write(done, to: output, certifier: certifier) }
      if let html {
        let builder = try ReportBuilder(modelPath: model, inputsPath: inputs,
                                        options: ReportOptions(methods: ["openbox"], limit: limit, domain: domain, jobs: jobs ?? ProcessInfo.processInfo.activeProcessorCount))
        let command = ShellWords.line(["explaincert", "certify", model, inputs] + (self.domain.map { ["--domain", $0] } ?? []) +
                                      (limit.map { ["--limit", "\($0)"] } ?? []) + ["--html", html])
        let report = try builder.build(command: command, certificates: Dictionary(uniqueKeysWithValues: done.enumerated().map { ($0.offset, $0.element) }))
        try writeReport(report, html: html, json: nil)
        if !quiet && !json { emit("wrote \(html)") }
      }
      if json {
        emit(done.count == 1 ? try jsonText(done[0]) : try jsonText(done))
      } else {
        for (k, certificate) in done.enumerated() { emit(summary(certificate, index: k)) }
      }
      if done.contains(where: { !$0.identityHolds || !$0.inputInRegion }) { throw ExitCode(1) }
    }
  }

  func write(_ certificates: [Certificate], to path: String, certifier: Certifier) throws {
    let single = certificates.count == 1 && !path.hasSuffix("/")
    if !single { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }
    for (k, certificate) in certificates.enumerated() {
      let file = single ? path : "\(path)/certificate-\(k).json"
      try writeAtomically(try jsonText(certificate), to: file)
      if region {
        let stem = file.hasSuffix(".json") ? String(file.dropLast(5)) : file
        try writeAtomically(try jsonText(try certifier.regionFile(of: certificate)), to: stem + ".region.json")
      }
    }
  }

  func summary(_ c: Certificate, index: Int) -> String {
    func approx(_ text: String) -> String {
      guard let value = Rational(text) else { return text }
      return String(format: "%.4g", Double(value))
    }
    let flips = c.floatFindings.flippedNeurons.count
    return """
      input \(index): \(!(c.identityHolds && c.inputInRegion) ? "NOT CERTIFIED" : Rational(c.radii.linf)?.isZero == true ? "CERTIFIED, x0 on a facet (radius 0)" : "CERTIFIED") — f(x0) = A·x0 + c \(c.identityHolds ? "holds exactly" : "FAILS"), x0 \(c.inputInRegion ? "∈" : "∉") P
        region: \(c.constraints) inequalities, \(c.ties) ties; radii r∞ ≈ \(approx(c.radii.linf)), r₁ ≈ \(approx(c.radii.l1)), r₂ ∈ [\(approx(c.radii.l2Lower)), \(approx(c.radii.l2Upper))]
        float explanation: max |error| \(String(format: "%.3g", c.floatFindings.maxAbsoluteError)), max relative \(String(format: "%.3g", c.floatFindings.maxRelativeError)); \(flips == 0 ? "float pattern equals the exact pattern" : "\(flips) neuron(s) where the float pattern is WRONG: " + c.floatFindings.flippedNeurons.prefix(5).map { "\($0.node)[\($0.element)] float \($0.floatChoice) exact \($0.exactChoice)" }.joined(separator: ", "))
      """
  }
}

struct Verify: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Re-derive a certificate from the model and accept or reject it.",
    discussion: """
      Nothing in the certificate is trusted: the pattern, A, c, the radii and the findings are \
      recomputed exactly from the model and the certificate's input. Exit 0 accepted, 1 rejected \
      (naming the first field that disagrees), 2 bad input.

      Example:
        explaincert verify Fixtures/models/tiny_clip.onnx certs/certificate-0.json
      """)

  @Argument(help: "The ONNX model file.")
  var model: String

  @Argument(help: "The certificate (.json) written by `certify`.")
  var certificate: String

  @OptionGroup var memory: MemoryOptions

  func run() throws {
    try reportingErrors {
      memory.apply()
      let certifier = try Certifier(modelPath: model)
      let decoded = try Certificate.load(path: certificate)
      switch try certifier.verify(decoded) {
      case .accepted:
        emit("\(certificate): accepted — the explanation is exact on its region")
      case .rejected(let field, let detail):
        emit("\(certificate): REJECTED at \(field): \(detail)")
        throw ExitCode(1)
      }
    }
  }
}
