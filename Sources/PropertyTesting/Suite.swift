import Certification
import Foundation
import Yams

/// A property suite: a model, its inputs, and the properties to check around them (YAML; the
/// schema is in the README's "Property suites" section).
public struct Suite: Sendable {
  /// The suite file as given.
  public var path: String
  /// The model and inputs as the suite spells them, and where they were found.
  public var model: String
  public var modelPath: String
  public var inputs: String
  public var inputsPath: String
  /// The examples of the inputs file to check around (nil: all).
  public var examples: [Int]?
  public var domain: InputDomain?
  public var seed: UInt64
  /// Property evaluations the shrinker may spend per counterexample.
  public var shrinkBudget: Int
  public var synonymsPath: String?
  public var vocabularyPath: String?
  public var properties: [PropertySpec]
  /// Where `examples` is written (line of the key), for late errors.
  public var examplesLine: Int?

  /// The top-level keys a suite may have.
  /// The largest count a suite may set (samples, examples, budgets, k).
  public static let maximumCount = 10_000_000

  public static let topLevelKeys = ["model", "inputs", "examples", "domain", "seed", "budget", "synonyms", "vocabulary", "image", "properties"]
  /// The keys every property takes, and the extra ones of some.
  public static let commonPropertyKeys = ["samples", "radius", "radius_scale", "norm", "generator", "k", "patch", "expectation"]
  public static let propertyKeys: [String: [String]] = [
    "exactness": [], "region-membership": [], "consistency": [],
    "float-faithfulness": ["max_abs_error", "max_rel_error"],
    "explainer-fidelity": ["explainer", "max_abs_error", "output", "options", "num_samples"],
    "lime-fidelity": ["max_abs_error", "output", "options", "num_samples"],
  ]

  /// Reads and validates a suite file.
  public static func load(path: String, seedOverride: UInt64? = nil) throws -> Suite {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw SuiteError(message: "\(path): cannot read the suite file")
    }
    guard let text = String(data: data, encoding: .utf8) else {
      throw SuiteError(message: "\(path): not UTF-8 text")
    }
    let root: Node?
    do {
      root = try Yams.compose(yaml: text)
    } catch let error as YamlError {
      throw SuiteError(message: "\(path): \(describe(error))")
    } catch {
      throw SuiteError(message: "\(path): not YAML (\(error))")
    }
    var reader = SuiteReader(file: path)
    return try reader.suite(root, seedOverride: seedOverride)
  }

  /// One line for a YAML syntax error, with its line and column.
  static func describe(_ error: YamlError) -> String {
    switch error {
    case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
      return "\(mark.line):\(mark.column): malformed YAML: \(problem)"
    case .duplicatedKeysInMapping(let duplicates, let context):
      return "\(context.mark.line):\(context.mark.column): duplicate key(s) \(duplicates.joined(separator: ", "))"
    default:
      return "malformed YAML: \(error)".replacingOccurrences(of: "\n", with: " ")
    }
  }

  /// The suite files under the given paths (folders are searched recursively for `.yaml` and
  /// `.yml`), sorted.
  public static func files(in paths: [String]) throws -> [String] {
    try PropertyTesting.files(in: paths) { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }
  }


  /// A relative path resolved against the folder of `file` and its ancestors, then the current
  /// folder: the first place it exists.
  public static func resolve(_ relative: String, from file: String) -> String? {
    let manager = FileManager.default
    if relative.hasPrefix("/") { return manager.fileExists(atPath: relative) ? relative : nil }
    var folder = URL(fileURLWithPath: file).deletingLastPathComponent().standardizedFileURL
    for _ in 0..<64 {
      let candidate = folder.appendingPathComponent(relative).path
      if manager.fileExists(atPath: candidate) { return candidate }
      if folder.path == "/" { break }
      folder = folder.deletingLastPathComponent()
    }
    return manager.fileExists(atPath: relative) ? relative : nil
  }
}

/// Reads a composed YAML tree into a suite, with errors naming the file, line and key.
struct SuiteReader {
  let file: String

