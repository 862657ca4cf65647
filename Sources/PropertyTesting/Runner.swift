import Explainers
import Foundation
import Inference
import Model

/// One unit of work: one property of one suite around one example.
public struct PropertyCase: Sendable {
  /// Position in the unsharded list of all cases (the shard key).
  public var index: Int
  public var suite: Int
  public var property: Int
  public var example: Int
  /// `suite-file#property-index:name@example`: stable across runs and shards.
  public var id: String
}

/// What one case found.
public struct CaseResult: Codable, Sendable {
  public enum Status: String, Codable, Sendable {
    /// Every sample was judged or skipped, and the property held at those judged.
    case held
    case violated
    /// Nothing was tested: the radius was 0 (x0 on a facet), every sample was x0, or no sample
    /// could be judged. Never counted as held; `check --strict` fails on it.
    case vacuous
    case error
  }

  public var id: String
  public var suite: String
  public var property: String
  /// The generator, norm and radius setting (`uniform ℓ∞ r=certified`): tells apart two
  /// checks of one property in a suite.
  public var generator: String
  public var propertyIndex: Int
  public var example: Int
  public var seed: UInt64
  public var caseSeed: UInt64
  public var status: Status
  /// Points checked.
  public var samples: Int
  /// The radius used around this example.
  public var radius: Double?
  public var tallies: [String: Int]
  public var maxima: [String: Double]
  public var minima: [String: Double]
  /// The violation (or error) in one line.
  public var message: String?
  /// The counterexample file written (or found already recorded).
  public var counterexample: String?
  public var shrink: ShrinkReport?
  public var seconds: Double
}

/// Runs suites: validates and loads them up front, then checks their cases in parallel,
/// shrinking and saving every violation.
public final class Runner: @unchecked Sendable {
  public let suites: [Suite]
  let subjects: [String: Subject]
  let synonymTables: [String: SynonymTable]
  public let explainers: ExplainerCatalog
  /// Seconds spent loading models and inputs.
  public let loadSeconds: Double

  /// Loads every suite's model, inputs and synonym table; a problem is a ``SuiteError`` naming
  /// the suite file, line and key.
  public init(suites: [Suite], explainers: ExplainerCatalog = .standard) throws {
    let start = Date()
    self.suites = suites
    self.explainers = explainers
    var subjects: [String: Subject] = [:]
    var tables: [String: SynonymTable] = [:]
    for suite in suites {
      let key = Self.subjectKey(suite)
      if subjects[key] == nil {
        do {
          subjects[key] = try Subject(modelPath: suite.modelPath, inputsPath: suite.inputsPath)
        } catch {
          throw SuiteError(message: "\(suite.path): key 'model'/'inputs': \(error)")
        }
      }
      let subject = subjects[key]!
      if let examples = suite.examples, let bad = examples.first(where: { $0 < 0 || $0 >= subject.examples.count }) {
        throw SuiteError(message: "\(suite.path)\(suite.examplesLine.map { ":\($0)" } ?? ""): key 'examples': example \(bad) is out of range (\(suite.inputs) holds \(subject.examples.count))")
      }
      if let s = suite.synonymsPath, let v = suite.vocabularyPath, tables[s + "\n" + v] == nil {
        tables[s + "\n" + v] = try SynonymTable(synonymsPath: s, vocabularyPath: v)
      }
      for spec in suite.properties {
        if spec.name == .explainerFidelity && explainers.factories[spec.explainer] == nil {
          throw SuiteError(message: "\(suite.path): property '\(spec.spelledAs)': unknown explainer '\(spec.explainer)' (this build has: \(explainers.names.joined(separator: ", ")))")
        }
        if spec.generator.kind == .synonyms && subject.network.embedding == nil {
          throw SuiteError(message: "\(suite.path): property '\(spec.spelledAs)': the synonyms generator needs a model that reads token ids")
        }
      }
    }
    self.subjects = subjects
    synonymTables = tables
    loadSeconds = Date().timeIntervalSince(start)
  }

