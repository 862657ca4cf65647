import Certification
import DataIO
import Explainers
import Foundation
import Inference
import Model

/// What replaying a counterexample showed.
public struct ReplayOutcome: Sendable {
  public enum Status: String, Sendable, Codable {
    /// A `reproduce` finding failed again, as recorded.
    case reproduced
    /// A `fixed` defect: the property now holds at the saved input.
    case fixed
    /// The file did not behave as recorded.
    case regressed
    /// Re-judged on another model (`replay --model`): the finding still fails there.
    case stillFails = "still-fails"
    /// Re-judged on another model: the finding no longer fails there.
    case noLongerFails = "no-longer-fails"
    /// Re-judged on another model that cannot take the recorded input (its shapes changed).
    case unjudged
  }

  public var path: String
  public var status: Status
  /// Why it regressed, or what was confirmed.
  public var detail: String

  /// Whether the run may pass: the file behaved as its expectation says, or (re-judged on
  /// another model) a finding about an explanation still fails or no longer does. A defect of
  /// ExplainCert's own that fails again, and a file that could not be judged, do not pass.
  public var asRecorded: Bool

}

/// Re-runs saved counterexamples.
public enum Replayer {
  /// The counterexample files under the given paths (folders: every `.json`, recursively), sorted.
  public static func files(in paths: [String]) throws -> [String] {
    try PropertyTesting.files(in: paths) { $0.hasSuffix(".json") && !($0 as NSString).lastPathComponent.hasPrefix(".") }
  }


