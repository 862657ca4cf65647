/// Everything an audit report shows, as data: the HTML page is rendered from this value, and its
/// JSON encoding is the page's machine-readable twin (schema: `docs/report-schema.md`).
///
/// Numbers that are exact carry their exact rational text (`"p/q"`) beside a `Double` for
/// display; `Double`s are for reading and plotting, never for deciding.
public struct AuditReport: Codable, Sendable, Equatable {
  /// The format's name and version, `explaincert-report/1`.
  public static let formatName = "explaincert-report/1"

  public var format: String
  public var title: String
  /// The versions, seeds and settings that reproduce the page.
  public var reproduction: Reproduction
  /// The model explained (nil for a property-only report).
  public var model: ModelInfo?
  /// The inputs file (nil for a property-only report).
  public var inputs: InputsInfo?
  /// One entry per explained input, in the order of the inputs file.
  public var examples: [ExampleReport]
  /// Property suites checked and counterexamples listed, if any.
  public var properties: PropertyResults?
  /// What the certified semantics is and is not (from the certifier), and other caveats.
  public var notes: [String]
  /// Minimized LIME divergences (`lime-diverge --html`), if a search ran.
  public var divergences: [DivergenceRow]?

  /// The verdict of everything the report holds (encoded as `verdict`; recomputed, never read).
  public var verdict: ReportVerdict { ReportVerdict(self) }

  enum CodingKeys: String, CodingKey { case format, title, reproduction, model, inputs, examples, properties, notes, divergences, verdict }

  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    format = try c.decode(String.self, forKey: .format)
    title = try c.decode(String.self, forKey: .title)
    reproduction = try c.decode(Reproduction.self, forKey: .reproduction)
    model = try c.decodeIfPresent(ModelInfo.self, forKey: .model)
    inputs = try c.decodeIfPresent(InputsInfo.self, forKey: .inputs)
    examples = try c.decode([ExampleReport].self, forKey: .examples)
    properties = try c.decodeIfPresent(PropertyResults.self, forKey: .properties)
    notes = try c.decode([String].self, forKey: .notes)
    divergences = try c.decodeIfPresent([DivergenceRow].self, forKey: .divergences)
  }

  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(format, forKey: .format)
    try c.encode(title, forKey: .title)
    try c.encode(reproduction, forKey: .reproduction)
    try c.encodeIfPresent(model, forKey: .model)
    try c.encodeIfPresent(inputs, forKey: .inputs)
    try c.encode(examples, forKey: .examples)
    try c.encodeIfPresent(properties, forKey: .properties)
    try c.encode(notes, forKey: .notes)
    try c.encodeIfPresent(divergences, forKey: .divergences)
    try c.encode(verdict, forKey: .verdict)
  }

  public init(title: String, reproduction: Reproduction, model: ModelInfo? = nil, inputs: InputsInfo? = nil,
              examples: [ExampleReport] = [], properties: PropertyResults? = nil, notes: [String] = [], divergences: [DivergenceRow]? = nil) {
    format = Self.formatName
    self.title = title
    self.reproduction = reproduction
    self.model = model
    self.inputs = inputs
    self.examples = examples
    self.properties = properties
    self.notes = notes
    self.divergences = divergences
  }
}

/// How to get the same page again.
public struct Reproduction: Codable, Sendable, Equatable {
  public var tool: String
  public var version: String
  /// A command that regenerates the page (paths as given).
  public var command: String
  /// The seed of every random choice (LIME, KernelSHAP, property samples unless a suite fixes its own).
  public var seed: UInt64
  /// The explanation methods run, in the order shown.
  public var methods: [String]
  /// Every other setting that changes the page (sample counts, top-k, domain, limit, ...).
  public var settings: [String: String]
  /// Versions of the formats and engines involved (certificate, counterexample, property tester).
  public var components: [String: String]
  /// When the page was generated (ISO 8601); the only field that differs between two runs
  /// besides the `seconds` timings.
  public var generated: String

