import Foundation

/// The reports of a check run: JUnit XML (for CI), JSON, and the summary table.
public struct CheckReport: Codable, Sendable {
  public var tool: String
  public var version: String
  /// The seed override given on the command line, if any (each suite's seed is in its cases).
  public var seedOverride: UInt64?
  /// `k/n` when the run was a shard.
  public var shard: String?
  public var suites: [SuiteSummary]
  public var cases: [CaseResult]
  public var seconds: Double

  public struct SuiteSummary: Codable, Sendable {
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

  public init(tool: String, version: String, seedOverride: UInt64?, shard: String?, suites: [SuiteSummary], cases: [CaseResult], seconds: Double) {
    self.tool = tool
    self.version = version
    self.seedOverride = seedOverride
    self.shard = shard
    self.suites = suites
    self.cases = cases
    self.seconds = seconds
  }

  public var held: Int { cases.filter { $0.status == .held }.count }
  public var violated: Int { cases.filter { $0.status == .violated }.count }
  public var errors: Int { cases.filter { $0.status == .error }.count }
  public var vacuous: Int { cases.filter { $0.status == .vacuous }.count }

  /// 0 every property holds, 1 a violation (or, when `strict`, a case that tested nothing), 2
  /// an error (bad input).
  public func exitCode(strict: Bool = false) -> Int32 {
    errors > 0 ? 2 : (violated > 0 || (strict && vacuous > 0) ? 1 : 0)
  }

  /// The run's verdict in one word, for CI: `failed` (a violation or error), `vacuous` (nothing
  /// failed but some case tested nothing), `passed`.
  public var verdict: String { violated + errors > 0 ? "failed" : vacuous > 0 ? "vacuous" : "passed" }