  /// Loads a counterexample's model (resolved like a suite's paths, from the file's folder and
  /// its ancestors, then the current folder), checks its hash and re-runs the property:
  /// - `reproduce`: the saved input must still fail with the same observed and expected values;
  ///   the seeded generator must draw the same first failing input at the same sample; and
  ///   shrinking it must give the saved input again, all bit for bit.
  /// - `fixed`: the property must hold at the saved input and at the input first found.
  /// A LIME divergence (``Counterexample/lime``) re-runs LIME with the recorded seeds, sample
  /// count and settings at x0: `reproduce`, the divergence must still show, with the same
  /// observed values (to 1e-9, relative); `fixed`, it must no longer show.
  /// A file that cannot be read or is malformed throws (bad input).
  ///
  /// With `model` (a retrained model, `replay --model`), a file whose recorded model is gone or
  /// changed (its hash differs) is re-judged on that model: the finding still fails there (with
  /// the new observed values), no longer fails, or cannot be judged (the model does not take the
  /// recorded input). Files whose recorded model is unchanged replay as usual.
  public static func replay(path: String, model: String? = nil, explainers: ExplainerCatalog = .standard) throws -> ReplayOutcome {
    let record = try Counterexample.load(path: path)
    var recorded = Suite.resolve(record.model, from: path)
    if let model, recorded.flatMap({ try? Network.load(contentsOf: $0) })?.sha256 != record.modelSHA256 {
      // The recorded model is gone or changed: judge the finding on the given one.
      let certifier = try Certifier(modelPath: model)
      if certifier.modelSHA256 != record.modelSHA256 {
        return try rejudge(record, path: path, certifier: certifier, explainers: explainers)
      }
      recorded = model
    }
    guard let modelPath = recorded else {
      throw SuiteError(message: "\(path): field 'model': no such file '\(record.model)'")
    }
    var synonyms: SynonymTable?
    if let s = record.provenance.synonyms, let v = record.provenance.vocabulary {
      guard let sp = Suite.resolve(s, from: path), let vp = Suite.resolve(v, from: path) else {
        throw SuiteError(message: "\(path): field 'provenance': synonym table '\(s)' or vocabulary '\(v)' not found")
      }
      synonyms = try SynonymTable(synonymsPath: sp, vocabularyPath: vp)
    }
    // The inputs file gives x0 (checked against the record) and the other examples, which
    // explainers such as LIME use as training data.
    let inputsPath = try record.inputsPath(from: path)
    let subject: Subject
    do {
      subject = try Subject(modelPath: modelPath, inputsPath: inputsPath)
    } catch {
      throw SuiteError(message: "\(path): field 'model'/'provenance.inputs': \(error)")
    }
    func outcome(_ status: ReplayOutcome.Status, _ detail: String) -> ReplayOutcome {
      let again = record.provenance.command ?? record.provenance.suite.map { "explaincert check \($0)" }
      let hint = status == .regressed && record.expectation == .reproduce
        ? again.map { " (if the change is intended, delete this file and record the finding again: \($0))" } ?? "" : ""
      let old = status == .regressed && record.format == Counterexample.oldFormatName
        ? " [this file is in the old format \(Counterexample.oldFormatName), whose float values came from the recording machine's BLAS kernels: record it again]" : ""
      return ReplayOutcome(path: path, status: status, detail: detail + hint + old,
                           asRecorded: status == .reproduced || status == .fixed)
    }
    guard subject.modelSHA256 == record.modelSHA256 else {
      return outcome(.regressed, "the model changed: its sha256 is \(subject.modelSHA256.prefix(12))…, the counterexample's \(record.modelSHA256.prefix(12))… (replay --model \(modelPath) re-judges the finding on it)")
    }
    guard subject.examples.indices.contains(record.example), subject.examples[record.example].input.elements == record.x0,
          subject.examples[record.example].input.shape == record.inputShape, subject.examples[record.example].tokens == record.tokens else {
      return outcome(.regressed, "the inputs changed: example \(record.example) of \(record.provenance.inputs) is no longer the counterexample's x0")
    }
    if let lime = record.lime {
      let (diverges, observed) = try replay(lime, x0: subject.examples[record.example].input, input: record.input, subject: subject,
                                            path: path, explainers: explainers)
      let now = observed.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
      if record.expectation == .fixed {
        return diverges ? outcome(.regressed, "the LIME divergence is back: \(now)") : outcome(.fixed, "the LIME divergence no longer shows: \(now)")
      }
      guard diverges else { return outcome(.regressed, "the LIME divergence no longer shows: \(now)") }
      if let key = observed.keys.sorted().first(where: { !agree(record.observed[$0], observed[$0].map { "\($0)" }) }) {
        return outcome(.regressed, "observed '\(key)' is now \(observed[key]!), the file has \(record.observed[key] ?? "absent")")
      }
      let seeds = lime.seeds.map(String.init).joined(separator: " and ")
      return outcome(.reproduced, "reproduced with LIME seed\(lime.seeds.count > 1 ? "s" : "") \(seeds), \(lime.samples) samples: \(record.summary)")
    }
    let spec = try record.propertySpec()
    let caseSeed = record.caseSeed!, firstFailingSample = record.firstFailingSample!
    let anchor: Anchor
    do {
      anchor = try subject.anchor(record.example)
    } catch {
      throw SuiteError(message: "\(path): field 'x0': \(error)")
    }
    let checker = PropertyChecker(spec: spec, anchor: anchor, seed: caseSeed, explainers: explainers)
    let verdict = try checker.check([record.input, record.found])
    switch record.expectation {
    case .fixed:
      if verdict[0].holds && verdict[1].holds {
        return outcome(.fixed, "the property holds at the saved input: the defect stays fixed")
      }
      return outcome(.regressed, "the defect is back: \(verdict[0].holds ? verdict[1].summary : verdict[0].summary)")
    case .reproduce:
      guard !verdict[0].holds else {
        return outcome(.regressed, "the finding no longer reproduces: the property holds at the saved input")
      }
      if let key = Set(verdict[0].observed.keys).union(record.observed.keys).sorted().first(where: { !agree(record.observed[$0], verdict[0].observed[$0]) }) {
        return outcome(.regressed, "observed '\(key)' is now \(verdict[0].observed[key] ?? "absent"), the file has \(record.observed[key] ?? "absent")")
      }
      guard verdict[0].expected == record.expected else {
        return outcome(.regressed, "the expected values differ from the file's")
      }
      // The seeded search: same stream, same first failing input, same shrunk input.
      let generator = NearbyGenerator(settings: spec.generator, anchor: anchor, synonyms: synonyms)
      let points = try Runner.points(spec: spec, generator: generator, seed: caseSeed, count: spec.samples)
      guard firstFailingSample < points.count, points[firstFailingSample] == record.found else {
        return outcome(.regressed, "seed \(record.seed) no longer draws the saved input at sample \(firstFailingSample)")
      }
      let firstFailing = try checker.check(Array(points[...firstFailingSample])).firstIndex { !$0.holds }
      guard firstFailing == firstFailingSample else {
        return outcome(.regressed, "seed \(record.seed) now fails first at sample \(firstFailing.map(String.init) ?? "none"), not \(firstFailingSample)")
      }
      let (input, shrink) = try Runner.shrink(spec: spec, anchor: anchor, checker: checker, generator: generator, caseSeed: caseSeed,
                                              found: record.found, firstFailingSample: firstFailingSample,
                                              budget: record.shrinkBudget ?? 600)
      guard input == record.input else {
        return outcome(.regressed, "shrinking the first failing input now gives another input (\(shrink.changedFeaturesAfter) changed features)")
      }
      return outcome(.reproduced, "reproduced bit for bit with seed \(record.seed): \(record.summary)")
    }
  }

