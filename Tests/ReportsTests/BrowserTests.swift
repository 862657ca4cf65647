import Foundation
import Reports
import Testing

/// Headless Chromium (Debian's `chromium`) loading report pages: no console message, no fetch
/// of anything but the page, and the expected elements in the rendered DOM. Skips loudly when
/// Chromium is absent (`Scripts/install.sh --browser` installs it).
enum Browser {
  static let path: String? = {
    let folders = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":").map(String.init)
    for name in ["chromium", "chromium-browser", "google-chrome"] {
      for folder in folders where FileManager.default.isExecutableFile(atPath: folder + "/" + name) { return folder + "/" + name }
    }
    FileHandle.standardError.write(Data("SKIPPED browser tests: chromium is not installed (Scripts/install.sh --browser, or apt-get install -y chromium)\n".utf8))
    return nil
  }()

  /// What Chromium saw loading a page.
  struct Load {
    var dom: String
    /// Console messages (a page without scripts must have none).
    var console: [String]
    /// URLs requested other than the page and Chromium's own background services (which the
    /// host resolver rule keeps off the network).
    var fetches: [String]
  }

  /// Chromium's flags: headless, no network (every host name fails to resolve), no background
  /// services, a throwaway profile.
  static func flags(profile: String) -> [String] {
    ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run", "--disable-background-networking",
     "--disable-component-update", "--disable-sync", "--disable-default-apps", "--no-pings", "--disable-domain-reliability",
     "--host-resolver-rules=MAP * ~NOTFOUND", "--user-data-dir=" + profile]
  }

  static func load(_ file: String) throws -> Load {
    let scratch = NSTemporaryDirectory() + "explaincert-browser-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: scratch) }
    let netLog = scratch + "/net.json"
    let (out, err) = try run(flags(profile: scratch + "/profile") + ["--dump-dom", "--enable-logging=stderr", "--v=0", "--log-net-log=" + netLog,
                                                                    URL(fileURLWithPath: file).absoluteString])
    let console = err.split(separator: "\n").filter { $0.contains(":CONSOLE") }.map(String.init)
    let log = (try? String(contentsOfFile: netLog, encoding: .utf8)) ?? ""
    let background = ["google.com/", "googleapis.com/", "gvt1.com/", "gstatic.com/"]
    var urls = Set<String>()
    var rest = log[...]
    while let range = rest.range(of: "\"url\":\"") {
      let tail = rest[range.upperBound...]
      guard let end = tail.firstIndex(of: "\"") else { break }
      urls.insert(String(tail[..<end]))
      rest = tail[end...]
    }
    let page = URL(fileURLWithPath: file).absoluteString
    let fetches = urls.filter { url in url != page && !background.contains { url.contains($0) } }.sorted()
    return Load(dom: out, console: console, fetches: fetches)
  }

  static func screenshot(_ file: String, to png: String, width: Int = 1280, height: Int = 2000) throws {
    let profile = NSTemporaryDirectory() + "explaincert-browser-" + UUID().uuidString
    defer { try? FileManager.default.removeItem(atPath: profile) }
    _ = try run(flags(profile: profile) + ["--screenshot=" + png, "--window-size=\(width),\(height)", URL(fileURLWithPath: file).absoluteString])
  }

  static func run(_ arguments: [String]) throws -> (String, String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path!)
    process.arguments = arguments
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    // Read both pipes while Chromium runs, so neither fills up.
    let errorText = ErrorText()
    let reader = Thread { errorText.value = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self) }
    reader.start()
    let output = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    while !errorText.done { Thread.sleep(forTimeInterval: 0.01) }
    return (output, errorText.value)
  }

  final class ErrorText: @unchecked Sendable {
    private let lock = NSLock()
    private var text: String?
    var value: String {
      get { lock.withLock { text ?? "" } }
      set { lock.withLock { text = newValue } }
    }
    var done: Bool { lock.withLock { text != nil } }
  }
}

@Suite(.serialized) struct BrowserTests {
  func write(_ html: String) throws -> String {
    let file = NSTemporaryDirectory() + "explaincert-report-" + UUID().uuidString + ".html"
    try html.write(toFile: file, atomically: true, encoding: .utf8)
    return file
  }

