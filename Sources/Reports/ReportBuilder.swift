import Certification
import DataIO
import Dispatch
import ExactArithmetic
import Explainers
import Foundation
import Inference
import Model

/// What a report explains and how.
public struct ReportOptions: Sendable {
  /// Explanation methods (names of `ExplainerRegistry`); `openbox` is always run, first, and is
  /// the exact one: its contributions come from the certificate's rational A.
  public var methods: [String]
  /// Seed of every random choice (LIME, KernelSHAP).
  public var seed: UInt64
  /// Explain these examples of the inputs file (0-based); nil: all of them, up to `limit`.
  public var examples: [Int]?
  /// At most this many examples (the first ones).
  public var limit: Int?
  /// Box every input coordinate lies in; the certified ℓ∞ radius stays inside it.
  public var domain: InputDomain?
  /// Sample count for LIME and KernelSHAP (nil: their defaults).
  public var samples: Int?
  /// Training data for tabular LIME's statistics (a file of model inputs); nil: the inputs file.
  public var training: String?
  /// Settings per method (`lime` → `kernel-width` → `3`).
  public var settings: [String: [String: String]]
  /// k of the top-k agreement and of the bar charts.
  public var topK: Int
  /// The body output element explained; nil: the predicted class.
  public var output: Int?
  /// How inputs are shown; nil: chosen from the model and the input's shape.
  public var kind: Display.Kind?
  /// Image layout `height × width` (overrides the automatic choice).
  public var imageSize: (height: Int, width: Int)?
  /// Token texts by id (token models), e.g. `Fixtures/text/vocab.txt` read line by line.
  public var vocabulary: [String]?
  /// Examples explained at once.
  public var jobs: Int
  /// Write each example's certificate here as `certificate-K.json` (K = the example's index).
  public var certificatesFolder: String?

  public init(methods: [String] = ["openbox", "lime"], seed: UInt64 = 0, examples: [Int]? = nil, limit: Int? = nil,
              domain: InputDomain? = nil, samples: Int? = nil, training: String? = nil, settings: [String: [String: String]] = [:], topK: Int = 10,
              output: Int? = nil, kind: Display.Kind? = nil, imageSize: (height: Int, width: Int)? = nil, vocabulary: [String]? = nil,
              jobs: Int = ProcessInfo.processInfo.activeProcessorCount, certificatesFolder: String? = nil) {
    self.methods = methods
    self.seed = seed
    self.examples = examples
    self.limit = limit
    self.domain = domain
    self.samples = samples
    self.training = training
    self.settings = settings
    self.topK = topK
    self.output = output
    self.kind = kind
    self.imageSize = imageSize
    self.vocabulary = vocabulary
    self.jobs = jobs
    self.certificatesFolder = certificatesFolder
  }

  /// The methods in the order run: `openbox` first, each once.
  public var orderedMethods: [String] {
    var seen: Set<String> = ["openbox"]
    return ["openbox"] + methods.filter { seen.insert($0).inserted }
  }
}

/// A problem with what the report was asked to do (bad method, example out of range, ...),
/// naming the file or option.
public struct ReportError: Error, CustomStringConvertible, Sendable {
  public var description: String
  public init(_ description: String) { self.description = description }
}

/// Builds an ``AuditReport``: certifies and verifies each input's OpenBox explanation, runs the
/// other explainers through ``ExplainerRegistry``, and compares them with ``Metrics``.
public struct ReportBuilder: Sendable {
  public let modelPath: String
  public let inputsPath: String
  public let options: ReportOptions
  public let certifier: Certifier
  let explained: ExplainedModel
  let examples: [(input: DenseTensor<Double>, tokens: [Int]?)]
  let rows: [[Double]]
  let inputsSHA256: String
  let explainers: [String: any Explainer]
  /// The indices explained.
  public let chosen: [Int]

