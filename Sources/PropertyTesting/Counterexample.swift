import Crypto
import Foundation
import Inference
import Model

/// A minimized counterexample as `Counterexamples/*.json` holds it: everything replay needs.
public struct Counterexample: Codable, Sendable, Equatable {
  public static let formatName = "explaincert-counterexample/1"

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

  /// How the counterexample was found and shrunk.
  public struct Provenance: Codable, Sendable, Equatable {
    public var foundBy: String
    public var version: String
    public var suite: String
    public var inputs: String
    public var synonyms: String?
    public var vocabulary: String?
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
  public var settings: Settings
  /// The suite's seed, the property's index in the suite, and the case's own seed (derived from
  /// both and the example); `firstFailingSample` is the index of `found` in the case's stream.
  public var seed: UInt64
  public var propertyIndex: Int
  public var caseSeed: UInt64
  public var firstFailingSample: Int
  /// Observed and expected values at `input` (exact rationals as `p/q`, floats as shortest
  /// round-trip text).
  public var observed: [String: String]
  public var expected: [String: String]
  public var summary: String
  public var shrink: ShrinkReport
  /// The shrinker's evaluation budget (replay shrinks again with it).
  public var shrinkBudget: Int?
  public var provenance: Provenance

  /// SHA-256 of the finding itself (everything but provenance), hex: the file name's suffix, so
  /// the same finding is never stored twice.
  public var contentHash: String {
    var copy = self
    copy.provenance = Provenance(foundBy: "", version: "", suite: "", inputs: "", synonyms: nil, vocabulary: nil)
    let data = (try? Self.encoder.encode(copy)) ?? Data()
    return SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
  }

  /// `property-model-HASH.json`.
  public var fileName: String {
    let stem = URL(fileURLWithPath: model).deletingPathExtension().lastPathComponent
    return "\(property)-\(stem)-\(contentHash.prefix(16)).json"
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
      throw SuiteError(message: "\(path): not a counterexample (\(describe(error)))")
    }
    func bad(_ field: String, _ problem: String) -> SuiteError {
      SuiteError(message: "\(path): field '\(field)': \(problem)")
    }
    guard record.format == formatName else { throw bad("format", "expected \(formatName), got '\(record.format)'") }
    guard PropertyName(rawValue: record.property) != nil else { throw bad("property", "unknown property '\(record.property)'") }
    let count = record.inputShape.reduce(1, *)
    guard !record.inputShape.isEmpty, record.inputShape.allSatisfy({ $0 > 0 }) else { throw bad("inputShape", "\(record.inputShape) is not a shape") }
    for (field, values) in [("x0", record.x0), ("input", record.input), ("found", record.found)] {
      guard values.count == count else { throw bad(field, "\(values.count) values for shape \(record.inputShape)") }
      guard values.allSatisfy({ $0.isFinite }) else { throw bad(field, "holds NaN or infinity") }
    }
    guard record.firstFailingSample >= 0, record.firstFailingSample < max(record.settings.samples, 1) + 1 else {
      throw bad("firstFailingSample", "\(record.firstFailingSample) is outside the \(record.settings.samples) samples")
    }
    do {
      _ = try record.propertySpec()
    } catch let error as SuiteError {
      throw bad("settings", error.message)
    }
    return record
  }

  static func describe(_ error: Error) -> String {
    switch error {
    case DecodingError.keyNotFound(let key, let context):
      return "missing field '\((context.codingPath.map(\.stringValue) + [key.stringValue]).joined(separator: "."))'"
    case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
      return "wrong type at '\(context.codingPath.map(\.stringValue).joined(separator: "."))'"
    case DecodingError.dataCorrupted(let context):
      let place = context.codingPath.map(\.stringValue).joined(separator: ".")
      return place.isEmpty ? "malformed JSON" : "bad value at '\(place)'"
    default: return "\(error)"
    }
  }

  /// The property as the suite set it.
  public func propertySpec() throws -> PropertySpec {
    guard let name = PropertyName(rawValue: property) else { throw SuiteError(message: "unknown property '\(property)'") }
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
      guard domain.count == 2, domain[0] <= domain[1] else { throw SuiteError(message: "domain must be [min, max]") }
      spec.generator.domain = domain[0]...domain[1]
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

extension Counterexample.Settings {
  init(_ spec: PropertySpec) {
    let g = spec.generator
    self.init(samples: spec.samples, generator: g.kind.rawValue, radius: g.radius.description, norm: g.norm.rawValue,
              k: g.k, patch: g.patch, image: g.image, domain: g.domain.map { [$0.lowerBound, $0.upperBound] },
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