  /// How far a replayed float observation may be from the recorded one, relative. The float core
  /// computes in a fixed order (`CFixedOrderKernels`), so on x86-64 the bits are equal; the
  /// bound covers the C library's `exp`/`log`, whose last bit may differ between architectures.
  public static let floatBound = 1e-9

  /// A recorded and a replayed observation agree: the same text (exact rationals, verdicts,
  /// counts, booleans), or two floats within ``floatBound`` of each other, relative.
  static func agree(_ recorded: String?, _ now: String?) -> Bool {
    guard let recorded, let now else { return recorded == now }
    if recorded == now { return true }
    guard !recorded.contains("/"), !now.contains("/"), let x = Double(recorded), let y = Double(now), x.isFinite, y.isFinite,
          x.rounded() != x || y.rounded() != y else { return false }
    return abs(x - y) <= floatBound * max(abs(x), abs(y))
  }

  /// Re-judges a finding on another model: does it still fail at the recorded input?
  static func rejudge(_ record: Counterexample, path: String, certifier: Certifier, explainers: ExplainerCatalog) throws -> ReplayOutcome {
    func unjudged(_ why: String) -> ReplayOutcome {
      ReplayOutcome(path: path, status: .unjudged, detail: "cannot be judged on \(certifier.modelPath): \(why)", asRecorded: false)
    }
    let inputsPath = try record.inputsPath(from: path)
    let subject: Subject
    do {
      subject = try Subject(certifier: certifier, inputsPath: inputsPath)
    } catch {
      return unjudged("it does not take the recorded inputs (\(error))")
    }
    guard subject.examples.indices.contains(record.example) else {
      return unjudged("\(record.provenance.inputs) has no example \(record.example) for it")
    }
    let x0 = subject.examples[record.example]
    guard x0.input.shape == record.inputShape else {
      return unjudged("its input has shape \(x0.input.shape), the counterexample's \(record.inputShape)")
    }
    guard x0.input.elements == record.x0, x0.tokens == record.tokens else {
      return unjudged("example \(record.example) of \(record.provenance.inputs) is no longer the counterexample's x0")
    }
    let fails: Bool
    let observed: String
    if let lime = record.lime {
      let (diverges, values) = try replay(lime, x0: x0.input, input: record.input, subject: subject, path: path, explainers: explainers)
      fails = diverges
      observed = values.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
    } else {
      let anchor: Anchor
      do {
        anchor = try subject.anchor(record.example)
      } catch {
        return unjudged("\(error)")
      }
      let verdict = try PropertyChecker(spec: try record.propertySpec(), anchor: anchor, seed: record.caseSeed!, explainers: explainers)
        .check([record.input])[0]
      fails = !verdict.holds
      observed = verdict.holds ? "the property holds" : verdict.summary
    }
    let hash = subject.modelSHA256.prefix(12)
    if fails {
      return ReplayOutcome(path: path, status: .stillFails, detail: "still fails on the new model (sha256 \(hash)…): \(observed)",
                           asRecorded: record.expectation == .reproduce)
    }
    return ReplayOutcome(path: path, status: .noLongerFails,
                         detail: "no longer fails on the new model (sha256 \(hash)…): \(observed); delete this file, or record the finding again on the new model",
                         asRecorded: true)
  }

  /// LIME at x0 with the recorded run: whether the divergence shows and what is observed.
  static func replay(_ lime: Counterexample.LimeRun, x0: DenseTensor<Double>, input: [Double], subject: Subject, path: String,
                     explainers: ExplainerCatalog) throws -> (diverges: Bool, observed: [String: Double]) {
    var rows = subject.examples.map(\.input.elements)
    if let training = lime.training {
      guard let file = Suite.resolve(training, from: path) else {
        throw SuiteError(message: "\(path): field 'lime.training': no such file '\(training)'")
      }
      do {
        let bound = try subject.network.bind(try NumericArray.load(path: file), file: file)
        rows = bound.examples(batchAxis: subject.network.batchAxis, tokenIDs: nil).map(\.input.elements)
      } catch {
        throw SuiteError(message: "\(path): field 'lime.training': \(error)")
      }
    }
    let search = LimeDivergenceSearch(topK: lime.topK ?? 5, requireContainment: lime.requireContainment ?? true) { [rows] n in
      try explainers.make("lime", ExplainerRequest(settings: lime.options, samples: n, model: subject.explained, shape: x0.shape, data: rows))
    }
    do {
      return try search.observe(lime.kind, subject.explained, at: x0, point: input == x0.elements ? nil : input, output: lime.output,
                                seeds: lime.seeds, samples: lime.samples, tolerance: lime.tolerance)
    } catch {
      throw SuiteError(message: "\(path): field 'lime': \(error)")
    }
  }
}