  /// Loads the model and inputs and builds every explainer (errors name the file or method).
  public init(modelPath: String, inputsPath: String, options: ReportOptions) throws {
    self.modelPath = modelPath
    self.inputsPath = inputsPath
    self.options = options
    certifier = try Certifier(modelPath: modelPath)
    explained = ExplainedModel(certifier.network)
    guard let bytes = FileManager.default.contents(atPath: inputsPath) else {
      throw ReportError("\(inputsPath): cannot read the file")
    }
    inputsSHA256 = SHA256Digest.hex(bytes)
    let array = try NumericArray.load(path: inputsPath)
    let network = certifier.network
    let bound = try network.bind(array, file: inputsPath)
    let all = bound.examples(batchAxis: network.batchAxis, tokenIDs: network.embedding == nil ? nil : array.asDoubles)
    guard !all.isEmpty else { throw ReportError("\(inputsPath): no inputs") }
    examples = all
    if let training = options.training {
      let data = try NumericArray.load(path: training)
      rows = try network.bind(data, file: training).examples(batchAxis: network.batchAxis, tokenIDs: nil).map(\.input.elements)
    } else {
      rows = all.map(\.input.elements)
    }
    if let wanted = options.examples {
      if let bad = wanted.first(where: { $0 < 0 || $0 >= all.count }) {
        throw ReportError("\(inputsPath): example \(bad) is out of range (the file holds \(all.count) inputs)")
      }
      chosen = Array(wanted.prefix(options.limit ?? wanted.count))
    } else {
      chosen = Array(0..<min(all.count, options.limit ?? all.count))
    }
    if let limit = options.limit, limit < 1 { throw ReportError("--limit must be at least 1, got \(limit)") }
    let shape = all[0].input.shape
    let rows = self.rows
    var made: [String: any Explainer] = [:]
    for method in options.orderedMethods {
      do {
        made[method] = try ExplainerRegistry.make(method, model: explained, shape: shape, settings: options.settings[method] ?? [:],
                                                  samples: options.samples, data: method == "lime" ? rows : nil)
      } catch let error as ExplainerError {
        let option = options.settings[method].map { "--setting \(method).\($0.keys.sorted().joined(separator: ","))" } ?? "--methods \(method)"
        throw ReportError("\(option): \(error.message)")
      }
    }
    if let unknown = options.settings.keys.sorted().first(where: { !options.orderedMethods.contains($0) }) {
      throw ReportError("--setting \(unknown).…: method '\(unknown)' is not among --methods \(options.orderedMethods.joined(separator: ","))")
    }
    explainers = made
  }

  /// Examples in the inputs file.
  public var exampleCount: Int { examples.count }

  /// The report of every chosen example (in parallel over `options.jobs`), with progress after
  /// each finished example (done, total, the example's index). A failing explainer is recorded
  /// on its example, not thrown.
  /// `certificates`: certificates already made for some examples (by index), used instead of
  /// certifying again (they are still verified).
  public func build(command: String, properties: PropertyResults? = nil, certificates: [Int: Certificate] = [:],
                    progress: @escaping @Sendable (Int, Int, Int) -> Void = { _, _, _ in }) throws -> AuditReport {
    let chosen = self.chosen
    // Exact evaluation of deep networks recurses: parallelMap's threads have a large stack.
    let results = parallelMap(chosen.count, jobs: options.jobs, progress: { done, slot, _ in progress(done, chosen.count, chosen[slot]) }) { [self] slot in
      try self.example(chosen[slot], certificate: certificates[chosen[slot]])
    }
    var reports: [ExampleReport] = []
    for (slot, result) in results.enumerated() {
      switch result {
      case .success(let report): reports.append(report)
      case .failure(let error): throw ReportError("\(inputsPath): input \(chosen[slot]): \(error)")
      }
    }
    return AuditReport(
      title: "Explanation audit of \((modelPath as NSString).lastPathComponent)",
      reproduction: reproduction(command: command),
      model: modelInfo, inputs: InputsInfo(path: inputsPath, sha256: inputsSHA256, count: examples.count, explained: chosen),
      examples: reports, properties: properties,
      notes: (reports.first?.region?.notes ?? []) + explainers.values.compactMap { ($0 as? LimeTabularExplainer)?.trainingCaveat }.map {
        "\($0) (from \(options.training ?? "the inputs file"); pass them with --training)"
      })
  }

  func reproduction(command: String) -> Reproduction {
    var settings: [String: String] = ["top-k": "\(options.topK)", "output": options.output.map(String.init) ?? "predicted class"]
    if let samples = options.samples { settings["samples"] = "\(samples)" }
    if let domain = options.domain { settings["domain"] = domain.summary }
    if let limit = options.limit { settings["limit"] = "\(limit)" }
    if let examples = options.examples { settings["examples"] = examples.map(String.init).joined(separator: ",") }
    for (method, values) in options.settings {
      for (key, value) in values { settings["\(method).\(key)"] = value }
    }
    return Reproduction(version: Certifier.version, command: command, seed: options.seed, methods: options.orderedMethods,
                        settings: settings, components: Self.components, generated: ISO8601DateFormatter().string(from: Date()))
  }

