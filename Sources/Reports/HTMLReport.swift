import Explainers
import Foundation

/// Renders an ``AuditReport`` as one self-contained HTML file: inline CSS and SVG, no scripts,
/// no fonts, images or styles fetched from anywhere.
public enum HTMLReport {
  public static func render(_ report: AuditReport) -> String {
    var page = HTMLPage()
    page.head(title: report.title)
    page.header(report)
    if let divergences = report.divergences { page.divergences(divergences, explained: Set(report.examples.map(\.index))) }
    for example in report.examples { page.example(example, report: report) }
    if let properties = report.properties { page.properties(properties, modelSHA256: report.model?.sha256) }
    page.reproduce(report)
    page.finish()
    return page.html
  }
}

/// The page, written top to bottom.
struct HTMLPage {
  var html = ""

  static func e(_ text: String) -> String { HTMLText.escaped(text) }
  static func n(_ value: Double, digits: Int = 3) -> String { Graphics.number(value, digits: digits) }
  static func percent(_ value: Double) -> String { String(format: "%.0f%%", 100 * value) }

  mutating func add(_ text: String) { html += text + "\n" }

  mutating func head(title: String) {
    add("""
      <!DOCTYPE html>
      <html lang="en">
      <head>
      <meta charset="utf-8">
      <meta name="viewport" content="width=device-width, initial-scale=1">
      <meta name="generator" content="explaincert">
      <link rel="icon" href="data:,">
      <title>\(Self.e(title))</title>
      <style>\(Self.style)</style>
      </head>
      <body>
      <main>
      """)
  }

  mutating func finish() {
    add("</main>\n</body>\n</html>")
  }

  // MARK: Summary

  mutating func header(_ report: AuditReport) {
    let r = report.reproduction
    add("<header id=\"summary\">")
    add("<p class=\"kicker\">ExplainCert \(Self.e(r.version)) · audit report</p>")
    add("<h1>\(Self.e(report.title))</h1>")
    var facts: [String] = []
    if let model = report.model {
      facts.append("model <code>\(Self.e(model.path))</code> <span class=\"hash\" title=\"SHA-256 \(model.sha256)\">sha256 \(model.sha256.prefix(12))…</span>")
    }
    if let inputs = report.inputs {
      facts.append("inputs <code>\(Self.e(inputs.path))</code> (\(inputs.explained.count) of \(inputs.count) explained)")
    }
    facts.append("seed \(r.seed)")
    facts.append("generated \(Self.e(r.generated))")
    add("<p class=\"facts\">" + facts.joined(separator: " · ") + "</p>")
    banner(report.verdict)

    // Headline tiles.
    add("<div class=\"tiles\">")
    if !report.examples.isEmpty {
      let regions = report.examples.compactMap(\.region)
      let accepted = regions.filter(\.isCertified).count
      let onFacet = regions.filter { $0.isCertified && $0.onFacet }.count
      let ok = accepted == report.examples.count
      tile(!ok ? "bad" : onFacet > 0 ? "warn" : "good", "\(accepted)/\(report.examples.count)", "certificates accepted",
           !ok ? "see the inputs marked NOT CERTIFIED"
             : "f(x0) = A·x0 + c holds exactly and verify re-derived every field" + (onFacet > 0 ? "; \(onFacet) with radius 0 (x0 on a facet)" : ""))
      let flips = regions.reduce(0) { $0 + $1.float.flippedNeurons }
      let worst = regions.map(\.float.maxAbsoluteError).max() ?? 0
      tile(flips == 0 ? "good" : "warn", flips == 0 ? Self.n(worst, digits: 2) : "\(flips)", flips == 0 ? "max float error in A" : "neurons where float32 picks the wrong piece",
           flips == 0 ? "the float32 core's pattern equals the exact pattern at every input" : "the float explanation lies in another region there")
      let comparisons = report.examples.flatMap(\.comparisons)
      for method in report.reproduction.methods where method != "openbox" {
        let rows = comparisons.filter { $0.method == method }
        guard !rows.isEmpty else { continue }
        let cosines = rows.compactMap(\.cosine)
        let agreement = rows.map(\.topKAgreement).reduce(0, +) / Double(rows.count)
        let undefined = rows.count - cosines.count
        let detail = "top-\(rows[0].k) agreement \(Self.percent(agreement)) over \(rows.count) input(s)" + (undefined > 0 ? "; cosine n/a for \(undefined) (an all-zero explanation)" : "")
        if cosines.isEmpty {
          tile("warn", "n/a", "\(Self.e(method)) vs exact: mean cosine", detail)
        } else {
          let cosine = cosines.reduce(0, +) / Double(cosines.count)
          tile(cosine >= 0.9 ? "good" : cosine >= 0.5 ? "warn" : "bad", Self.n(cosine, digits: 2), "\(Self.e(method)) vs exact: mean cosine", detail)
        }
      }
    }
    if let p = report.properties {
      if !p.cases.isEmpty {
        tile(p.violated + p.errors > 0 ? "bad" : p.vacuous > 0 ? "warn" : "good", "\(p.held)/\(p.cases.count)", "property cases held",
             "\(p.violated) violated, \(p.vacuous) vacuous, \(p.errors) errors; \(p.counterexamples.count) counterexample(s)")
      } else if !p.counterexamples.isEmpty {
        let regressed = p.counterexamples.filter { $0.replayStatus == "regressed" || $0.replayStatus == "error" }.count
        let replayed = p.counterexamples.filter { $0.replayStatus != nil }.count
        tile(regressed > 0 ? "bad" : "warn", "\(p.counterexamples.count)", "recorded counterexamples",
             replayed == 0 ? "findings saved for this model; each has its replay command" : "\(replayed) replayed, \(regressed) regressed")
      }
    }
    add("</div>")
    if report.examples.count > 1 {
      add("<nav class=\"toc\"><span>Inputs:</span> " + report.examples.map { ex in
        let ok = ex.region?.isCertified ?? false
        return "<a href=\"#input-\(ex.index)\" class=\"\(ok ? "ok" : "bad")\">#\(ex.index)</a>"
      }.joined(separator: " ") + (report.properties == nil ? "" : " · <a href=\"#properties\">properties</a>") + " · <a href=\"#reproduce\">reproduce</a></nav>")
    }
    add("</header>")
  }

