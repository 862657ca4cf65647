import DataIO
import Explainers
import Foundation
import Inference
import Model

/// What replaying a counterexample showed.
public struct ReplayOutcome: Sendable {
  public enum Status: String, Sendable, Codable {
    /// A `reproduce` finding failed again, bit for bit.
    case reproduced
    /// A `fixed` defect: the property now holds at the saved input.
    case fixed
    /// The file did not behave as recorded.
    case regressed
  }

  public var path: String
  public var status: Status
  /// Why it regressed, or what was confirmed.
  public var detail: String

  /// Whether the file behaved as its expectation says.
  public var asRecorded: Bool { status != .regressed }
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
  public static func replay(path: String, explainers: ExplainerCatalog = .standard) throws -> ReplayOutcome {
    let record = try Counterexample.load(path: path)
    guard let modelPath = Suite.resolve(record.model, from: path) else {
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
    guard let inputsPath = Suite.resolve(record.provenance.inputs, from: path) else {
      throw SuiteError(message: "\(path): field 'provenance.inputs': no such file '\(record.provenance.inputs)'")
    }
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
      return ReplayOutcome(path: path, status: status, detail: detail + hint)
    }
    guard subject.modelSHA256 == record.modelSHA256 else {
      return outcome(.regressed, "the model changed: its sha256 is \(subject.modelSHA256.prefix(12))…, the counterexample's \(record.modelSHA256.prefix(12))…")
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
      // LIME's values agree to 1e-9 (relative): a change in the order of its float arithmetic
      // passes, a change in what it samples or fits does not.
      func agrees(_ key: String) -> Bool {
        guard let text = record.observed[key], let recorded = Double(text), let now = observed[key] else { return false }
        return abs(now - recorded) <= 1e-9 * max(1, abs(now), abs(recorded))
      }
      if let key = observed.keys.sorted().first(where: { !agrees($0) }) {
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
      if let key = Set(verdict[0].observed.keys).union(record.observed.keys).sorted().first(where: { verdict[0].observed[$0] != record.observed[$0] }) {
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