  /// Versions of the formats and engines a report involves.
  public static var components: [String: String] {
    ["certificate": "explaincert certificate (Certification \(Certifier.version))", "report": AuditReport.formatName,
     "arithmetic": "GMP rationals, FLINT integer matrices", "float core": "float32/float64, fixed-order kernels (the same bits on every machine)"]
  }

  var modelInfo: ModelInfo {
    let network = certifier.network
    return ModelInfo(path: modelPath, sha256: certifier.modelSHA256, inputName: network.inputName,
                     inputShape: network.inputShape.shapeDescription, outputName: explained.outputName,
                     links: Set(network.links.map(\.link.name)).sorted(), operators: Set(network.nodes.map(\.sourceOperator)).sorted())
  }

  /// How example `index` is shown.
  func display(of index: Int) -> Display {
    let x0 = examples[index].input
    let shape = x0.shape
    let n = x0.elements.count
    let kind = options.kind ?? Self.automaticKind(shape: shape, text: certifier.network.embedding != nil, imageSize: options.imageSize)
    switch kind {
    case .text:
      let width = certifier.network.embedding?.width ?? shape.last ?? 1
      let ids = examples[index].tokens ?? Array(0..<(n / max(width, 1)))
      let tokens = ids.map { id in Display.Token(id: id, text: options.vocabulary.flatMap { id < $0.count ? $0[id] : nil } ?? "#\(id)") }
      return Display(kind: .text, tokens: tokens, featureNames: tokens.enumerated().map { "\($0.offset): \($0.element.text)" })
    case .image:
      let (c, h, w) = Self.imageLayout(shape: shape, override: options.imageSize)
      let names = (0..<n).map { i in c > 1 ? "c\(i / (h * w)) (\((i / w) % h), \(i % w))" : "(\((i / w) % h), \(i % w))" }
      return Display(kind: .image, height: h, width: w, channels: c, featureNames: names)
    case .tabular:
      let strides = shape.indices.map { shape[($0 + 1)...].reduce(1, *) }
      let multi = shape.filter { $0 > 1 }.count > 1
      return Display(kind: .tabular, featureNames: (0..<n).map { i in
        multi ? "x[" + shape.indices.map { String((i / strides[$0]) % shape[$0]) }.joined(separator: ",") + "]" : "x[\(i)]"
      })
    }
  }

  /// Text for token models; an image for NCHW inputs, for inputs with two axes of at least 6
  /// (after dropping axes of size 1) and for flat inputs of a square size (64, 784, ...);
  /// otherwise tabular.
  public static func automaticKind(shape: [Int], text: Bool, imageSize: (height: Int, width: Int)? = nil) -> Display.Kind {
    if text { return .text }
    let n = shape.reduce(1, *)
    if let imageSize, imageSize.height * imageSize.width > 0, n % (imageSize.height * imageSize.width) == 0 { return .image }
    if shape.count == 4 && shape[2] > 1 && shape[3] > 1 { return .image }
    let axes = shape.filter { $0 > 1 }
    if axes.count == 2 && axes.allSatisfy({ $0 >= 6 }) { return .image }
    let side = Int(Double(n).squareRoot().rounded())
    if axes.count == 1 && side * side == n && side >= 6 { return .image }
    return .tabular
  }

  /// Channels, height and width of an image input.
  static func imageLayout(shape: [Int], override: (height: Int, width: Int)?) -> (Int, Int, Int) {
    let n = shape.reduce(1, *)
    if let override, override.height * override.width > 0 { return (max(1, n / (override.height * override.width)), override.height, override.width) }
    if shape.count == 4 { return (shape[1], shape[2], shape[3]) }
    let axes = shape.filter { $0 > 1 }
    if axes.count == 2 { return (1, axes[0], axes[1]) }
    let side = Int(Double(n).squareRoot().rounded())
    return (1, side, n / max(side, 1))
  }

  /// Per displayed feature: token sums for text, else the coordinates themselves.
  static func featureValues(_ relevance: [Double], display: Display) -> [Double] {
    guard display.kind == .text, let tokens = display.tokens, !tokens.isEmpty, relevance.count % tokens.count == 0 else { return relevance }
    let width = relevance.count / tokens.count
    return (0..<tokens.count).map { t in relevance[(t * width)..<((t + 1) * width)].reduce(0, +) }
  }

