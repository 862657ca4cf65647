import ArgumentParser
import Certification
import DataIO
import Explainers
import Foundation
import Inference
import Model
import PropertyTesting
import Reports

struct LimeDiverge: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "lime-diverge",
    abstract: "Search the inputs for minimized cases where LIME diverges from the network or from OpenBox.",
    discussion: """
      Three kinds (--kinds, default all):
        fidelity     LIME's surrogate misses the network by more than --tolerance at x or at a
                     nearby x′ (within --radius); shrunk to the fewest changed features, the
                     smallest perturbation and the fewest LIME samples that still show it.
        attribution  LIME's top-k features (--top-k) share less than --agreement with OpenBox's
                     exact contributions A ⊙ x, or a common one has the opposite sign; by default
                     only where x's region contains LIME's neighbourhood scale (--any-scale drops
                     that condition); shrunk to the fewest samples.
        instability  LIME with seeds S and S+1 gives explanations with cosine below --cosine,
                     where OpenBox's explanation is unique; shrunk to the fewest samples. With
                     --region-points, where the seeds agree: LIME (seed S) at x and at a point x′
                     of x's region (within half its r∞ and --radius) disagree, while OpenBox's A
                     is the same; shrunk to the fewest samples, changed features and perturbation.

      LIME is configured as for `explain` (--setting key=value, --training; default: the INPUTS'
      own examples as training data). Findings are printed; with --output they are written as a
      JSON array of divergences, each with its seeds and sample count; with --save each is saved
      as a counterexample file in --counterexamples (default Counterexamples/, named
      lime-divergence-KIND-MODEL-HASH.json, not written twice), which `explaincert replay` re-runs.
      Exit 1 when a divergence is found, 0 when none is, 2 on bad input.

      Examples:
        explaincert lime-diverge Fixtures/models/tiny_leaky.onnx Fixtures/data/tiny_inputs.npy --output divergences.json
        explaincert lime-diverge Fixtures/models/tiny_leaky.onnx Fixtures/data/tiny_inputs.npy --example 7 --kinds fidelity --samples 1000 --save
      """)

  @Argument(help: "The ONNX model file.")
  var model: String

  @Argument(help: "The inputs (.npy, .csv or .json).")
  var inputs: String

  @Option(help: "Kinds to search, comma-separated: fidelity, attribution, instability.")
  var kinds: String = "fidelity,attribution,instability"

  @Option(help: "LIME's samples before minimization.")
  var samples: Int = 5000

  @Option(help: "LIME's seed (instability also uses seed + 1).")
  var seed: UInt64 = 0

  @Option(help: "Parallel jobs (default: the number of cores).")
  var jobs: Int?

  @Option(help: "Fidelity: the largest acceptable |surrogate − network|.")
  var tolerance: Double = 1

  @Option(help: "Fidelity: L∞ radius of the nearby points.")
  var radius: Double = 0.05

  @Option(help: "Fidelity: nearby points tried per input.")
  var neighbours: Int = 8

  @Option(name: .customLong("top-k"), help: "Attribution: how many top features are compared.")
  var topK: Int = 5

  @Option(help: "Attribution: the smallest acceptable share of common top-k features.")
  var agreement: Double = 0.6

  @Flag(name: .customLong("any-scale"), help: "Attribution: report disagreements even where x's region does not contain LIME's neighbourhood.")
  var anyScale = false

  @Option(help: "Instability: the smallest acceptable cosine between two seeds' explanations.")
  var cosine: Double = 0.9

  @Flag(name: .customLong("region-points"), help: "Instability: where two seeds agree, compare LIME (one seed) at x and at a point of x's region (tabular LIME).")
  var regionPoints = false

  @Option(name: .customLong("setting"), help: "A LIME setting key=value (repeatable; see `explain --help`).")
  var settings: [String] = []

  @Option(help: "Training data for tabular LIME's statistics (default: the INPUTS' examples).")
  var training: String?

  @Option(help: "Search only this example of INPUTS (0-based).")
  var example: Int?

  @Option(name: .customLong("output-index"), help: "The body output to explain (default: the predicted class).")
  var outputIndex: Int?

  @Flag(help: "Print the divergences as JSON.")
  var json = false

  @Option(help: "Write the divergences (JSON array) to this file.")
  var output: String?

  @Flag(help: "Save each divergence as a counterexample file (replayed by `explaincert replay`) in --counterexamples.")
  var save = false

  @Option(help: "The folder --save writes counterexamples to.")
  var counterexamples = "Counterexamples"

  @Option(help: "Write an HTML page: each divergence with the command that finds it again, and LIME beside OpenBox's exact explanation at each input concerned (at most 12).")
  var html: String?

  func validate() throws {
    try validateSamples(samples)
  }

  func run() throws {
    var found = false
    try reportingErrors {
      try OutputGuard.refuse([("--output", output), ("--html", html)], toOverwrite: [model, inputs] + [training].compactMap { $0 })
      let network = try Network.load(contentsOf: model)
      let explained = ExplainedModel(network)
      let array = try NumericArray.load(path: inputs)
      let bound = try network.bind(array, file: inputs)
      var examples = Array(bound.examples(batchAxis: network.batchAxis, tokenIDs: network.embedding == nil ? nil : array.asDoubles).enumerated())
      if let example {
        guard example >= 0, example < examples.count else {
          throw UsageError("\(inputs): --example \(example) is out of range (the file holds \(examples.count) inputs)")
        }
        examples = [examples[example]]
      }
      var chosen = Set<LimeDivergence.Kind>()
      for name in kinds.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
        guard let kind = LimeDivergence.Kind(rawValue: name) else {
          throw UsageError("--kinds: unknown kind '\(name)' (kinds: fidelity, attribution, instability)")
        }
        chosen.insert(kind)
      }
      var parsed: [String: String] = [:]
      for setting in settings {
        let parts = setting.split(separator: "=", maxSplits: 1).map(String.init)
        guard parts.count == 2, !parts[0].isEmpty else { throw UsageError("--setting must be key=value, got '\(setting)'") }
        parsed[parts[0]] = parts[1]
      }
      let shape = examples[0].element.input.shape
      let rows: [[Double]]
      if let training {
        let data = try NumericArray.load(path: training)
        rows = try network.bind(data, file: training).examples(batchAxis: network.batchAxis, tokenIDs: nil).map(\.input.elements)
      } else {
        rows = bound.examples(batchAxis: network.batchAxis, tokenIDs: nil).map(\.input.elements)
      }
      let limeSettings = parsed
      // Fail early on bad settings.
      do {
        let lime = try ExplainerRegistry.make("lime", model: explained, shape: shape, settings: limeSettings, samples: samples, data: rows)
        warnAboutFewTrainingRows(of: lime, source: training ?? "the inputs, \(inputs)")
      } catch let error as ExplainerError {
        throw UsageError("--setting: \(error.message)")
      }
      guard samples >= 2, tolerance >= 0, radius >= 0, topK >= 1 else {
        throw UsageError("--samples must be ≥ 2, --tolerance and --radius ≥ 0, --top-k ≥ 1")
      }
      let search = LimeDivergenceSearch(
        samples: samples, seed: seed, fidelityTolerance: tolerance, radius: radius, neighbours: neighbours, topK: topK,
        minimumAgreement: agreement, requireContainment: !anyScale, cosineTolerance: cosine, regionPoints: regionPoints
      ) { n in
        try ExplainerRegistry.make("lime", model: explained, shape: shape, settings: limeSettings, samples: n, data: rows)
      }
      let outputIndex = self.outputIndex
      let kindsChosen = chosen
      let work = examples
      let results = parallelMap(work.count, jobs: try jobCount(jobs)) { k in
        let (index, entry) = work[k]
        let output = try outputIndex ?? explained.predictedOutput(at: entry.input)
        return try search.search(explained, example: index, at: entry.input, output: output, kinds: kindsChosen)
      }
      var divergences: [LimeDivergence] = []
      for (k, result) in results.enumerated() {
        switch result {
        case .success(let list): divergences += list
        case .failure(let error): throw UsageError("\(model): input \(examples[k].offset): \(error)")
        }
      }
      if let output { try writeAtomically(try jsonText(divergences), to: output) }
      var saved: [String] = []
      if save {
        let sha = try Certifier(modelPath: model).modelSHA256
        for d in divergences {
          let command = DivergenceRow(d, model: model, inputs: inputs, options: searchOptions(d.kind) + ["--save"]).command
          let record = Counterexample(d, search: search, model: model, modelSHA256: sha, inputs: inputs, shape: shape,
                                      tokens: work.first { $0.offset == d.example }?.element.tokens, options: limeSettings,
                                      training: training, command: command)
          let (path, written) = try record.save(in: counterexamples)
          saved.append("\(written ? "saved" : "already recorded") \(path)")
        }
      }
      if let html { try writePage(html, divergences: divergences, lime: limeSettings) }
      if json {
        emit(try jsonText(divergences))
      } else {
        for kind in LimeDivergence.Kind.allCases where chosen.contains(kind) {
          let list = divergences.filter { $0.kind == kind }
          emit("\(kind.rawValue): \(list.count) of \(examples.count) input\(examples.count == 1 ? "" : "s")")
          for d in list.prefix(10) { emit("  input \(d.example), output \(d.output): \(d.summary)") }
          if list.count > 10 { emit("  … (\(list.count - 10) more; --json or --output for all)") }
        }
        for line in saved { emit(line) }
      }
      found = !divergences.isEmpty
    }
    if found { throw ExitCode(1) }
  }

  /// The options besides the model, inputs, example, kind, seed and output with which the search
  /// finds a divergence of `kind` again.
  func searchOptions(_ kind: LimeDivergence.Kind) -> [String] {
    let lime = ["--samples", "\(samples)"] + settings.flatMap { ["--setting", $0] } + (training.map { ["--training", $0] } ?? [])
    switch kind {
    case .fidelity: return lime + ["--tolerance", "\(tolerance)", "--radius", "\(radius)", "--neighbours", "\(neighbours)"]
    case .attribution: return lime + ["--top-k", "\(topK)", "--agreement", "\(agreement)"] + (anyScale ? ["--any-scale"] : [])
    case .instability: return lime + ["--cosine", "\(cosine)"] + (regionPoints ? ["--region-points", "--radius", "\(radius)", "--neighbours", "\(neighbours)"] : [])
    }
  }

  /// The HTML page: the divergences, then OpenBox (exact) beside LIME at each input concerned.
  func writePage(_ path: String, divergences: [LimeDivergence], lime: [String: String]) throws {
    var pageOptions = ["--samples", "\(samples)"] + settings.flatMap { ["--setting", $0] } + (training.map { ["--training", $0] } ?? [])
    if divergences.contains(where: { $0.kind == .fidelity }) { pageOptions += ["--tolerance", "\(tolerance)", "--radius", "\(radius)"] }
    var indices: [Int] = []
    for d in divergences where !indices.contains(d.example) { indices.append(d.example) }
    let options = ReportOptions(methods: ["openbox", "lime"], seed: seed, examples: Array((indices.isEmpty ? [example ?? 0] : indices).prefix(12)),
                                samples: samples, settings: lime.isEmpty ? [:] : ["lime": lime], output: outputIndex)
    var words = ["explaincert", "lime-diverge", model, inputs, "--kinds", kinds, "--seed", "\(seed)"] + pageOptions
    if let example { words += ["--example", "\(example)"] }
    words += ["--html", path]
    var page = try ReportBuilder(modelPath: model, inputsPath: inputs, options: options).build(command: ShellWords.line(words))
    page.title = "LIME divergences in \((model as NSString).lastPathComponent)"
    page.divergences = divergences.map { DivergenceRow($0, model: model, inputs: inputs, options: searchOptions($0.kind)) }
    try writeReport(page, html: path, json: nil)
  }
}