  public init(tool: String = "explaincert", version: String, command: String, seed: UInt64, methods: [String],
              settings: [String: String], components: [String: String], generated: String) {
    self.tool = tool
    self.version = version
    self.command = command
    self.seed = seed
    self.methods = methods
    self.settings = settings
    self.components = components
    self.generated = generated
  }
}

/// The model, as the report identifies it.
public struct ModelInfo: Codable, Sendable, Equatable {
  public var path: String
  public var sha256: String
  public var inputName: String
  /// The declared input shape, as text (`[N, 64]`).
  public var inputShape: String
  /// The piecewise-linear body output that is explained (the logits).
  public var outputName: String
  /// The output link applied after the body (Softmax, Sigmoid), if any.
  public var links: [String]
  /// The model's operators, as ONNX spells them, sorted.
  public var operators: [String]

  public init(path: String, sha256: String, inputName: String, inputShape: String, outputName: String, links: [String], operators: [String]) {
    self.path = path
    self.sha256 = sha256
    self.inputName = inputName
    self.inputShape = inputShape
    self.outputName = outputName
    self.links = links
    self.operators = operators
  }
}

/// The inputs file and which of its examples the report explains.
public struct InputsInfo: Codable, Sendable, Equatable {
  public var path: String
  public var sha256: String
  /// Examples in the file (after splitting a batch).
  public var count: Int
  /// The indices explained (0-based, into the file's examples).
  public var explained: [Int]

  public init(path: String, sha256: String, count: Int, explained: [Int]) {
    self.path = path
    self.sha256 = sha256
    self.count = count
    self.explained = explained
  }
}

/// One explained input.
public struct ExampleReport: Codable, Sendable, Equatable {
  /// The example's index in the inputs file (0-based).
  public var index: Int
  public var display: Display
  /// x0, the body input (embedding vectors for token models), flat in the input's order.
  public var input: [Double]
  /// The body input's shape.
  public var inputShape: [Int]
  public var prediction: Prediction
  /// The explanations, OpenBox first.
  public var explanations: [MethodResult]
  /// Each other method against OpenBox's exact contributions.
  public var comparisons: [Comparison]
  /// The certified region, when certification ran.
  public var region: RegionSummary?
  /// Why there is no region (certification failed), if so.
  public var certificationError: String?

  public init(index: Int, display: Display, input: [Double], inputShape: [Int], prediction: Prediction,
              explanations: [MethodResult], comparisons: [Comparison], region: RegionSummary?, certificationError: String? = nil) {
    self.index = index
    self.display = display
    self.input = input
    self.inputShape = inputShape
    self.prediction = prediction
    self.explanations = explanations
    self.comparisons = comparisons
    self.region = region
    self.certificationError = certificationError
  }
}

/// How the input is shown to a person.
public struct Display: Codable, Sendable, Equatable {
  public enum Kind: String, Codable, Sendable, CaseIterable {
    /// A pixel grid (`height` × `width`, `channels` planes, channel-first).
    case image
    /// A sequence of tokens (token models); relevance is summed per token.
    case text
    /// Named features; the top ones are shown as a signed bar chart.
    case tabular
  }

  public var kind: Kind
  public var height: Int?
  public var width: Int?
  public var channels: Int?
  /// Token models: each position's token (id and, with a vocabulary, its text).
  public var tokens: [Token]?
  /// One name per displayed feature (pixels, tokens or input coordinates).
  public var featureNames: [String]

  public struct Token: Codable, Sendable, Equatable {
    public var id: Int
    public var text: String
    public init(id: Int, text: String) {
      self.id = id
      self.text = text
    }
  }

  public init(kind: Kind, height: Int? = nil, width: Int? = nil, channels: Int? = nil, tokens: [Token]? = nil, featureNames: [String]) {
    self.kind = kind
    self.height = height
    self.width = width
    self.channels = channels
    self.tokens = tokens
    self.featureNames = featureNames
  }