  static func subjectKey(_ suite: Suite) -> String { suite.modelPath + "\n" + suite.inputsPath }

  func subject(_ suite: Suite) -> Subject { subjects[Self.subjectKey(suite)]! }

  /// The sha256 of a suite's model file.
  public func modelSHA256(of suite: Suite) -> String { subject(suite).modelSHA256 }

  func synonyms(_ suite: Suite) -> SynonymTable? {
    guard let s = suite.synonymsPath, let v = suite.vocabularyPath else { return nil }
    return synonymTables[s + "\n" + v]
  }

  /// Every case, unsharded, in a fixed order: suites, then properties, then examples.
  public var cases: [PropertyCase] {
    var result: [PropertyCase] = []
    for (s, suite) in suites.enumerated() {
      let examples = suite.examples ?? Array(subject(suite).examples.indices)
      for (p, spec) in suite.properties.enumerated() {
        for e in examples {
          result.append(PropertyCase(index: result.count, suite: s, property: p, example: e,
                                     id: "\(suite.path)#\(p):\(spec.spelledAs)@\(e)"))
        }
      }
    }
    return result
  }

  /// The cases of shard `k` of `n` (1-based): every n-th case starting at the k-th.
  public func cases(shard: (k: Int, n: Int)?) -> [PropertyCase] {
    guard let shard else { return cases }
    return cases.filter { $0.index % shard.n == shard.k - 1 }
  }

  /// Where to save counterexamples (nil: do not save) and how many cases run at once.
  public struct Options: Sendable {
    public var jobs: Int
    public var counterexamples: String?
    public init(jobs: Int = ProcessInfo.processInfo.activeProcessorCount, counterexamples: String? = nil) {
      self.jobs = jobs
      self.counterexamples = counterexamples
    }
  }

  /// Runs cases on `options.jobs` threads; `progress` is called (serially) after each case.
  /// Results come back in the cases' order, whatever order they finished in.
  public func run(_ cases: [PropertyCase], options: Options, progress: @escaping @Sendable (CaseResult, Int, Int) -> Void = { _, _, _ in }) -> [CaseResult] {
    parallelMap(cases.count, jobs: options.jobs, progress: { done, _, result in
      if case .success(let caseResult) = result { progress(caseResult, done, cases.count) }
    }) { [self] (k: Int) throws(Never) -> CaseResult in
      self.run(cases[k], counterexamples: options.counterexamples)
    }.map { $0.get() }
  }

