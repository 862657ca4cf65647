import Certification
import DataIO
import Explainers
import Foundation
import Inference
import Model

/// A minimized counterexample as `Counterexamples/*.json` holds it: everything replay needs.
/// Two kinds share the format: a property of a suite (found by `explaincert check`) and a LIME
/// divergence (property `lime-divergence`, found by `explaincert lime-diverge`; its LIME run is in
/// ``lime`` and it has no suite settings or seeded sample stream).
public struct Counterexample: Codable, Sendable, Equatable {
  public static let formatName = "explaincert-counterexample/2"
  /// The first format, still read: its float observations came from the BLAS kernels of the
  /// machine that recorded it, so they may differ in their last bits elsewhere.
  public static let oldFormatName = "explaincert-counterexample/1"
  /// The property name of LIME divergences.
  public static let limeDivergence = "lime-divergence"

  /// The property's settings, structured (so replay rebuilds the property exactly).
  public struct Settings: Codable, Sendable, Equatable {
    public var samples: Int
    public var generator: String
    /// A number, or `certified` / `0.5×certified`.
    public var radius: String
    public var norm: String
    public var k: Int
    public var patch: Int
    public var image: [Int]?
    public var domain: [Double]?
    public var maxAbsError: Double
    public var maxRelError: Double
    public var explainer: String
    public var output: String
    public var explainerOptions: [String: String]
    public var explainerSamples: Int?
  }

  /// A LIME divergence: how LIME ran and what diverged. LIME explains x0; fidelity compares its
  /// surrogate with the network at `input` (x0, or a nearby x′ differing in `changedFeatures`);
  /// instability compares two seeds at x0, or one seed at x0 and at `input`, a point of x0's region.
  public struct LimeRun: Codable, Sendable, Equatable {
    public var kind: LimeDivergence.Kind
    /// The explained body output.
    public var output: Int
    /// LIME's seeds (two for instability between seeds) and sample count, after minimization.
    public var seeds: [UInt64]
    public var samples: Int
    /// LIME's settings by its own names (`discretize`, `kernel-width`, ...).
    public var options: [String: String]
    /// The file of LIME's training rows (nil: the examples of `provenance.inputs`).
    public var training: String?
    /// The threshold the divergence passes: τ on |g − f| (fidelity), the smallest acceptable share
    /// of common top-k features (attribution), τ on the cosine of two seeds' explanations (instability).
    public var tolerance: Double
    /// Attribution: k, and whether x0's region must contain LIME's neighbourhood scale.
    public var topK: Int?
    public var requireContainment: Bool?
    /// The coordinates where `input` differs from x0.
    public var changedFeatures: [Int]
  }

  /// How the counterexample was found and shrunk.
  public struct Provenance: Codable, Sendable, Equatable {
    public var foundBy: String
    public var version: String
    /// The suite that found it (property counterexamples).
    public var suite: String?
    public var inputs: String
    public var synonyms: String?
    public var vocabulary: String?
    /// The command that finds it again (LIME divergences).
    public var command: String?
  }

  public var format: String
  /// The property (`consistency`, ...) and the name the suite used.
  public var property: String
  public var spelledAs: String
  /// `reproduce`: a finding that must keep reproducing bit for bit; `fixed`: a defect that must
  /// stay fixed (the property must hold at `input`).
  public var expectation: Expectation
  public var model: String
  public var modelSHA256: String
  /// The example of the inputs file, x0 (body input), its shape and token ids.
  public var example: Int
  public var inputShape: [Int]
  public var tokens: [Int]?
  public var x0: [Double]
  /// The minimized failing input.
  public var input: [Double]
  /// The first failing input the seeded generator drew, before shrinking.
  public var found: [Double]
  /// The property's settings (nil for a LIME divergence).
  public var settings: Settings?
  /// The suite's seed (LIME's first seed for a LIME divergence), the property's index in the
  /// suite, and the case's own seed (derived from both and the example); `firstFailingSample` is
  /// the index of `found` in the case's stream. The last three are nil for a LIME divergence.
  public var seed: UInt64
  public var propertyIndex: Int?
  public var caseSeed: UInt64?
  public var firstFailingSample: Int?
  /// Observed and expected values at `input` (exact rationals as `p/q`, floats as shortest
  /// round-trip text).
  public var observed: [String: String]
  public var expected: [String: String]
  public var summary: String
  public var shrink: ShrinkReport
  /// The shrinker's evaluation budget (replay shrinks again with it).
  public var shrinkBudget: Int?
  /// A LIME divergence's run (nil for a property's counterexample).
  public var lime: LimeRun?
  public var provenance: Provenance