  /// The number of displayed features (pixels, tokens or coordinates).
  public var featureCount: Int { featureNames.count }
}

/// What the network computes at x0.
public struct Prediction: Codable, Sendable, Equatable {
  /// The explained element of the body output (the predicted class unless one was chosen).
  public var output: Int
  /// The body output's name (the logits).
  public var outputName: String
  /// The body output at x0 (float64 core).
  public var logits: [Double]
  /// The element with the largest value (0 for a single output).
  public var predicted: Int

  public init(output: Int, outputName: String, logits: [Double], predicted: Int) {
    self.output = output
    self.outputName = outputName
    self.logits = logits
    self.predicted = predicted
  }
}

/// One method's explanation of the explained output at x0.
public struct MethodResult: Codable, Sendable, Equatable {
  public var method: String
  /// True when the relevance is exact (OpenBox from the certificate's rational A).
  public var exact: Bool
  /// One relevance per input coordinate (the `Explanation`'s own values).
  public var relevance: [Double]
  /// One relevance per displayed feature: per token for text (the sum over its embedding
  /// coordinates), else per coordinate. Comparisons use these.
  public var featureRelevance: [Double]
  /// OpenBox: the exact contributions A[k, j]·x0[j] as `p/q` rationals.
  public var exactRelevance: [String]?
  public var seed: UInt64?
  public var settings: [String: String]
  public var diagnostics: [String: Double]
  public var seconds: Double
  /// Why the method failed on this input, if it did (then the relevance is empty).
  public var error: String?

  public init(method: String, exact: Bool, relevance: [Double], featureRelevance: [Double], exactRelevance: [String]? = nil,
              seed: UInt64? = nil, settings: [String: String] = [:], diagnostics: [String: Double] = [:], seconds: Double, error: String? = nil) {
    self.method = method
    self.exact = exact
    self.relevance = relevance
    self.featureRelevance = featureRelevance
    self.exactRelevance = exactRelevance
    self.seed = seed
    self.settings = settings
    self.diagnostics = diagnostics
    self.seconds = seconds
    self.error = error
  }
}

/// One method against the reference (OpenBox's exact contributions), over displayed features.
public struct Comparison: Codable, Sendable, Equatable {
  public var method: String
  public var reference: String
  /// Cosine similarity of the two relevance vectors (seed 004); nil (n/a) when either is all zero.
  public var cosine: Double?
  /// Top-k agreement: the share of the k features largest in |relevance| the two have in common.
  public var topKAgreement: Double
  public var k: Int
  /// RMSE and MAE of the relevances (seed 000's measures; scale-dependent).
  public var rmse: Double
  public var mae: Double
  /// Sign agreement on the reference's top-k features.
  public var signAgreement: Double

  public init(method: String, reference: String, cosine: Double?, topKAgreement: Double, k: Int, rmse: Double, mae: Double, signAgreement: Double) {
    self.method = method
    self.reference = reference
    self.cosine = cosine
    self.topKAgreement = topKAgreement
    self.k = k
    self.rmse = rmse
    self.mae = mae
    self.signAgreement = signAgreement
  }
}

/// The certified region of x0 and the certificate's verdict.
public struct RegionSummary: Codable, Sendable, Equatable {
  /// `accepted` or `rejected` (by `Certifier.verify`, which re-derives everything).
  public var verdict: String
  /// The first field that disagreed, when rejected.
  public var rejection: String?
  public var identityHolds: Bool
  public var inputInRegion: Bool
  /// Inequalities of P = {x : G·x ≤ h}.
  public var constraints: Int
  /// Pattern elements exactly at a breakpoint (each makes the radius 0).
  public var ties: Int
  /// Pattern sites (ReLU layers, MaxPools, RNN steps, ...), and their elements.
  public var patternSites: Int
  public var patternElements: Int
  public var radii: Radii
  public var float: FloatFindings
  /// SHA-256 of the certificate's JSON text as `explaincert certify --output` writes it.
  public var certificateSHA256: String
  /// Where the certificate was written, if it was.
  public var certificateFile: String?
  /// The certifier's notes on the semantics.
  public var notes: [String]
  public var seconds: Double

