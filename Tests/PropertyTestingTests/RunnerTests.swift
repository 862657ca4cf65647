import Foundation
import Testing

#if canImport(FoundationXML)
import FoundationXML
#endif

@testable import PropertyTesting

/// Collects what an XML parser saw (the JUnit consumer's view).
final class JUnitReader: NSObject, XMLParserDelegate {
  var suites: [[String: String]] = []
  var cases: [[String: String]] = []
  var failures = 0
  var errors = 0
  func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
    switch name {
    case "testsuite": suites.append(attributes)
    case "testcase": cases.append(attributes)
    case "failure": failures += 1
    case "error": errors += 1
    default: break
    }
  }
}

func parseJUnit(_ text: String) throws -> JUnitReader {
  let reader = JUnitReader()
  let parser = XMLParser(data: Data(text.utf8))
  parser.delegate = reader
  #expect(parser.parse(), "JUnit XML parses: \(parser.parserError.map { "\($0)" } ?? "")")
  return reader
}

@Suite(.serialized) struct RunnerTests {
  static let suiteText = digitsSuite("""
      - exactness: {samples: 8, generator: mixed}
      - region-membership: {samples: 12, radius: 0.05, generator: mixed}
      - consistency: {samples: 10, radius: certified}
    """, examples: "3")

  /// `--shard 1/2` and `--shard 2/2` cover exactly the unsharded cases, once each, with the same
  /// results (the case seeds do not depend on the shard).
  @Test func shardsCoverTheCasesExactlyOnce() throws {
    let scratch = try Scratch()
    let suite = try Suite.load(path: try scratch.write("a.yaml", Self.suiteText))
    let other = try Suite.load(path: try scratch.write("b.yaml", Self.suiteText.replacingOccurrences(of: "seed: 5", with: "seed: 6")))
    let runner = try Runner(suites: [suite, other])
    let all = runner.cases(shard: nil)
    #expect(all.count == 2 * 3 * 3)
    for n in [2, 3, 5] {
      let shards = (1...n).map { runner.cases(shard: ($0, n)) }
      let ids = shards.flatMap { $0.map(\.id) }
      #expect(ids.sorted() == all.map(\.id).sorted(), "\(n) shards")
      #expect(Set(ids).count == ids.count, "no case twice")
    }
    let whole = runner.run(all, options: .init(jobs: 2))
    let halves = runner.run(runner.cases(shard: (1, 2)), options: .init(jobs: 1)) + runner.run(runner.cases(shard: (2, 2)), options: .init(jobs: 2))
    let byID = Dictionary(uniqueKeysWithValues: halves.map { ($0.id, $0) })
    for result in whole {
      let part = try #require(byID[result.id])
      #expect(part.status == result.status && part.caseSeed == result.caseSeed && part.tallies == result.tallies && part.samples == result.samples)
    }
    #expect(whole.allSatisfy { $0.status == .held })
  }

  @Test func junitReportParsesAndCountsFailures() throws {
    let scratch = try Scratch()
    let good = try Suite.load(path: try scratch.write("good.yaml", Self.suiteText))
    let bad = try Suite.load(path: try scratch.write("bad & <odd>.yaml", digitsSuite("  - consistency: {samples: 10, radius: 0.3}", examples: "[0]")))
    let runner = try Runner(suites: [good, bad])
    let results = runner.run(runner.cases, options: .init(jobs: 2))
    let report = CheckReport(tool: "explaincert", version: "test", seedOverride: nil, shard: nil,
                             suites: [good, bad].map { .init(path: $0.path, model: $0.model, modelSHA256: runner.modelSHA256(of: $0), seed: $0.seed) },
                             cases: results, seconds: 1)
    let reader = try parseJUnit(report.junitXML())
    #expect(reader.suites.count == 2)
    #expect(reader.cases.count == results.count)
    #expect(reader.failures == 1 && reader.errors == 0)
    #expect(reader.suites[1]["name"] == bad.path && reader.suites[1]["failures"] == "1")
    #expect(report.exitCode() == 1)
    let decoded = try JSONDecoder().decode(CheckReport.self, from: Data(try report.jsonText().utf8))
    #expect(decoded.cases.map(\.id) == results.map(\.id))
  }
}