  /// The overall verdict first: what failed, what tested nothing, what passed.
  mutating func banner(_ verdict: ReportVerdict) {
    let (tone, headline) = switch verdict.status {
    case .passed: ("good", "Passed")
    case .vacuous: ("warn", "Passed, but something tested nothing")
    case .failed: ("bad", "Failed")
    }
    add("<div class=\"verdict \(tone)\" id=\"verdict\"><strong>Verdict: \(headline)</strong><ul>")
    for (kind, lines) in [("failed", verdict.failed), ("vacuous", verdict.vacuous), ("passed", verdict.passed)] {
      for line in lines { add("<li class=\"\(kind)\"><span class=\"pill \(kind == "failed" ? "bad" : kind == "vacuous" ? "warn" : "good")\">\(kind)</span> \(Self.e(line))</li>") }
    }
    add("</ul></div>")
  }

  mutating func tile(_ tone: String, _ value: String, _ label: String, _ detail: String) {
    add("<div class=\"tile \(tone)\"><div class=\"value\">\(value)</div><div class=\"label\">\(label)</div><div class=\"detail\">\(detail)</div></div>")
  }

  // MARK: One input

  mutating func example(_ ex: ExampleReport, report: AuditReport) {
    let certified = ex.region?.isCertified ?? false
    add("<section class=\"example\" id=\"input-\(ex.index)\">")
    let value = ex.prediction.output < ex.prediction.logits.count ? ex.prediction.logits[ex.prediction.output] : .nan
    let what = ex.prediction.logits.count == 1 ? "output \(Self.e(ex.prediction.outputName)) = \(Self.n(value, digits: 4))"
      : "explaining class \(ex.prediction.output)" + (ex.prediction.output == ex.prediction.predicted ? ", the predicted class" : " (the predicted class is \(ex.prediction.predicted))") +
        ": output <code>\(Self.e(ex.prediction.outputName))</code>[\(ex.prediction.output)] = \(Self.n(value, digits: 4))"
    let (tone, badge) = !certified ? ("bad", "NOT CERTIFIED") : ex.region!.onFacet ? ("warn", "certified, x0 on a facet (radius 0)") : ("good", "certified")
    add("<h2>Input \(ex.index) <span class=\"badge \(tone)\">\(badge)</span></h2>")
    add("<p class=\"subtitle\">\(what)</p>")

    let shown = ex.explanations
    switch ex.display.kind {
    case .image: images(ex, shown)
    case .text: text(ex, shown)
    case .tabular: tabular(ex, shown, k: report.reproduction.settings["top-k"].flatMap(Int.init) ?? 10)
    }
    comparisons(ex)
    region(ex)
    if let properties = report.properties {
      let rows = properties.cases.filter { c in
        c.example == ex.index && properties.suites.contains { $0.path == c.suite && $0.modelSHA256 == report.model?.sha256 }
      }
      if !rows.isEmpty {
        add("<h3>Properties at this input</h3>")
        caseTable(rows)
      }
    }
    add("</section>")
  }