  /// Certifies (unless `certificate` is given), verifies and explains one example.
  public func example(_ index: Int, certificate given: Certificate? = nil) throws -> ExampleReport {
    let (x0, tokens) = examples[index]
    let display = display(of: index)
    let logits = try logitsAt(x0)
    let predicted = logits.count == 1 ? 0 : logits.indices.max { logits[$0] < logits[$1] || (logits[$0] == logits[$1] && $0 > $1) } ?? 0
    let output = options.output ?? predicted
    guard output >= 0, output < logits.count else {
      throw ReportError("output index \(output) is out of range: '\(explained.outputName)' has \(logits.count) elements")
    }

    // The exact explanation: certify, verify, and read A's row from the certificate.
    var region: RegionSummary?
    var certificationError: String?
    var methods: [MethodResult] = []
    let start = Date()
    do {
      let certificate = try given ?? certifier.certify(x0, tokens: tokens, domain: try options.domain?.box(count: x0.elements.count))
      let verdict = try certifier.verify(certificate)
      let text = try Self.certificateJSON(certificate)
      var file: String?
      if let folder = options.certificatesFolder {
        file = (folder as NSString).appendingPathComponent("certificate-\(index).json")
        try AtomicFile.write(text, to: file!)
      }
      let seconds = Date().timeIntervalSince(start)
      region = Self.summary(certificate, verdict: verdict, sha256: SHA256Digest.hex(text), file: file, seconds: seconds)
      methods.append(try exactOpenBox(certificate, output: output, display: display, seconds: seconds))
    } catch {
      certificationError = "\(error)"
    }

    for method in options.orderedMethods where !(method == "openbox" && region != nil) {
      let explainer = explainers[method]!
      let begin = Date()
      do {
        let e = try explainer.explain(explained, at: x0, output: output, seed: options.seed)
        methods.append(MethodResult(method: method, exact: false, relevance: e.relevance,
                                    featureRelevance: Self.featureValues(e.relevance, display: display), seed: e.seed,
                                    settings: e.settings, diagnostics: e.diagnostics.filter { $0.value.isFinite },
                                    seconds: Date().timeIntervalSince(begin)))
      } catch {
        methods.append(MethodResult(method: method, exact: false, relevance: [], featureRelevance: [], seed: options.seed,
                                    seconds: Date().timeIntervalSince(begin), error: "\(error)"))
      }
    }
    // The float64 OpenBox beside the exact one: how far float arithmetic moves the contributions.
    if region != nil, let exact = methods.first, let float = try? explainers["openbox"]!.explain(explained, at: x0, output: output, seed: options.seed) {
      let gap = zip(exact.relevance, float.relevance).map { abs($0 - $1) }.max() ?? 0
      methods[0].diagnostics["float64 max |Δ relevance|"] = gap
    }

    let reference = methods[0]
    let comparisons = methods.dropFirst().filter { $0.error == nil && $0.featureRelevance.count == reference.featureRelevance.count }.map { m in
      Self.compare(m, with: reference, k: options.topK)
    }
    return ExampleReport(index: index, display: display, input: x0.elements, inputShape: x0.shape,
                         prediction: Prediction(output: output, outputName: explained.outputName, logits: logits, predicted: predicted),
                         explanations: methods, comparisons: comparisons, region: region, certificationError: certificationError)
  }

  func logitsAt(_ x0: DenseTensor<Double>) throws -> [Double] {
    let prediction = try explained.core.run(x0.reshaped([1] + x0.shape))
    return prediction.logits[explained.outputName]?.elements ?? []
  }

  /// OpenBox's exact contributions A[k, j]·x0[j] from the certificate's rationals.
  func exactOpenBox(_ certificate: Certificate, output: Int, display: Display, seconds: Double) throws -> MethodResult {
    guard let map = certificate.outputs.first(where: { $0.output == explained.outputName }) ?? certificate.outputs.first,
          output < map.a.count else {
      throw ReportError("the certificate has no row \(output) of A")
    }
    var exact: [String] = []
    var values: [Double] = []
    for (a, x) in zip(map.a[output], certificate.input) {
      guard let ra = Rational(a), let rx = Rational(x) else { throw ReportError("the certificate holds a malformed rational") }
      let product = ra * rx
      exact.append(product.fractionString)
      values.append(Double(product))
    }
    var diagnostics: [String: Double] = ["ties": Double(certificate.ties)]
    if let c = Rational(map.c[output]), let v = Rational(map.value[output]) {
      diagnostics["c (intercept)"] = Double(c)
      diagnostics["f(x0)"] = Double(v)
    }
    return MethodResult(method: "openbox", exact: true, relevance: values, featureRelevance: Self.featureValues(values, display: display),
                        exactRelevance: exact, settings: ["source": "certificate (exact rationals)"], diagnostics: diagnostics, seconds: seconds)
  }