  public struct Radii: Codable, Sendable, Equatable {
    /// Exact rationals (`p/q`, or `inf`).
    public var linf: String
    public var l1: String
    public var l2Lower: String
    public var l2Upper: String
    /// The same, as doubles for display (nil for `inf`).
    public var linfApprox: Double?
    public var l1Approx: Double?
    public var l2LowerApprox: Double?
    public var l2UpperApprox: Double?
    /// The domain box [min, max] the ℓ∞ radius stays inside, when one was given.
    public var domain: [String]?

    public init(linf: String, l1: String, l2Lower: String, l2Upper: String, linfApprox: Double? = nil, l1Approx: Double? = nil, l2LowerApprox: Double? = nil, l2UpperApprox: Double? = nil, domain: [String]? = nil) {
      self.linf = linf
      self.l1 = l1
      self.l2Lower = l2Lower
      self.l2Upper = l2Upper
      self.linfApprox = linfApprox
      self.l1Approx = l1Approx
      self.l2LowerApprox = l2LowerApprox
      self.l2UpperApprox = l2UpperApprox
      self.domain = domain
    }
  }

  public struct FloatFindings: Codable, Sendable, Equatable {
    /// Largest |A_float − A_exact| over all entries, and the largest relative error.
    public var maxAbsoluteError: Double
    public var maxRelativeError: Double
    /// Neurons whose float32 choice at x0 differs from the exact one (the first 20 listed).
    public var flippedNeurons: Int
    public var flips: [String]

    public init(maxAbsoluteError: Double, maxRelativeError: Double, flippedNeurons: Int, flips: [String]) {
      self.maxAbsoluteError = maxAbsoluteError
      self.maxRelativeError = maxRelativeError
      self.flippedNeurons = flippedNeurons
      self.flips = flips
    }
  }

  public init(verdict: String, rejection: String? = nil, identityHolds: Bool, inputInRegion: Bool, constraints: Int, ties: Int, patternSites: Int, patternElements: Int, radii: Radii, float: FloatFindings, certificateSHA256: String, certificateFile: String? = nil, notes: [String], seconds: Double) {
    self.verdict = verdict
    self.rejection = rejection
    self.identityHolds = identityHolds
    self.inputInRegion = inputInRegion
    self.constraints = constraints
    self.ties = ties
    self.patternSites = patternSites
    self.patternElements = patternElements
    self.radii = radii
    self.float = float
    self.certificateSHA256 = certificateSHA256
    self.certificateFile = certificateFile
    self.notes = notes
    self.seconds = seconds
  }
}

/// Property suites checked and counterexamples found or listed.
public struct PropertyResults: Codable, Sendable, Equatable {
  public var suites: [SuiteInfo]
  public var held: Int
  public var violated: Int
  public var errors: Int
  /// Cases that tested nothing (counted from the rows).
  public var vacuous: Int { cases.filter { $0.status == "vacuous" }.count }
  public var seconds: Double
  public var cases: [CaseRow]
  /// Counterexample files: those the check wrote and those already recorded for the model.
  public var counterexamples: [CounterexampleRow]

  public struct SuiteInfo: Codable, Sendable, Equatable {
    public var path: String
    public var model: String
    public var modelSHA256: String
    public var seed: UInt64

    public init(path: String, model: String, modelSHA256: String, seed: UInt64) {
      self.path = path
      self.model = model
      self.modelSHA256 = modelSHA256
      self.seed = seed
    }
  }