  /// SHA-256 of what was found — the property and its settings, the model's hash, x0, the
  /// inputs drawn and shrunk, the seeds, the LIME run — and of nothing observed or derived from
  /// floats (observed and expected values, summary, shrink statistics, provenance), hex: the file
  /// name's suffix, so the same finding recorded on two machines is one file.
  public var contentHash: String {
    var copy = self
    copy.format = Self.formatName
    copy.observed = [:]
    copy.expected = [:]
    copy.summary = ""
    copy.shrink = ShrinkReport(changedFeaturesBefore: 0, changedFeaturesAfter: 0, linfBefore: 0, linfAfter: 0, l2Before: 0, l2After: 0,
                               radiusBefore: 0, radiusAfter: nil, samplesBefore: 0, samplesAfter: 0, evaluations: 0)
    copy.provenance = Provenance(foundBy: "", version: "", suite: "", inputs: "", synonyms: nil, vocabulary: nil, command: nil)
    let data = (try? Self.encoder.encode(copy)) ?? Data()
    return SHA256Digest.hex(data)
  }

  /// `property-model-HASH.json` (`lime-divergence-KIND-model-HASH.json`).
  public var fileName: String {
    let stem = URL(fileURLWithPath: model).deletingPathExtension().lastPathComponent
    return "\(property)\(lime.map { "-" + $0.kind.rawValue } ?? "")-\(stem)-\(contentHash.prefix(16)).json"
  }

  static var encoder: JSONEncoder {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    return encoder
  }

  /// The JSON text.
  public func jsonText() throws -> String {
    String(decoding: try Self.encoder.encode(self), as: UTF8.self) + "\n"
  }

  /// Saves into `folder` atomically unless the same finding is there already; returns the path
  /// and whether it was written.
  @discardableResult
  public func save(in folder: String) throws -> (path: String, written: Bool) {
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    let path = (folder.hasSuffix("/") ? String(folder.dropLast()) : folder) + "/" + fileName
    if FileManager.default.fileExists(atPath: path) { return (path, false) }
    try AtomicFile.write(try jsonText(), to: path)
    return (path, true)
  }