  /// Runs one case.
  public func run(_ propertyCase: PropertyCase, counterexamples: String?) -> CaseResult {
    let start = Date()
    let suite = suites[propertyCase.suite]
    let spec = suite.properties[propertyCase.property]
    let caseSeed = Self.caseSeed(suite.seed, property: propertyCase.property, spec: spec, example: propertyCase.example)
    var result = CaseResult(id: propertyCase.id, suite: suite.path, property: spec.spelledAs, generator: spec.generator.label,
                            propertyIndex: propertyCase.property,
                            example: propertyCase.example, seed: suite.seed, caseSeed: caseSeed, status: .held, samples: 0,
                            radius: nil, tallies: [:], maxima: [:], minima: [:], message: nil, counterexample: nil, shrink: nil, seconds: 0)
    do {
      let anchor = try subject(suite).anchor(propertyCase.example)
      let checker = PropertyChecker(spec: spec, anchor: anchor, seed: caseSeed, explainers: explainers)
      let generator = NearbyGenerator(settings: spec.generator, anchor: anchor, synonyms: synonyms(suite))
      result.radius = spec.generator.kind == .synonyms ? nil : generator.radius
      let points = try Self.points(spec: spec, generator: generator, seed: caseSeed, count: spec.samples)
      var firstFailure: (index: Int, verdict: SampleVerdict)?
      var judged = 0
      let chunk = 32
      for start in stride(from: 0, to: points.count, by: chunk) {
        let verdicts = try checker.check(Array(points[start..<min(start + chunk, points.count)]))
        for (offset, verdict) in verdicts.enumerated() {
          result.samples += 1
          for (key, count) in verdict.tallies { result.tallies[key, default: 0] += count }
          for (key, value) in verdict.maxima { result.maxima[key] = max(result.maxima[key] ?? -.infinity, value) }
          for (key, value) in verdict.minima { result.minima[key] = min(result.minima[key] ?? .infinity, value) }
          if !verdict.holds && firstFailure == nil { firstFailure = (start + offset, verdict) }
          if verdict.judged { judged += 1 }
        }
      }
      if firstFailure == nil, let reason = Self.vacuity(spec: spec, points: points, x0: anchor.x0.elements, judged: judged, radius: result.radius) {
        result.status = .vacuous
        result.message = reason
      }
      if let (index, verdict) = firstFailure {
        result.status = .violated
        result.message = "sample \(index): \(verdict.summary)"
        let record = try minimize(suite: suite, spec: spec, propertyIndex: propertyCase.property, anchor: anchor, checker: checker,
                                  generator: generator, caseSeed: caseSeed, found: points[index], firstFailingSample: index)
        result.shrink = record.shrink
        result.message = "\(record.summary) [shrunk: \(record.shrink.summary)]"
        if let folder = counterexamples {
          let (path, written) = try record.save(in: folder)
          result.counterexample = path
          if !written { result.message! += " (already recorded)" }
        }
      }
    } catch {
      result.status = .error
      result.message = "\(error)"
    }
    result.seconds = Date().timeIntervalSince(start)
    return result
  }

  /// Why a case that found no violation tested nothing, or nil when it tested something.
  static func vacuity(spec: PropertySpec, points: [[Double]], x0: [Double], judged: Int, radius: Double?) -> String? {
    if points.isEmpty { return "no sample was drawn" }
    // float-faithfulness judges x0 itself; every other property is about x0's neighbourhood.
    if spec.name != .floatFaithfulness && points.allSatisfy({ $0 == x0 }) {
      if radius == 0 {
        let certified = if case .certified = spec.generator.radius { true } else { false }
        return certified
          ? "vacuous: x0's certified radius is 0 (x0 lies on a facet of P), so every sample is x0 and nothing nearby was checked"
          : "vacuous: the radius is 0, so every sample is x0 and nothing nearby was checked"
      }
      return "vacuous: every sample is x0 (the domain leaves no room to move), so nothing nearby was checked"
    }
    if judged == 0 { return "vacuous: none of the \(points.count) samples could be judged (\(spec.name.rawValue) is checked only in P)" }
    return nil
  }

  /// The case's own seed: the suite seed mixed with the property's index and name and the example.
  public static func caseSeed(_ seed: UInt64, property: Int, spec: PropertySpec, example: Int) -> UInt64 {
    SeededGenerator.mix(seed, "\(property):\(spec.spelledAs):\(example)")
  }

  /// The points a case checks: x0 first for float-faithfulness (the explanation `certify`
  /// reports), then `count` draws of the case's stream.
  public static func points(spec: PropertySpec, generator: NearbyGenerator, seed: UInt64, count: Int) throws -> [[Double]] {
    var random = SeededGenerator(seed: seed)
    let drawn = try generator.points(count, random: &random)
    return spec.name == .floatFaithfulness ? [generator.anchor.x0.elements] + drawn : drawn
  }