  func fail(_ node: Node?, _ key: String, _ message: String) -> SuiteError {
    let place = node?.mark.map { "\($0.line):\($0.column)" }
    return SuiteError(message: "\(file)\(place.map { ":\($0)" } ?? ""): key '\(key)': \(message)")
  }

  func mapping(_ node: Node?, _ key: String) throws -> [(key: String, keyNode: Node, value: Node)] {
    guard let node, case .mapping(let map) = node else {
      throw fail(node, key, "expected a mapping (key: value lines), got \(kind(node))")
    }
    return try map.map { pair in
      guard case .scalar(let scalar) = pair.key else { throw fail(pair.key, key, "keys must be plain words") }
      return (scalar.string, pair.key, pair.value)
    }
  }

  func kind(_ node: Node?) -> String {
    guard let node else { return "nothing" }
    switch node {
    case .scalar(let s):
      if s.tag.rawValue == Tag.Name.null.rawValue || s.string.isEmpty && s.style == .plain { return "nothing" }
      return "'\(s.string)'"
    case .mapping: return "a mapping"
    case .sequence: return "a list"
    case .alias: return "an alias"
    }
  }

  func string(_ node: Node, _ key: String) throws -> String {
    guard case .scalar(let s) = node, s.tag.rawValue == Tag.Name.str.rawValue || s.style != .plain || Double(s.string) == nil && !["true", "false", "null", "~", ""].contains(s.string) else {
      throw fail(node, key, "expected text, got \(kind(node))")
    }
    return s.string
  }

  func number(_ node: Node, _ key: String) throws -> Double {
    guard case .scalar(let s) = node, s.style == .plain, let value = Double(s.string), value.isFinite else {
      throw fail(node, key, "expected a number, got \(kind(node))")
    }
    return value
  }

  /// A whole number in `minimum...maximum`: counts (samples, examples, budgets) are bounded so
  /// that a typo cannot ask for more work or memory than any run could give.
  func integer(_ node: Node, _ key: String, minimum: Int = 0, maximum: Int = Suite.maximumCount) throws -> Int {
    guard case .scalar(let s) = node, s.style == .plain, let value = Int(s.string) else {
      throw fail(node, key, "expected a whole number, got \(kind(node))")
    }
    guard value >= minimum else { throw fail(node, key, "must be at least \(minimum), got \(value)") }
    guard value <= maximum else { throw fail(node, key, "must be at most \(maximum), got \(value)") }
    return value
  }

  func file(_ node: Node, _ key: String) throws -> (spelled: String, found: String) {
    let spelled = try string(node, key)
    guard let found = Suite.resolve(spelled, from: self.file) else {
      throw fail(node, key, "no such file '\(spelled)' (looked beside the suite, in its parent folders and in the current folder)")
    }
    return (spelled, found)
  }

  func unknown(_ keyNode: Node, _ key: String, in context: String, known: [String]) -> SuiteError {
    fail(keyNode, key, "unknown key in \(context) (known: \(known.joined(separator: ", ")))")
  }