  /// The checks can fail: a page with a script error and external resources is caught.
  @Test(.enabled(if: Browser.path != nil, "chromium is not installed"))
  func detectsConsoleErrorsAndFetches() throws {
    let file = try write("""
      <!DOCTYPE html><html><head><title>bad</title><link rel="stylesheet" href="https://example.invalid/a.css"></head>
      <body><p>x</p><img src="https://example.invalid/b.png"><script>undefinedFunction()</script></body></html>
      """)
    defer { try? FileManager.default.removeItem(atPath: file) }
    let load = try Browser.load(file)
    #expect(load.console.contains { $0.contains("undefinedFunction is not defined") }, "\(load.console)")
    #expect(load.fetches == ["https://example.invalid/a.css", "https://example.invalid/b.png"])
  }

  @Test(.enabled(if: Browser.path != nil, "chromium is not installed"))
  func syntheticReportLoadsCleanly() throws {
    let file = try write(HTMLReport.render(Fixture.syntheticReport()))
    defer { try? FileManager.default.removeItem(atPath: file) }
    let load = try Browser.load(file)
    #expect(load.console.isEmpty, "\(load.console)")
    #expect(load.fetches.isEmpty, "\(load.fetches)")
    let dom = load.dom
    #expect(dom.contains("<header id=\"summary\">"))
    #expect(dom.components(separatedBy: "<section class=\"example\"").count - 1 == 3)
    #expect(dom.contains("<svg class=\"heatmap\"") && dom.contains("<svg class=\"legend\"") && dom.contains("<svg class=\"bars\""))
    #expect(dom.contains("<p class=\"tokens\">"))
    #expect(dom.contains("id=\"properties\"") && dom.contains("id=\"reproduce\""))
  }

  /// A report built from the fixtures (image and text inputs, OpenBox and LIME), as the demo writes.
  @Test(.enabled(if: Browser.path != nil, "chromium is not installed"))
  func fixtureReportLoadsCleanlyAndShowsEverything() throws {
    var report = try ReportBuilder(modelPath: Fixture.model("digits_mlp"), inputsPath: Fixture.data("digits_test"),
                                   options: ReportOptions(methods: ["openbox", "lime"], seed: 1, limit: 2, samples: 500, jobs: 2)).build(command: "test")
    let text = try ReportBuilder(modelPath: Fixture.model("text_rnn"), inputsPath: Fixture.data("text_test_ids"),
                                 options: ReportOptions(methods: ["openbox", "gradient"], limit: 1, jobs: 1)).build(command: "test")
    report.examples += text.examples.map { var e = $0; e.index += 100; return e }
    let file = try write(HTMLReport.render(report))
    defer { try? FileManager.default.removeItem(atPath: file) }
    let load = try Browser.load(file)
    #expect(load.console.isEmpty, "\(load.console)")
    #expect(load.fetches.isEmpty, "\(load.fetches)")
    let dom = load.dom
    #expect(dom.contains("<title>Explanation audit of digits_mlp.onnx</title>"))
    #expect(dom.components(separatedBy: "<section class=\"example\"").count - 1 == 3)
    // Per image input: the input, OpenBox's and LIME's heatmaps.
    #expect(dom.components(separatedBy: "<svg class=\"input-image\"").count - 1 == 2)
    #expect(dom.components(separatedBy: "<svg class=\"heatmap\"").count - 1 == 4)
    #expect(dom.components(separatedBy: "<table class=\"comparisons\">").count - 1 == 3)
    #expect(dom.components(separatedBy: "<dl class=\"region\">").count - 1 == 4)  // 3 inputs + reproduction
    #expect(dom.contains(">accepted</span> by <code>verify</code>"))
    #expect(dom.contains("<p class=\"tokens\">"))
    // The screenshot renders (a page with content, not a blank image).
    let png = NSTemporaryDirectory() + "explaincert-shot-" + UUID().uuidString + ".png"
    defer { try? FileManager.default.removeItem(atPath: png) }
    try Browser.screenshot(file, to: png, width: 1280, height: 1000)
    let size = (try? FileManager.default.attributesOfItem(atPath: png)[.size] as? Int) ?? 0
    #expect(size > 50_000, "screenshot of \(size) bytes")
  }
}