  /// Shrinks a failing input and builds its counterexample record.
  func minimize(suite: Suite, spec: PropertySpec, propertyIndex: Int, anchor: Anchor, checker: PropertyChecker,
                generator: NearbyGenerator, caseSeed: UInt64, found: [Double], firstFailingSample: Int) throws -> Counterexample {
    let (input, shrink) = try Self.shrink(spec: spec, anchor: anchor, checker: checker, generator: generator, caseSeed: caseSeed,
                                          found: found, firstFailingSample: firstFailingSample, budget: suite.shrinkBudget)
    let verdict = try checker.check([input])[0]
    let subject = anchor.subject
    return Counterexample(
      format: Counterexample.formatName, property: spec.name.rawValue, spelledAs: spec.spelledAs, expectation: spec.expectation,
      model: suite.model, modelSHA256: subject.modelSHA256, example: anchor.index, inputShape: anchor.x0.shape,
      tokens: anchor.tokens, x0: anchor.x0.elements, input: input, found: found, settings: .init(spec), seed: suite.seed,
      propertyIndex: propertyIndex, caseSeed: caseSeed, firstFailingSample: firstFailingSample,
      observed: verdict.observed, expected: verdict.expected, summary: verdict.summary, shrink: shrink,
      shrinkBudget: suite.shrinkBudget, lime: nil,
      provenance: .init(foundBy: "explaincert check", version: PropertyTesting.version, suite: suite.path, inputs: suite.inputs,
                        synonyms: suite.synonymsPath, vocabulary: suite.vocabularyPath, command: nil))
  }

  /// Shrinking, deterministic given its inputs (replay re-runs it and must get the same input):
  /// the fewest changed features and smallest steps (``Shrinker``), then the smallest radius
  /// (bisection on the radius with the same seed) and the fewest samples that still fail.
  static func shrink(spec: PropertySpec, anchor: Anchor, checker: PropertyChecker, generator: NearbyGenerator, caseSeed: UInt64,
                     found: [Double], firstFailingSample: Int, budget: Int) throws -> ([Double], ShrinkReport) {
    let x0 = anchor.x0.elements
    var shrinker = Shrinker(x0: x0, budget: budget) { try checker.fails($0) }
    let (input, evaluations) = try shrinker.shrink(found)
    var spent = evaluations
    // The smallest radius (a fraction of the suite's) at which the same stream still fails,
    // within as many samples as it took at the full radius.
    var radiusAfter: Double?
    var samplesAfter = firstFailingSample + 1
    let count = spec.name == .floatFaithfulness ? firstFailingSample : firstFailingSample + 1
    if spec.generator.kind != .synonyms && generator.radius > 0 {
      func firstFailure(_ radius: Double) throws -> Int? {
        var settings = spec.generator
        settings.radius = .absolute(radius)
        let smaller = NearbyGenerator(settings: settings, anchor: anchor, synonyms: generator.synonyms)
        let points = try Self.points(spec: spec, generator: smaller, seed: caseSeed, count: count)
        spent += points.count
        return try checker.check(points).firstIndex { !$0.holds }
      }
      var lo = 0.0, hi = 1.0
      for _ in 0..<10 where spent < budget * 4 {
        let mid = (lo + hi) / 2
        if let index = try firstFailure(generator.radius * mid) {
          hi = mid
          samplesAfter = index + 1
        } else {
          lo = mid
        }
      }
      radiusAfter = generator.radius * hi
    }
    func norms(_ x: [Double]) -> (Int, Double, Double) {
      (zip(x, x0).filter { $0 != $1 }.count, NearbyGenerator.distance(x, from: x0, .linf), NearbyGenerator.distance(x, from: x0, .l2))
    }
    let (cb, lb, l2b) = norms(found), (ca, la, l2a) = norms(input)
    return (input, ShrinkReport(changedFeaturesBefore: cb, changedFeaturesAfter: ca, linfBefore: lb, linfAfter: la, l2Before: l2b,
                                l2After: l2a, radiusBefore: generator.radius, radiusAfter: radiusAfter,
                                samplesBefore: spec.samples, samplesAfter: samplesAfter, evaluations: spent))
  }
}

extension PropertyTesting {
  /// The version written into counterexamples and reports.
  public static let version = "0.1.0"
}