  enum CodingKeys: String, CodingKey { case tool, version, seedOverride, shard, suites, cases, seconds, verdict }

  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    tool = try c.decode(String.self, forKey: .tool)
    version = try c.decode(String.self, forKey: .version)
    seedOverride = try c.decodeIfPresent(UInt64.self, forKey: .seedOverride)
    shard = try c.decodeIfPresent(String.self, forKey: .shard)
    suites = try c.decode([SuiteSummary].self, forKey: .suites)
    cases = try c.decode([CaseResult].self, forKey: .cases)
    seconds = try c.decode(Double.self, forKey: .seconds)
  }

  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(tool, forKey: .tool)
    try c.encode(version, forKey: .version)
    try c.encodeIfPresent(seedOverride, forKey: .seedOverride)
    try c.encodeIfPresent(shard, forKey: .shard)
    try c.encode(suites, forKey: .suites)
    try c.encode(cases, forKey: .cases)
    try c.encode(seconds, forKey: .seconds)
    try c.encode(verdict, forKey: .verdict)
  }

  public func jsonText() throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    return String(decoding: try encoder.encode(self), as: UTF8.self) + "\n"
  }

  /// JUnit XML: one `testsuite` per suite file, one `testcase` per case (`failure` for a
  /// violation, `error` for bad input), in the schema Jenkins, GitLab and pytest's junitxml use.
  public func junitXML() -> String {
    var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    xml += "<testsuites name=\"explaincert check\" tests=\"\(cases.count)\" failures=\"\(violated)\" errors=\"\(errors)\" skipped=\"\(vacuous)\" time=\"\(Self.time(seconds))\">\n"
    for suite in suites {
      let own = cases.filter { $0.suite == suite.path }
      let time = own.reduce(0) { $0 + $1.seconds }
      xml += "  <testsuite name=\"\(escape(suite.path))\" tests=\"\(own.count)\" failures=\"\(own.filter { $0.status == .violated }.count)\" errors=\"\(own.filter { $0.status == .error }.count)\" skipped=\"\(own.filter { $0.status == .vacuous }.count)\" time=\"\(Self.time(time))\">\n"
      xml += "    <properties>\n"
      xml += "      <property name=\"seed\" value=\"\(suite.seed)\"/>\n"
      xml += "      <property name=\"model\" value=\"\(escape(suite.model))\"/>\n"
      xml += "      <property name=\"modelSHA256\" value=\"\(suite.modelSHA256)\"/>\n"
      if let shard { xml += "      <property name=\"shard\" value=\"\(shard)\"/>\n" }
      xml += "    </properties>\n"
      for c in own {
        let name = "\(c.property)[\(c.propertyIndex)] \(c.generator) example \(c.example)"
        xml += "    <testcase classname=\"\(escape(suite.path)).\(escape(c.property))\" name=\"\(escape(name))\" time=\"\(Self.time(c.seconds))\">\n"
        switch c.status {
        case .held: break
        case .vacuous:
          xml += "      <skipped message=\"\(escape(c.message ?? "vacuous"))\"/>\n"
        case .violated:
          xml += "      <failure type=\"violation\" message=\"\(escape(c.message ?? "violated"))\">\(escape(details(c)))</failure>\n"
        case .error:
          xml += "      <error type=\"error\" message=\"\(escape(c.message ?? "error"))\">\(escape(details(c)))</error>\n"
        }
        xml += "      <system-out>\(escape(details(c)))</system-out>\n"
        xml += "    </testcase>\n"
      }
      xml += "  </testsuite>\n"
    }
    xml += "</testsuites>\n"
    return xml
  }

  func details(_ c: CaseResult) -> String {
    var lines = ["seed \(c.seed) (case seed \(c.caseSeed)), \(c.samples) samples" + (c.radius.map { ", radius \($0)" } ?? "")]
    for (k, v) in c.tallies.sorted(by: { $0.key < $1.key }) { lines.append("\(k): \(v)") }
    for (k, v) in c.maxima.sorted(by: { $0.key < $1.key }) { lines.append("\(k): \(v)") }
    for (k, v) in c.minima.sorted(by: { $0.key < $1.key }) { lines.append("\(k): \(v)") }
    if let message = c.message { lines.append(message) }
    if let file = c.counterexample { lines.append("counterexample: \(file)") }
    return lines.joined(separator: "\n")
  }

  static func time(_ seconds: Double) -> String { String(format: "%.3f", seconds) }

  /// The summary table: one row per suite and property.
  public func table() -> String {
    struct Row { var suite: String; var property: String; var cases = 0; var samples = 0; var held = 0; var violated = 0; var vacuous = 0; var errors = 0; var seconds = 0.0; var notes: [String: Int] = [:]; var extremes: [String: Double] = [:] }
    var rows: [Row] = []
    var index: [String: Int] = [:]
    for c in cases {
      let key = "\(c.suite)\n\(c.propertyIndex)"
      if index[key] == nil {
        index[key] = rows.count
        rows.append(Row(suite: c.suite, property: "\(c.property) (\(c.generator))"))
      }
      let i = index[key]!
      rows[i].cases += 1
      rows[i].samples += c.samples
      rows[i].seconds += c.seconds
      switch c.status {
      case .held: rows[i].held += 1
      case .violated: rows[i].violated += 1
      case .vacuous: rows[i].vacuous += 1
      case .error: rows[i].errors += 1
      }
      for (k, v) in c.tallies { rows[i].notes[k, default: 0] += v }
      for (k, v) in c.maxima { rows[i].extremes["max " + k.replacingOccurrences(of: "max ", with: "")] = max(rows[i].extremes["max " + k.replacingOccurrences(of: "max ", with: "")] ?? -.infinity, v) }
      for (k, v) in c.minima { rows[i].extremes["min " + k] = min(rows[i].extremes["min " + k] ?? .infinity, v) }
    }
    let header = ["suite", "property", "cases", "samples", "held", "violated", "vacuous", "errors", "time", "notes"]
    var body: [[String]] = []
    for r in rows {
      var notes = r.notes.sorted { $0.key < $1.key }.filter { $0.value > 0 }.map { "\($0.key) \($0.value)/\(r.samples)" }
      notes += r.extremes.sorted { $0.key < $1.key }.map { "\($0.key) \(format($0.value))" }
      body.append([r.suite, r.property, "\(r.cases)", "\(r.samples)", "\(r.held)", "\(r.violated)", "\(r.vacuous)", "\(r.errors)",
                   String(format: "%.2fs", r.seconds), notes.joined(separator: "; ")])
    }
    let widths = header.indices.map { column in ([header] + body).map { $0[column].count }.max()! }
    func line(_ cells: [String]) -> String {
      cells.enumerated().map { $0.offset == cells.count - 1 ? $0.element : $0.element.padding(toLength: widths[$0.offset], withPad: " ", startingAt: 0) }
        .joined(separator: "  ")
    }
    var lines = [line(header), line(widths.map { String(repeating: "-", count: min($0, 60)) })]
    lines += body.map(line)
    return lines.joined(separator: "\n")
  }
}

/// Text escaped for XML attributes and content (control characters other than tab and newline
/// are dropped: XML 1.0 cannot hold them).
func escape(_ text: String) -> String {
  var out = ""
  out.reserveCapacity(text.count)
  for scalar in text.unicodeScalars {
    switch scalar {
    case "&": out += "&amp;"
    case "<": out += "&lt;"
    case ">": out += "&gt;"
    case "\"": out += "&quot;"
    case "'": out += "&apos;"
    case "\n": out += "&#10;"
    case "\t": out += "&#9;"
    default:
      if scalar.value < 0x20 || (0xFFFE...0xFFFF).contains(scalar.value) { continue }
      out.unicodeScalars.append(scalar)
    }
  }
  return out
}