  static func title(_ m: MethodResult) -> String {
    m.method == "openbox" ? (m.exact ? "OpenBox (exact)" : "OpenBox (float64)") : m.method == "lime" ? "LIME" : m.method
  }

  mutating func images(_ ex: ExampleReport, _ methods: [MethodResult]) {
    let (h, w, c) = (ex.display.height ?? 1, ex.display.width ?? 1, ex.display.channels ?? 1)
    add("<div class=\"panels\">")
    add("<figure class=\"panel\">" + Graphics.image(ex.input, height: h, width: w, channels: c, label: "input \(ex.index)") +
        "<figcaption><b>input</b><span>\(h)×\(w)\(c > 1 ? "×\(c)" : "") · dark = high</span></figcaption></figure>")
    for m in methods {
      guard m.error == nil else {
        add("<figure class=\"panel failed\"><div class=\"error\">\(Self.e(m.error!))</div><figcaption><b>\(Self.e(Self.title(m)))</b><span>failed</span></figcaption></figure>")
        continue
      }
      let scale = Graphics.scale(m.relevance)
      add("<figure class=\"panel\" data-method=\"\(Self.e(m.method))\">" +
          Graphics.heatmap(ex.input, relevance: m.relevance, height: h, width: w, channels: c, scale: scale, label: "\(Self.title(m)) relevance of input \(ex.index)") +
          "<figcaption><b>\(Self.e(Self.title(m)))</b>" + Graphics.legend(scale: scale, width: Graphics.cellSize(width: w, height: h) * w) + "</figcaption></figure>")
    }
    topFeatures(ex, methods, count: 8)
    add("</div>")
    add("<p class=\"note\">Red pixels push the explained output up, blue pull it down; each map has its own scale (its largest |relevance|). OpenBox's relevance is A[k, j]·x0[j] with A the exact rational matrix of x0's region.</p>")
  }

  /// The features with the largest exact contributions, and what each method gives them.
  mutating func topFeatures(_ ex: ExampleReport, _ methods: [MethodResult], count: Int) {
    guard let reference = methods.first, reference.error == nil, !reference.featureRelevance.isEmpty else { return }
    let shown = methods.filter { $0.error == nil && $0.featureRelevance.count == reference.featureRelevance.count }
    let top = Metrics.topK(reference.featureRelevance, min(count, reference.featureRelevance.count))
    var rows = ""
    for j in top {
      rows += "<tr><th>\(Self.e(ex.display.featureNames[j]))</th>"
      for m in shown {
        let value = m.featureRelevance[j]
        let exact = m.exactRelevance.flatMap { j < $0.count && ex.display.kind != .text ? $0[j] : nil }
        let colour = Graphics.diverging(value / Graphics.scale(m.featureRelevance))
        rows += "<td><span class=\"swatch\" style=\"background:\(colour.hex)\"></span>" +
          (exact.map { "<span title=\"exact: \(Self.e($0))\">\(Self.n(value))</span>" } ?? Self.n(value)) + "</td>"
      }
      rows += "</tr>"
    }
    add("<figure class=\"panel top-features\" style=\"min-width:\(150 + 95 * shown.count)px\"><table class=\"top\"><thead><tr><th>\(ex.display.kind == .image ? "pixel (row, col)" : "feature")</th>" + shown.map { "<th>\(Self.e(Self.title($0)))</th>" }.joined() +
        "</tr></thead><tbody>" + rows + "</tbody></table><figcaption><span>the \(top.count) largest exact contributions; hover an exact value for its rational</span></figcaption></figure>")
  }