  mutating func suite(_ root: Node?, seedOverride: UInt64?) throws -> Suite {
    guard let root else { throw SuiteError(message: "\(file): empty suite (expected keys: model, inputs, properties)") }
    let entries = try mapping(root, "(top level)")
    var values: [String: (Node, Node)] = [:]
    for entry in entries {
      guard Suite.topLevelKeys.contains(entry.key) else {
        throw unknown(entry.keyNode, entry.key, in: "the suite", known: Suite.topLevelKeys)
      }
      values[entry.key] = (entry.keyNode, entry.value)
    }
    for required in ["model", "inputs", "properties"] where values[required] == nil {
      throw SuiteError(message: "\(file):\(root.mark.map { "\($0.line):\($0.column)" } ?? "1"): key '\(required)': missing (a suite needs model, inputs and properties)")
    }
    let model = try file(values["model"]!.1, "model")
    let inputs = try file(values["inputs"]!.1, "inputs")
    var examples: [Int]?
    if let (_, node) = values["examples"] {
      if case .sequence(let list) = node {
        examples = try list.map { try integer($0, "examples") }
        guard !examples!.isEmpty else { throw fail(node, "examples", "the list is empty") }
      } else {
        let count = try integer(node, "examples", minimum: 1)
        examples = Array(0..<count)
      }
    }
    var domain: InputDomain?
    if let (_, node) = values["domain"], case .scalar = node {
      // A file with a box per coordinate, found like the model and the inputs.
      let (_, found) = try file(node, "domain")
      do {
        domain = try InputDomain(parsing: found)
      } catch {
        throw fail(node, "domain", "\(error)")
      }
    } else if let (_, node) = values["domain"] {
      var lo: Double?, hi: Double?
      for entry in try mapping(node, "domain") {
        switch entry.key {
        case "min": lo = try number(entry.value, "domain.min")
        case "max": hi = try number(entry.value, "domain.max")
        default: throw unknown(entry.keyNode, "domain.\(entry.key)", in: "domain", known: ["min", "max"])
        }
      }
      guard let lo, let hi else { throw fail(node, "domain", "needs both min and max") }
      guard lo <= hi else { throw fail(node, "domain", "min \(lo) is above max \(hi)") }
      domain = .uniform(lo...hi)
    }
    var seed: UInt64 = 0
    if let (_, node) = values["seed"] {
      guard case .scalar(let s) = node, s.style == .plain, let value = UInt64(s.string) else {
        throw fail(node, "seed", "expected a whole number from 0 to 2^64 − 1, got \(kind(node))")
      }
      seed = value
    }
    if let seedOverride { seed = seedOverride }
    var shrinkBudget = 600
    var defaultSamples: Int?
    if let (_, node) = values["budget"] {
      for entry in try mapping(node, "budget") {
        switch entry.key {
        case "samples": defaultSamples = try integer(entry.value, "budget.samples")
        case "shrink_evaluations": shrinkBudget = try integer(entry.value, "budget.shrink_evaluations")
        default: throw unknown(entry.keyNode, "budget.\(entry.key)", in: "budget", known: ["samples", "shrink_evaluations"])
        }
      }
    }
    var synonyms: String?, vocabulary: String?
    if let (_, node) = values["synonyms"] { synonyms = try file(node, "synonyms").found }
    if let (_, node) = values["vocabulary"] { vocabulary = try file(node, "vocabulary").found }
    if (synonyms == nil) != (vocabulary == nil) {
      let node = values["synonyms"]?.1 ?? values["vocabulary"]!.1
      throw fail(node, synonyms == nil ? "synonyms" : "vocabulary", "synonyms and vocabulary go together")
    }
    var image: [Int]?
    if let (_, node) = values["image"] {
      guard case .sequence(let list) = node, list.count == 2 else { throw fail(node, "image", "expected [height, width]") }
      image = try list.map { try integer($0, "image", minimum: 1, maximum: 1 << 16) }
    }
    guard case .sequence(let list) = values["properties"]!.1 else {
      throw fail(values["properties"]!.1, "properties", "expected a list of properties (lines starting with '- '), got \(kind(values["properties"]!.1))")
    }
    guard !list.isEmpty else { throw fail(values["properties"]!.1, "properties", "the list is empty") }
    var properties: [PropertySpec] = []
    for item in list {
      var spec = try property(item, synonyms: synonyms != nil)
      spec.generator.domain = domain
      spec.generator.image = spec.generator.image ?? image
      if let defaultSamples, !item.hasExplicitSamples { spec.samples = defaultSamples }
      properties.append(spec)
    }
    return Suite(path: file, model: model.spelled, modelPath: model.found, inputs: inputs.spelled, inputsPath: inputs.found,
                 examples: examples, domain: domain, seed: seed, shrinkBudget: shrinkBudget, synonymsPath: synonyms,
                 vocabularyPath: vocabulary, properties: properties, examplesLine: values["examples"]?.0.mark?.line)
  }