  /// Reads and checks a counterexample file; a malformed one is a one-line error naming it.
  public static func load(path: String) throws -> Counterexample {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw SuiteError(message: "\(path): cannot read the counterexample")
    }
    let record: Counterexample
    do {
      record = try JSONDecoder().decode(Counterexample.self, from: data)
    } catch {
      throw SuiteError(message: "\(path): not a counterexample (\((error as? DecodingError)?.oneLine ?? "\(error)"))")
    }
    func bad(_ field: String, _ problem: String) -> SuiteError {
      SuiteError(message: "\(path): field '\(field)': \(problem)")
    }
    guard record.format == formatName || record.format == oldFormatName else {
      throw bad("format", "expected \(formatName) (or the older \(oldFormatName)), got '\(record.format)'")
    }
    guard record.property == limeDivergence || PropertyName(rawValue: record.property) != nil else {
      throw bad("property", "unknown property '\(record.property)'")
    }
    guard !record.inputShape.isEmpty, record.inputShape.allSatisfy({ $0 > 0 }), let count = record.inputShape.elementCount else {
      throw bad("inputShape", "\(record.inputShape) is not a shape")
    }
    for (field, values) in [("x0", record.x0), ("input", record.input), ("found", record.found)] {
      guard values.count == count else { throw bad(field, "\(values.count) values for shape \(record.inputShape)") }
      guard values.allSatisfy({ $0.isFinite }) else { throw bad(field, "holds NaN or infinity") }
    }
    if record.property == limeDivergence {
      guard let lime = record.lime else { throw bad("lime", "missing: a LIME divergence needs its LIME run") }
      // Two seeds for instability at x0 alone, one otherwise.
      let seeds = lime.kind == .instability && lime.changedFeatures.isEmpty ? 2 : 1
      guard lime.seeds.count == seeds else { throw bad("lime.seeds", "\(lime.seeds.count) seed(s) where this divergence takes \(seeds)") }
      guard (2...Suite.maximumCount).contains(lime.samples) else { throw bad("lime.samples", "\(lime.samples) is not in 2…\(Suite.maximumCount)") }
      guard lime.output >= 0 else { throw bad("lime.output", "\(lime.output) is negative") }
      guard lime.tolerance.isFinite else { throw bad("lime.tolerance", "is not a number") }
      guard lime.topK.map({ $0 >= 1 }) ?? true else { throw bad("lime.topK", "must be at least 1") }
      guard lime.changedFeatures.allSatisfy({ (0..<count).contains($0) }) else { throw bad("lime.changedFeatures", "holds a feature outside the input") }
      return record
    }
    guard record.lime == nil else { throw bad("lime", "only a \(limeDivergence) counterexample has a LIME run") }
    let missing = [("settings", record.settings == nil), ("propertyIndex", record.propertyIndex == nil),
                   ("caseSeed", record.caseSeed == nil), ("firstFailingSample", record.firstFailingSample == nil)]
    if let (field, _) = missing.first(where: { $0.1 }) { throw bad(field, "missing") }
    let settings = record.settings!
    let counts: [(String, Int?, ClosedRange<Int>)] = [
      ("settings.samples", settings.samples, 0...Suite.maximumCount), ("settings.k", settings.k, 1...Suite.maximumCount),
      ("settings.patch", settings.patch, 1...(1 << 16)), ("settings.explainerSamples", settings.explainerSamples, 1...Suite.maximumCount),
      ("shrinkBudget", record.shrinkBudget, 0...Suite.maximumCount),
    ] + (settings.image ?? []).map { ("settings.image", $0, 1...(1 << 16)) }
    for case let (field, value?, range) in counts where !range.contains(value) {
      throw bad(field, "\(value) is not in \(range.lowerBound)…\(range.upperBound)")
    }
    let (first, samples) = (record.firstFailingSample!, settings.samples)
    guard first >= 0, first < max(samples, 1) + 1 else {
      throw bad("firstFailingSample", "\(first) is outside the \(samples) samples")
    }
    do {
      _ = try record.propertySpec()
    } catch let error as SuiteError {
      throw bad("settings", error.message)
    }
    return record
  }

  /// The inputs file x0 came from, resolved like a suite's paths from the counterexample at `path`.
  func inputsPath(from path: String) throws -> String {
    guard let found = Suite.resolve(provenance.inputs, from: path) else {
      throw SuiteError(message: "\(path): field 'provenance.inputs': no such file '\(provenance.inputs)'")
    }
    return found
  }

  /// The property as the suite set it.
  public func propertySpec() throws -> PropertySpec {
    guard let name = PropertyName(rawValue: property) else { throw SuiteError(message: "unknown property '\(property)'") }
    guard let settings else { throw SuiteError(message: "no settings") }
    var spec = PropertySpec(name: name)
    spec.spelledAs = spelledAs
    spec.samples = settings.samples
    guard let kind = GeneratorKind(rawValue: settings.generator) else { throw SuiteError(message: "unknown generator '\(settings.generator)'") }
    spec.generator.kind = kind
    guard let norm = Norm(rawValue: settings.norm) else { throw SuiteError(message: "unknown norm '\(settings.norm)'") }
    spec.generator.norm = norm
    guard let radius = RadiusSpec(text: settings.radius) else { throw SuiteError(message: "bad radius '\(settings.radius)'") }
    spec.generator.radius = radius
    spec.generator.k = settings.k
    spec.generator.patch = settings.patch
    spec.generator.image = settings.image
    if let domain = settings.domain {
      do {
        spec.generator.domain = try InputDomain(values: domain)
      } catch {
        throw SuiteError(message: "\(error)")
      }
    }
    spec.maxAbsError = settings.maxAbsError
    spec.maxRelError = settings.maxRelError
    spec.explainer = settings.explainer
    if settings.output == "predicted" {
      spec.output = .predicted
    } else if let i = Int(settings.output) {
      spec.output = .index(i)
    } else {
      throw SuiteError(message: "bad output '\(settings.output)'")
    }
    spec.explainerOptions = settings.explainerOptions
    spec.explainerSamples = settings.explainerSamples
    spec.expectation = expectation
    return spec
  }
}