  mutating func text(_ ex: ExampleReport, _ methods: [MethodResult]) {
    let tokens = ex.display.tokens?.map(\.text) ?? ex.display.featureNames
    add("<div class=\"text-rows\">")
    for m in methods {
      guard m.error == nil else {
        add("<div class=\"text-row\"><div class=\"who\">\(Self.e(Self.title(m)))</div><div class=\"error\">\(Self.e(m.error!))</div></div>")
        continue
      }
      let scale = Graphics.scale(m.featureRelevance)
      let top = Set(Metrics.topK(m.featureRelevance, 3))
      add("<div class=\"text-row\" data-method=\"\(Self.e(m.method))\"><div class=\"who\">\(Self.e(Self.title(m)))" + Graphics.legend(scale: scale, width: 120) + "</div>" +
          Graphics.tokens(tokens, relevance: m.featureRelevance, scale: scale, top: top) + "</div>")
    }
    add("</div>")
    add("<p class=\"note\">Each token's relevance is the sum over its embedding coordinates (the explanation's input space); the three most relevant tokens are bold, red raises the output, blue lowers it.</p>")
  }

  mutating func tabular(_ ex: ExampleReport, _ methods: [MethodResult], k: Int) {
    add("<div class=\"panels\">")
    for m in methods {
      guard m.error == nil else {
        add("<figure class=\"panel failed\"><div class=\"error\">\(Self.e(m.error!))</div><figcaption><b>\(Self.e(Self.title(m)))</b></figcaption></figure>")
        continue
      }
      let rows = Metrics.topK(m.featureRelevance, min(k, m.featureRelevance.count)).map { (name: ex.display.featureNames[$0], value: m.featureRelevance[$0]) }
      add("<figure class=\"panel\" data-method=\"\(Self.e(m.method))\">" + Graphics.bars(rows, scale: Graphics.scale(m.featureRelevance), label: "\(Self.title(m)) top features of input \(ex.index)") +
          "<figcaption><b>\(Self.e(Self.title(m)))</b><span>top \(rows.count) of \(m.featureRelevance.count) features by |relevance|</span></figcaption></figure>")
    }
    if methods.count > 1 { topFeatures(ex, methods, count: k) }
    add("</div>")
  }