  func property(_ item: Node, synonyms: Bool) throws -> PropertySpec {
    let entries = try mapping(item, "properties")
    guard entries.count == 1, let entry = entries.first else {
      throw fail(item, "properties", "each property is one `name: {settings}` entry, got \(entries.count) keys")
    }
    let spelled = entry.key
    guard let extra = Suite.propertyKeys[spelled] else {
      throw fail(entry.keyNode, spelled, "unknown property (known: \(Suite.propertyKeys.keys.sorted().joined(separator: ", ")))")
    }
    let name: PropertyName = spelled == "lime-fidelity" ? .explainerFidelity : PropertyName(rawValue: spelled)!
    var spec = PropertySpec(name: name)
    spec.spelledAs = spelled
    if spelled == "lime-fidelity" { spec.explainer = "lime" }
    if case .scalar(let s) = entry.value, s.tag.rawValue == Tag.Name.null.rawValue || (s.string.isEmpty && s.style == .plain) { return spec }
    let known = Suite.commonPropertyKeys + extra
    var radiusScale: Double?
    var radiusIsCertified = true
    for setting in try mapping(entry.value, spelled) {
      let key = "\(spelled).\(setting.key)"
      let value = setting.value
      guard known.contains(setting.key) else { throw unknown(setting.keyNode, key, in: spelled, known: known) }
      switch setting.key {
      case "samples": spec.samples = try integer(value, key)
      case "radius":
        if case .scalar(let s) = value, s.string == "certified" {
          radiusIsCertified = true
        } else {
          let r = try number(value, key)
          guard r >= 0 else { throw fail(value, key, "must not be negative") }
          guard r <= 1e9 else { throw fail(value, key, "must be at most 1e9 (larger balls leave float range), got \(r)") }
          spec.generator.radius = .absolute(r)
          radiusIsCertified = false
        }
      case "radius_scale":
        let s = try number(value, key)
        guard s > 0, s <= 1e9 else { throw fail(value, key, "must be positive and at most 1e9") }
        radiusScale = s
      case "norm":
        guard let norm = Norm(rawValue: try string(value, key)) else {
          throw fail(value, key, "expected linf or l2, got \(kind(value))")
        }
        spec.generator.norm = norm
      case "generator":
        guard let generator = GeneratorKind(rawValue: try string(value, key)) else {
          throw fail(value, key, "unknown generator \(kind(value)) (known: \(GeneratorKind.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        if generator == .synonyms && !synonyms {
          throw fail(value, key, "the synonyms generator needs the suite keys `synonyms` and `vocabulary`")
        }
        spec.generator.kind = generator
      case "k": spec.generator.k = try integer(value, key, minimum: 1)
      case "patch": spec.generator.patch = try integer(value, key, minimum: 1)
      case "expectation":
        guard let e = Expectation(rawValue: try string(value, key)) else {
          throw fail(value, key, "expected reproduce or fixed, got \(kind(value))")
        }
        spec.expectation = e
      case "max_abs_error":
        spec.maxAbsError = try number(value, key)
        guard spec.maxAbsError >= 0 else { throw fail(value, key, "must not be negative") }
      case "max_rel_error":
        spec.maxRelError = try number(value, key)
        guard spec.maxRelError >= 0 else { throw fail(value, key, "must not be negative") }
      case "explainer": spec.explainer = try string(value, key)
      case "output":
        if case .scalar(let s) = value, s.string == "predicted" {
          spec.output = .predicted
        } else {
          spec.output = .index(try integer(value, key))
        }
      case "num_samples": spec.explainerSamples = try integer(value, key, minimum: 1)
      case "options":
        for option in try mapping(value, key) {
          guard case .scalar(let text) = option.value else {
            throw fail(option.value, "\(key).\(option.key)", "expected a number or a word, got \(kind(option.value))")
          }
          spec.explainerOptions[option.key] = text.string
        }
      default:
        throw unknown(setting.keyNode, key, in: spelled, known: known)
      }
    }
    if radiusIsCertified {
      spec.generator.radius = .certified(scale: radiusScale ?? 1)
    } else if let radiusScale, case .absolute(let r) = spec.generator.radius {
      spec.generator.radius = .absolute(r * radiusScale)
    }
    return spec
  }
}

extension Node {
  /// Whether a property item sets `samples` itself.
  var hasExplicitSamples: Bool {
    guard case .mapping(let map) = self, let first = map.first, case .mapping(let settings) = first.value else { return false }
    return settings.contains { pair in pair.key.string == "samples" }
  }
}