extension Counterexample {
  /// The counterexample of a divergence `lime-diverge` found with `search`: x0 is the example,
  /// `input` the point where it shows (a nearby x′ for fidelity), `found` the point first found.
  /// `model`, `inputs` and `training` are paths as given (relative ones are resolved on replay from
  /// the counterexample's folder and its ancestors, then the current folder); `command` finds it again.
  public init(_ d: LimeDivergence, search: LimeDivergenceSearch, model: String, modelSHA256: String, inputs: String, shape: [Int],
              tokens: [Int]?, options: [String: String], training: String?, command: String) {
    let input = d.nearby ?? d.input
    let found = d.found ?? input
    let expected: [String: String]
    switch d.kind {
    case .fidelity: expected = ["gap ≤": "\(d.tolerance)"]
    case .attribution: expected = ["topKAgreement ≥": "\(d.tolerance)", "oppositeSigns": "0"]
    case .instability: expected = ["cosine ≥": "\(d.tolerance)"]
    }
    func norms(_ x: [Double]) -> (Int, Double, Double) {
      (zip(x, d.reference).filter { $0 != $1 }.count, NearbyGenerator.distance(x, from: d.reference, .linf),
       NearbyGenerator.distance(x, from: d.reference, .l2))
    }
    let (cb, lb, l2b) = norms(found), (ca, la, l2a) = norms(input)
    let attribution = d.kind == .attribution
    self.init(
      format: Self.formatName, property: Self.limeDivergence, spelledAs: Self.limeDivergence, expectation: .reproduce,
      model: model, modelSHA256: modelSHA256, example: d.example, inputShape: shape, tokens: tokens, x0: d.reference,
      input: input, found: found, settings: nil, seed: d.seeds[0], propertyIndex: nil, caseSeed: nil, firstFailingSample: nil,
      observed: d.observed.mapValues { "\($0)" }, expected: expected, summary: d.summary,
      shrink: ShrinkReport(changedFeaturesBefore: cb, changedFeaturesAfter: ca, linfBefore: lb, linfAfter: la, l2Before: l2b, l2After: l2a,
                           radiusBefore: d.kind == .fidelity || d.found != nil ? search.radius : 0, radiusAfter: nil,
                           samplesBefore: d.shrink["samplesBefore"] ?? d.samples, samplesAfter: d.samples,
                           evaluations: d.shrink["evaluations"] ?? 0),
      shrinkBudget: nil,
      lime: LimeRun(kind: d.kind, output: d.output, seeds: d.seeds, samples: d.samples, options: options, training: training,
                    tolerance: d.tolerance, topK: attribution ? search.topK : nil,
                    requireContainment: attribution ? search.requireContainment : nil, changedFeatures: d.changedFeatures),
      provenance: Provenance(foundBy: "explaincert lime-diverge", version: PropertyTesting.version, suite: nil, inputs: inputs,
                             synonyms: nil, vocabulary: nil, command: command))
  }
}

extension Counterexample.Settings {
  init(_ spec: PropertySpec) {
    let g = spec.generator
    self.init(samples: spec.samples, generator: g.kind.rawValue, radius: g.radius.description, norm: g.norm.rawValue,
              k: g.k, patch: g.patch, image: g.image, domain: g.domain?.values,
              maxAbsError: spec.maxAbsError, maxRelError: spec.maxRelError, explainer: spec.explainer,
              output: spec.output.description, explainerOptions: spec.explainerOptions, explainerSamples: spec.explainerSamples)
  }
}

extension RadiusSpec {
  /// Parses ``description``: a number, `certified`, or `S×certified`.
  init?(text: String) {
    if text == "certified" {
      self = .certified(scale: 1)
    } else if text.hasSuffix("×certified"), let scale = Double(text.dropLast("×certified".count)), scale > 0 {
      self = .certified(scale: scale)
    } else if let r = Double(text), r >= 0, r.isFinite {
      self = .absolute(r)
    } else {
      return nil
    }
  }
}
