import DataIO
import Foundation
import Reports
import Testing

@Suite struct SHA256Tests {
  @Test func knownVectors() {
    #expect(SHA256Digest.hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    #expect(SHA256Digest.hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    #expect(SHA256Digest.hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
            == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    // Crosses a block boundary with the length in the second block.
    #expect(SHA256Digest.hex(String(repeating: "a", count: 1000)) == "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3")
  }
}

@Suite struct GraphicsTests {
  @Test func divergingScaleEndsAndMiddle() {
    #expect(Graphics.diverging(0).hex == "#f7f7f7")
    #expect(Graphics.diverging(1).hex == "#67001f")
    #expect(Graphics.diverging(-1).hex == "#053061")
    #expect(Graphics.diverging(5) == Graphics.diverging(1))
    #expect(Graphics.diverging(.nan) == Graphics.diverging(0))
    // Positive is red (r > b), negative is blue.
    let up = Graphics.diverging(0.5), down = Graphics.diverging(-0.5)
    #expect(up.r > up.b && down.b > down.r)
  }

  @Test func numbers() {
    #expect(Graphics.number(0) == "0")
    #expect(Graphics.number(-0.5) == "−0.5")
    #expect(Graphics.number(2.4e-7) == "2.4×10⁻⁷")
    #expect(Graphics.number(.infinity) == "∞")
    #expect(Graphics.scale([0, 0]) == 1)
    #expect(Graphics.scale([-3, 2]) == 3)
  }

  @Test func heatmapHasOneCellPerPixelInTheRelevanceColour() {
    let values = [Double](repeating: 0, count: 4)
    let svg = Graphics.heatmap(values, relevance: [1, -1, 0, 0], height: 2, width: 2, channels: 1, scale: 1, label: "t")
    #expect(svg.components(separatedBy: "<rect").count - 1 == 4)
    #expect(svg.contains(Graphics.diverging(1).hex))
    #expect(svg.contains(Graphics.diverging(-1).hex))
    #expect(svg.hasPrefix("<svg class=\"heatmap\""))
  }

  @Test func barsAreSignedAroundTheMiddle() {
    let svg = Graphics.bars([(name: "up", value: 2), (name: "down", value: -1)], scale: 2, label: "b")
    // Middle at 96 + 100 = 196: the positive bar starts there, the negative one ends there.
    #expect(svg.contains("<rect x=\"196.0\" y=\"5\" width=\"100.0\""))
    #expect(svg.contains("<rect x=\"146.0\" y=\"25\" width=\"50.0\""))
  }
}

@Suite struct LayoutTests {
  @Test func automaticKinds() {
    #expect(ReportBuilder.automaticKind(shape: [1, 64], text: false) == .image)
    #expect(ReportBuilder.automaticKind(shape: [1, 784], text: false) == .image)
    #expect(ReportBuilder.automaticKind(shape: [1, 1, 8, 8], text: false) == .image)
    #expect(ReportBuilder.automaticKind(shape: [8, 1, 8], text: false) == .image)
    #expect(ReportBuilder.automaticKind(shape: [1, 2], text: false) == .tabular)
    #expect(ReportBuilder.automaticKind(shape: [1, 5], text: false) == .tabular)
    #expect(ReportBuilder.automaticKind(shape: [10, 1, 8], text: true) == .text)
    #expect(ReportBuilder.automaticKind(shape: [1, 12], text: false, imageSize: (height: 3, width: 4)) == .image)
  }
}

@Suite struct HTMLReportTests {
  let html = HTMLReport.render(Fixture.syntheticReport())

  @Test func isOneSelfContainedDocument() {
    #expect(html.hasPrefix("<!DOCTYPE html>"))
    #expect(html.hasSuffix("</html>\n"))
    #expect(!html.lowercased().contains("<script"))
    #expect(!html.contains("<img"))
    #expect(!html.contains("url("))
    // The only URLs are SVG's namespace name (never fetched).
    let urls = html.components(separatedBy: "http").dropFirst().map { String($0.prefix(30)) }
    #expect(urls.allSatisfy { $0.hasPrefix("://www.w3.org/2000/svg") }, "\(urls)")
  }

  @Test func escapesEverythingItQuotes() {
    #expect(html.contains("Explanation audit of &lt;digits_mlp.onnx&gt;"))
    #expect(html.contains("kernelshap &lt;failed&gt; here"))
    #expect(html.contains("g &lt;misses&gt; f"))
    #expect(html.contains("&lt;not&gt;"))
    #expect(!html.contains("<not>"))
    #expect(!html.contains("<digits_mlp.onnx>"))
  }

  @Test func showsEachKindOfInput() {
    #expect(html.contains("id=\"input-0\"") && html.contains("id=\"input-1\"") && html.contains("id=\"input-2\""))
    // The image: the input and one heatmap per successful method, each with a legend.
    #expect(html.components(separatedBy: "<svg class=\"input-image\"").count - 1 == 1)
    #expect(html.components(separatedBy: "<svg class=\"heatmap\"").count - 1 == 2)
    #expect(html.contains("<svg class=\"legend\""))
    // The text: one row of tokens per method, the top tokens bold.
    #expect(html.components(separatedBy: "<p class=\"tokens\">").count - 1 == 2)
    #expect(html.contains("class=\"token top\""))
    // The tabular input: signed bar charts.
    #expect(html.components(separatedBy: "<svg class=\"bars\"").count - 1 == 2)
  }

  @Test func showsComparisonsRegionsPropertiesAndReproduction() {
    #expect(html.contains("<table class=\"comparisons\">"))
    #expect(html.contains("0.42"))
    #expect(html.contains("30%"))
    #expect(html.contains("sha256 " + String(repeating: "ab", count: 32)))
    #expect(html.contains("74 inequalities"))
    #expect(html.contains("Certification failed: the model cannot be certified here"))
    #expect(html.contains("id=\"properties\""))
    #expect(html.contains("explaincert replay Counterexamples/consistency-digits_mlp-0123.json"))
    #expect(html.contains("<span class=\"pill bad\">violated</span>"))
    #expect(html.contains("id=\"reproduce\""))
    #expect(html.contains("<section id=\"divergences\">") && html.contains("<a href=\"#input-0\">#0</a>"))
    #expect(html.contains("explaincert report m.onnx x.npy --seed 7"))
    #expect(html.contains("1/3 certificates") == false)
    #expect(html.contains("2/3"))  // two of three inputs have an accepted certificate
  }

  @Test func jsonTwinRoundTrips() throws {
    let report = Fixture.syntheticReport()
    let text = try ReportJSON.text(report)
    let decoded = try JSONDecoder().decode(AuditReport.self, from: Data(text.utf8))
    #expect(decoded == report)
    #expect(text.contains("\"format\" : \"explaincert-report/1\""))
  }

  @Test func shellQuoting() {
    #expect(ShellWords.quoted("Counterexamples/a-b.json") == "Counterexamples/a-b.json")
    #expect(ShellWords.quoted("my file.json") == "'my file.json'")
    #expect(ShellWords.quoted("it's") == "'it'\\''s'")
  }
}