  mutating func comparisons(_ ex: ExampleReport) {
    add("<h3>Methods side by side</h3>")
    add("<table class=\"comparisons\"><thead><tr><th>method</th><th>cosine vs exact</th><th>top-k agreement</th><th>sign agreement</th><th>RMSE</th><th>MAE</th><th>time</th><th>seed and settings</th></tr></thead><tbody>")
    for m in ex.explanations {
      let c = ex.comparisons.first { $0.method == m.method }
      var settings = m.settings.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value.count > 40 ? $0.value.prefix(38) + "…" : $0.value)" }
      if let seed = m.seed { settings.insert("seed \(seed)", at: 0) }
      let diagnostics = m.diagnostics.sorted { $0.key < $1.key }.map { "\($0.key) \(Self.n($0.value))" }
      let cells: [String]
      if m.method == "openbox" && m.exact {
        cells = ["<td colspan=\"5\" class=\"reference\">reference: exact contributions A[k, j]·x0[j] (rationals)</td>"]
      } else if let error = m.error {
        cells = ["<td colspan=\"5\" class=\"error\">\(Self.e(error))</td>"]
      } else if let c {
        cells = ["<td>\(meter(c.cosine))</td>", "<td>\(Self.percent(c.topKAgreement)) <small>(k = \(c.k))</small></td>", "<td>\(Self.percent(c.signAgreement))</td>",
                 "<td>\(Self.n(c.rmse))</td>", "<td>\(Self.n(c.mae))</td>"]
      } else {
        cells = ["<td colspan=\"5\">not comparable</td>"]
      }
      add("<tr><th>\(Self.e(Self.title(m)))</th>" + cells.joined() + "<td class=\"time\">\(String(format: "%.3f", m.seconds)) s</td><td class=\"settings\">\(Self.e((settings + diagnostics).joined(separator: "; ")))</td></tr>")
    }
    add("</tbody></table>")
  }

  func meter(_ cosine: Double?) -> String {
    guard let cosine else { return "<span title=\"one of the two explanations is all zero\">n/a</span>" }
    let width = Int((max(0, min(1, abs(cosine))) * 60).rounded())
    let colour = cosine >= 0.9 ? "#1a7f37" : cosine >= 0.5 ? "#bf8700" : "#cf222e"
    return "<span class=\"meter\"><span style=\"width:\(width)px;background:\(colour)\"></span></span> \(Self.n(cosine, digits: 3))"
  }

  mutating func region(_ ex: ExampleReport) {
    add("<h3>Region and certificate</h3>")
    guard let r = ex.region else {
      add("<p class=\"error\">Certification failed: \(Self.e(ex.certificationError ?? "unknown error"))</p>")
      return
    }
    func approx(_ exact: String, _ value: Double?) -> String {
      let shown = value.map { "≈ " + Self.n($0, digits: 4) } ?? exact
      return "<span title=\"exact: \(Self.e(exact))\">\(Self.e(shown))</span>"
    }
    var rows: [(String, String)] = [
      ("verdict", r.verdict == "accepted" ? "<span class=\"pill good\">accepted</span> by <code>verify</code> (every field re-derived from the model)"
        : "<span class=\"pill bad\">rejected</span> \(Self.e(r.rejection ?? ""))"),
      ("identity", r.identityHolds ? "f(x0) = A·x0 + c holds exactly (rationals)" : "<b class=\"bad\">f(x0) ≠ A·x0 + c</b>"),
      ("x0 in P", r.inputInRegion ? "x0 satisfies all \(r.constraints) inequalities G·x ≤ h exactly" : "<b class=\"bad\">x0 violates an inequality</b>"),
      ("region", "\(r.constraints) inequalities; pattern of \(r.patternElements) element\(r.patternElements == 1 ? "" : "s") at \(r.patternSites) site\(r.patternSites == 1 ? "" : "s"); \(r.ties) tie\(r.ties == 1 ? "" : "s")" + (r.ties > 0 ? " (x0 lies on a facet: radius 0)" : "")),
      ("certified radii", "r∞ \(approx(r.radii.linf, r.radii.linfApprox))" + (r.radii.domain.map { $0.count == 2 ? " (inside the box [\(Self.e($0.joined(separator: ", ")))])" : " (inside a box per coordinate)" } ?? "") +
        " · r₁ \(approx(r.radii.l1, r.radii.l1Approx)) · r₂ ∈ [\(approx(r.radii.l2Lower, r.radii.l2LowerApprox)), \(approx(r.radii.l2Upper, r.radii.l2UpperApprox))]"),
      ("float vs exact", "float32 Jacobian max |error| \(Self.n(r.float.maxAbsoluteError, digits: 2)), max relative \(Self.n(r.float.maxRelativeError, digits: 2)); " +
        (r.float.flippedNeurons == 0 ? "the float pattern equals the exact pattern" : "<b class=\"bad\">\(r.float.flippedNeurons) neuron(s) where float32 takes another piece</b>: \(Self.e(r.float.flips.prefix(5).joined(separator: ", ")))")),
      ("certificate", "<span class=\"hash\">sha256 \(r.certificateSHA256)</span>" + (r.certificateFile.map { " · <code>\(Self.e($0))</code>" } ?? "")),
    ]
    rows.append(("time", String(format: "%.3f s (certify and verify)", r.seconds)))
    add("<dl class=\"region\">" + rows.map { "<dt>\($0.0)</dt><dd>\($0.1)</dd>" }.joined() + "</dl>")
  }

  // MARK: LIME divergences

  mutating func divergences(_ rows: [DivergenceRow], explained: Set<Int>) {
    add("<section id=\"divergences\">")
    add("<h2>LIME divergences</h2>")
    let kinds = Dictionary(grouping: rows, by: \.kind).sorted { $0.key < $1.key }.map { "\($0.value.count) \(Self.e($0.key))" }
    add("<p class=\"subtitle\">" + (rows.isEmpty ? "None found: LIME agreed with the network and with OpenBox within the tolerances."
      : "\(rows.count) minimized divergence\(rows.count == 1 ? "" : "s"): \(kinds.joined(separator: ", ")). Each input's LIME and exact explanations are shown below.") + "</p>")
    if !rows.isEmpty {
      add("<table class=\"cases\"><thead><tr><th>kind</th><th>input</th><th>what LIME got wrong</th><th>seeds, samples</th><th>shrunk</th><th>search again</th></tr></thead><tbody>")
      for d in rows {
        let input = explained.contains(d.example) ? "<a href=\"#input-\(d.example)\">#\(d.example)</a>" : "#\(d.example)"
        let shrink = d.shrink.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        add("<tr><td><span class=\"pill bad\">\(Self.e(d.kind))</span></td><td>\(input) <small>output \(d.output)</small></td><td>\(Self.e(d.summary))</td>" +
            "<td>\(d.seeds.map(String.init).joined(separator: ", ")); \(d.samples)</td><td class=\"settings\">\(Self.e(shrink))</td>" +
            "<td><code class=\"command\">\(Self.e(d.command))</code></td></tr>")
      }
      add("</tbody></table>")
    }
    add("</section>")
  }

  // MARK: Properties

  mutating func properties(_ p: PropertyResults, modelSHA256: String?) {
    add("<section id=\"properties\">")
    add("<h2>Properties</h2>")
    add("<p class=\"subtitle\">\(p.held) held, \(p.violated) violated, \(p.errors) errors in \(String(format: "%.1f", p.seconds)) s; suites: " +
        p.suites.map { "<code>\(Self.e($0.path))</code> (seed \($0.seed))" }.joined(separator: ", ") + "</p>")
    if !p.cases.isEmpty { caseTable(p.cases) }
    add("<h3 id=\"counterexamples\">Counterexamples</h3>")
    if p.counterexamples.isEmpty {
      add("<p>None saved by this run or recorded for this model.</p>")
    } else {
      add("<ul class=\"counterexamples\">")
      for c in p.counterexamples {
        let status = c.replayStatus.map { " <span class=\"pill \($0 == "regressed" || $0 == "error" ? "bad" : "good")\">\(Self.e($0))</span>" } ?? ""
        add("<li><div><b>\(Self.e(c.property))</b> at input \(c.example) of <code>\(Self.e(c.model))</code> · expectation \(Self.e(c.expectation))\(status)</div>" +
            "<div>\(Self.e(c.summary))</div><div class=\"muted\">shrunk: \(Self.e(c.shrink))</div>" +
            "<pre class=\"command\">\(Self.e(c.replayCommand))</pre></li>")
      }
      add("</ul>")
    }
    add("</section>")
  }

  mutating func caseTable(_ rows: [PropertyResults.CaseRow]) {
    add("<table class=\"cases\"><thead><tr><th>case</th><th>status</th><th>samples</th><th>seed</th><th>measured</th><th>replay</th></tr></thead><tbody>")
    for c in rows {
      let tone = c.status == "held" ? "good" : c.status == "violated" ? "bad" : "warn"
      let measured = c.measured.sorted { $0.key < $1.key }.map { "\($0.key) \(Self.n($0.value))" }.joined(separator: "; ")
      add("<tr><td><code>\(Self.e(c.id))</code>" + (c.message.map { "<div class=\"muted\">\(Self.e($0))</div>" } ?? "") + "</td>" +
          "<td><span class=\"pill \(tone)\">\(Self.e(c.status))</span></td><td>\(c.samples)</td><td>\(c.seed)</td>" +
          "<td class=\"settings\">\(Self.e(measured))</td><td>" + (c.replayCommand.map { "<code class=\"command\">\(Self.e($0))</code>" } ?? "—") + "</td></tr>")
    }
    add("</tbody></table>")
  }

  // MARK: Reproduction

  mutating func reproduce(_ report: AuditReport) {
    let r = report.reproduction
    add("<section id=\"reproduce\">")
    add("<h2>Reproduce this page</h2>")
    add("<pre class=\"command\">\(Self.e(r.command))</pre>")
    var rows: [(String, String)] = [("tool", "\(Self.e(r.tool)) \(Self.e(r.version))"), ("seed", "\(r.seed)"), ("methods", Self.e(r.methods.joined(separator: ", ")))]
    rows += r.settings.sorted { $0.key < $1.key }.map { ($0.key, Self.e($0.value)) }
    rows += r.components.sorted { $0.key < $1.key }.map { ($0.key, Self.e($0.value)) }
    if let model = report.model {
      rows.append(("model", "<code>\(Self.e(model.path))</code> · sha256 <span class=\"hash\">\(model.sha256)</span>"))
      rows.append(("model input", "\(Self.e(model.inputName)) \(Self.e(model.inputShape)); explained output \(Self.e(model.outputName))" + (model.links.isEmpty ? "" : " (before \(Self.e(model.links.joined(separator: ", "))))")))
      rows.append(("operators", Self.e(model.operators.joined(separator: ", "))))
    }
    if let inputs = report.inputs {
      rows.append(("inputs", "<code>\(Self.e(inputs.path))</code> · sha256 <span class=\"hash\">\(inputs.sha256)</span> · examples \(Self.e(inputs.explained.map(String.init).joined(separator: ", ")))"))
    }
    rows.append(("generated", Self.e(r.generated)))
    add("<dl class=\"region\">" + rows.map { "<dt>\(Self.e($0.0))</dt><dd>\($0.1)</dd>" }.joined() + "</dl>")
    if !report.notes.isEmpty {
      add("<h3>What is certified, and caveats</h3><ul class=\"notes\">" + report.notes.map { "<li>\(Self.e($0))</li>" }.joined() + "</ul>")
    }
    add("<p class=\"muted\">Everything on this page is in the JSON twin (format \(Self.e(report.format))), written with <code>--json</code>.</p>")
    add("</section>")
  }

  static let style = """
    :root{--fg:#1f2328;--muted:#57606a;--line:#d0d7de;--bg:#f6f8fa;--good:#1a7f37;--warn:#9a6700;--bad:#cf222e}
    *{box-sizing:border-box}
    body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
    main{max-width:1180px;margin:0 auto;padding:28px 24px 48px}
    header,section{background:#fff;border:1px solid var(--line);border-radius:10px;padding:20px 24px;margin-bottom:18px}
    h1{font-size:26px;margin:2px 0 6px}h2{font-size:20px;margin:0 0 2px;display:flex;align-items:center;gap:10px}h3{font-size:15px;margin:20px 0 8px;color:var(--muted);text-transform:uppercase;letter-spacing:.04em}
    .kicker{margin:0;color:var(--muted);font-size:13px;text-transform:uppercase;letter-spacing:.06em}
    .facts,.subtitle{margin:0;color:var(--muted)}
    code,pre,.hash{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px}
    .hash{color:var(--muted);word-break:break-all}
    .verdict{margin-top:16px;padding:12px 16px;border-radius:8px;border:2px solid}.verdict.good{border-color:var(--good)}.verdict.bad{border-color:var(--bad)}.verdict.warn{border-color:#bf8700}
    .verdict ul{margin:6px 0 0;padding-left:0;list-style:none}.verdict li{margin:3px 0}
    .tiles{display:grid;grid-template-columns:repeat(auto-fit,minmax(200px,1fr));gap:12px;margin-top:16px}
    .tile{border:1px solid var(--line);border-left:5px solid var(--muted);border-radius:8px;padding:10px 14px}
    .tile .value{font-size:26px;font-weight:650}.tile .label{font-weight:600}.tile .detail{color:var(--muted);font-size:13px}
    .tile.good{border-left-color:var(--good)}.tile.warn{border-left-color:#d4a72c}.tile.bad{border-left-color:var(--bad)}
    .toc{margin-top:14px;color:var(--muted)}.toc a{margin-right:4px;text-decoration:none;padding:1px 6px;border-radius:10px;border:1px solid var(--line)}
    .toc a.ok{color:var(--good)}.toc a.bad{color:var(--bad)}
    .badge,.pill{font-size:12px;font-weight:600;padding:2px 9px;border-radius:999px;color:#fff;text-transform:uppercase;letter-spacing:.03em}
    .badge.good,.pill.good{background:var(--good);color:#fff}.badge.bad,.pill.bad{background:var(--bad);color:#fff}.badge.warn,.pill.warn{background:#bf8700;color:#fff}
    .pill{white-space:nowrap}
    .panels{display:flex;flex-wrap:wrap;gap:18px;margin-top:14px}
    .panel{margin:0;display:flex;flex-direction:column;gap:6px}
    .panel svg.heatmap,.panel svg.input-image{border-radius:4px;box-shadow:0 0 0 1px var(--line)}
    figcaption{display:flex;flex-direction:column;font-size:13px}figcaption span{color:var(--muted)}
    .failed .error{width:192px;height:192px;overflow:auto}
    .note,.muted{color:var(--muted);font-size:13px}
    .top-features{flex:1 1 260px;align-items:flex-start}
    table.top{font-size:12.5px;width:auto}table.top th,table.top td{padding:3px 10px 3px 0;border-bottom:1px solid #eaeef2;white-space:nowrap}
    table.top tbody th{font-weight:500;font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px}
    .swatch{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:5px;vertical-align:-1px;box-shadow:0 0 0 1px rgba(0,0,0,.12)}
    .text-rows{display:flex;flex-direction:column;gap:10px;margin-top:14px}
    .text-row{display:grid;grid-template-columns:150px 1fr;gap:14px;align-items:center}
    .who{font-weight:600;font-size:13px;display:flex;flex-direction:column}
    .tokens{margin:0;line-height:2.1;font-size:16px}
    .token{padding:2px 5px;border-radius:4px}.token.top{font-weight:700;box-shadow:inset 0 -2px 0 rgba(0,0,0,.35)}
    table{border-collapse:collapse;width:100%;font-size:13.5px}
    th,td{text-align:left;padding:6px 8px;border-bottom:1px solid var(--line);vertical-align:top}
    td.time{white-space:nowrap}
    thead th{color:var(--muted);font-weight:600;font-size:12px;text-transform:uppercase;letter-spacing:.03em}
    td.settings{color:var(--muted);font-size:12px;max-width:340px}
    td.reference{color:var(--muted);font-style:italic}
    .meter{display:inline-block;width:60px;height:8px;background:#eaeef2;border-radius:4px;vertical-align:middle;overflow:hidden}.meter span{display:block;height:8px}
    dl.region{display:grid;grid-template-columns:160px 1fr;gap:6px 16px;margin:0}
    dl.region dt{color:var(--muted);font-weight:600}dl.region dd{margin:0}
    .bad{color:var(--bad)}.error{color:var(--bad);font-size:13px}
    pre.command,code.command{background:#f6f8fa;border:1px solid var(--line);border-radius:6px;padding:8px 10px;white-space:pre-wrap;word-break:break-all;margin:6px 0}
    code.command{display:block;padding:3px 6px;font-size:12px}
    ul.counterexamples{list-style:none;padding:0;margin:0}ul.counterexamples li{border-top:1px solid var(--line);padding:10px 0}
    ul.notes{margin:0;padding-left:20px;color:var(--muted);font-size:13.5px}
    @media print{body{background:#fff}header,section{break-inside:avoid;border:none}}
    """
}