  public struct CaseRow: Codable, Sendable, Equatable {
    public var id: String
    public var suite: String
    public var property: String
    public var example: Int
    /// `held`, `violated`, `vacuous` or `error`.
    public var status: String
    public var samples: Int
    public var seed: UInt64
    public var caseSeed: UInt64
    public var radius: Double?
    public var message: String?
    /// What the property measured (tallies, maxima and minima of the runner), by name.
    public var measured: [String: Double]
    public var counterexample: String?
    /// The command that re-runs the counterexample, when there is one.
    public var replayCommand: String?
    public var seconds: Double

    public init(id: String, suite: String, property: String, example: Int, status: String, samples: Int, seed: UInt64, caseSeed: UInt64, radius: Double? = nil, message: String? = nil, measured: [String: Double], counterexample: String? = nil, replayCommand: String? = nil, seconds: Double) {
      self.id = id
      self.suite = suite
      self.property = property
      self.example = example
      self.status = status
      self.samples = samples
      self.seed = seed
      self.caseSeed = caseSeed
      self.radius = radius
      self.message = message
      self.measured = measured
      self.counterexample = counterexample
      self.replayCommand = replayCommand
      self.seconds = seconds
    }
  }

  public struct CounterexampleRow: Codable, Sendable, Equatable {
    public var path: String
    public var property: String
    public var model: String
    public var modelSHA256: String
    public var example: Int
    /// `reproduce` or `fixed`: what replay must see.
    public var expectation: String
    public var summary: String
    /// How far shrinking went, in one line.
    public var shrink: String
    public var seed: UInt64
    public var replayCommand: String
    /// `reproduced`, `fixed` or `regressed` when the report replayed it (`error` when it could not).
    public var replayStatus: String?
    public var replayDetail: String?

    public init(path: String, property: String, model: String, modelSHA256: String, example: Int, expectation: String, summary: String, shrink: String, seed: UInt64, replayCommand: String, replayStatus: String? = nil, replayDetail: String? = nil) {
      self.path = path
      self.property = property
      self.model = model
      self.modelSHA256 = modelSHA256
      self.example = example
      self.expectation = expectation
      self.summary = summary
      self.shrink = shrink
      self.seed = seed
      self.replayCommand = replayCommand
      self.replayStatus = replayStatus
      self.replayDetail = replayDetail
    }
  }

  public init(suites: [SuiteInfo], held: Int, violated: Int, errors: Int, seconds: Double, cases: [CaseRow], counterexamples: [CounterexampleRow]) {
    self.suites = suites
    self.held = held
    self.violated = violated
    self.errors = errors
    self.seconds = seconds
    self.cases = cases
    self.counterexamples = counterexamples
  }
}

/// One minimized LIME divergence found by `explaincert lime-diverge`.
public struct DivergenceRow: Codable, Sendable, Equatable {
  /// `fidelity`, `attribution` or `instability`.
  public var kind: String
  public var example: Int
  public var output: Int
  public var summary: String
  /// LIME's seeds (two for instability) and sample count, after minimization.
  public var seeds: [UInt64]
  public var samples: Int
  /// The threshold the divergence exceeds.
  public var tolerance: Double
  public var observed: [String: Double]
  /// Input coordinates that differ from the example (fidelity), after minimization.
  public var changedFeatures: [Int]
  /// How far it was shrunk (changed features and samples, before and after).
  public var shrink: [String: Int]
  /// A command that searches this example again with the same kind and seed.
  public var command: String

  public init(kind: String, example: Int, output: Int, summary: String, seeds: [UInt64], samples: Int, tolerance: Double,
              observed: [String: Double], changedFeatures: [Int], shrink: [String: Int], command: String) {
    self.kind = kind
    self.example = example
    self.output = output
    self.summary = summary
    self.seeds = seeds
    self.samples = samples
    self.tolerance = tolerance
    self.observed = observed
    self.changedFeatures = changedFeatures
    self.shrink = shrink
    self.command = command
  }
}