  static func compare(_ method: MethodResult, with reference: MethodResult, k requested: Int) -> Comparison {
    let a = method.featureRelevance, b = reference.featureRelevance
    let k = min(requested, b.count)
    let top = Metrics.topK(b, k)
    let signs = top.isEmpty ? 1 : Double(top.filter { (a[$0] > 0) == (b[$0] > 0) && a[$0] != 0 }.count) / Double(top.count)
    return Comparison(method: method.method, reference: reference.method, cosine: Metrics.definedCosine(a, b),
                      topKAgreement: Metrics.topKAgreement(a, b, k: k), k: k, rmse: Metrics.rmse(a, b), mae: Metrics.mae(a, b),
                      signAgreement: signs)
  }

  /// The region's summary from a certificate and its verdict.
  public static func summary(_ c: Certificate, verdict: Verdict, sha256: String, file: String?, seconds: Double) -> RegionSummary {
    func approx(_ text: String) -> Double? { Rational(text).map { Double($0) } }
    let rejection: String?
    switch verdict {
    case .accepted: rejection = nil
    case .rejected(let field, let detail): rejection = "\(field): \(detail)"
    }
    return RegionSummary(
      verdict: rejection == nil ? "accepted" : "rejected", rejection: rejection, identityHolds: c.identityHolds, inputInRegion: c.inputInRegion,
      constraints: c.constraints, ties: c.ties, patternSites: c.pattern.count, patternElements: c.pattern.reduce(0) { $0 + $1.choices.count },
      radii: .init(linf: c.radii.linf, l1: c.radii.l1, l2Lower: c.radii.l2Lower, l2Upper: c.radii.l2Upper,
                   linfApprox: approx(c.radii.linf), l1Approx: approx(c.radii.l1), l2LowerApprox: approx(c.radii.l2Lower),
                   l2UpperApprox: approx(c.radii.l2Upper), domain: c.radii.domain),
      float: .init(maxAbsoluteError: c.floatFindings.maxAbsoluteError, maxRelativeError: c.floatFindings.maxRelativeError,
                   flippedNeurons: c.floatFindings.flippedNeurons.count,
                   flips: c.floatFindings.flippedNeurons.prefix(20).map { "\($0.node)[\($0.element)]: float \($0.floatChoice), exact \($0.exactChoice)" }),
      certificateSHA256: sha256, certificateFile: file, notes: c.notes, seconds: seconds)
  }

  /// A certificate's JSON text exactly as `explaincert certify --output` writes it (sorted keys,
  /// pretty-printed, final newline), so its SHA-256 matches `sha256sum` of that file.
  public static func certificateJSON(_ certificate: Certificate) throws -> String {
    try ReportJSON.text(certificate)
  }

}

/// The JSON encoding every ExplainCert file uses: sorted keys, pretty-printed, slashes unescaped,
/// a final newline.
public enum ReportJSON {
  public static func text<T: Encodable>(_ value: T) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try encoder.encode(value), as: UTF8.self) + "\n"
  }
}

extension DivergenceRow {
  /// The row of a divergence, with the command that searches its example again (`options`: the
  /// search's other options, e.g. `--samples 5000`).
  public init(_ d: LimeDivergence, model: String, inputs: String, options: [String] = []) {
    let command = ShellWords.line(["explaincert", "lime-diverge", model, inputs, "--example", "\(d.example)", "--kinds", d.kind.rawValue,
                                   "--seed", "\(d.seeds.first ?? 0)", "--output-index", "\(d.output)"] + options)
    self.init(kind: d.kind.rawValue, example: d.example, output: d.output, summary: d.summary, seeds: d.seeds, samples: d.samples,
              tolerance: d.tolerance, observed: d.observed.filter { $0.value.isFinite }, changedFeatures: d.changedFeatures, shrink: d.shrink, command: command)
  }
}
