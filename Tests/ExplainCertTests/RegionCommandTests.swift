import Foundation
import Testing

/// `certify --region` writes G and h beside the certificate, and `contains` decides membership
/// in P exactly, naming the violated inequalities.
struct RegionCommandTests {
  @Test func containsDecidesMembershipExactlyAndRegionFilesHoldGAndH() throws {
    let scratch = try ScratchFolder()
    let cert = scratch.path + "/cert.json"
    let certify = try CommandLineRun(["certify", "Fixtures/models/digits_mlp.onnx", "Fixtures/data/digits_test.npy", "--limit", "1",
                                      "--output", cert, "--region", "--quiet"])
    #expect(certify.status == 0, "\(certify.standardError)")
    let region = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: scratch.path + "/cert.region.json"))) as? [String: Any])
    let g = try #require(region["g"] as? [[String]]), h = try #require(region["h"] as? [String])
    #expect(g.count == 64 && h.count == 64 && g.allSatisfy { $0.count == 64 })

    // x0 itself, then x0 moved along the first coordinate far beyond r∞ (and back inside).
    let x0 = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: cert))) as? [String: Any])["input"] as? [String]
    let values = x0!.map { text -> Double in
      let parts = text.split(separator: "/").map { Double($0)! }
      return parts[0] / parts[1]
    }
    let row = "[" + values.map { "\($0)" }.joined(separator: ",") + "]"
    let far = "[" + values.enumerated().map { "\($0.offset == 2 ? $0.element + 1 : $0.element)" }.joined(separator: ",") + "]"
    let points = try scratch.write("points.json", Data("[\(row), \(far)]".utf8))
    let run = try CommandLineRun(["contains", "Fixtures/models/digits_mlp.onnx", cert, points, "--json"])
    #expect(run.status == 1, "\(run.standardOutput)\(run.standardError)")
    let memberships = try #require(try JSONSerialization.jsonObject(with: Data(run.standardOutput.utf8)) as? [[String: Any]])
    #expect(memberships.count == 2)
    #expect(memberships[0]["inside"] as? Bool == true)
    #expect(memberships[1]["inside"] as? Bool == false)
    let violation = try #require((memberships[1]["violations"] as? [[String: Any]])?.first)
    #expect((violation["excess"] as? String)?.contains("/") == true && (violation["node"] as? String)?.isEmpty == false)

    let inside = try CommandLineRun(["contains", "Fixtures/models/digits_mlp.onnx", cert, points, "--limit", "1"])
    #expect(inside.status == 0 && inside.standardOutput.contains("point 0: in P"), "\(inside.standardOutput)")

    // A certificate of another model has no region here.
    let other = try CommandLineRun(["contains", "Fixtures/models/tiny_clip.onnx", cert, points])
    #expect(other.status == 1 && other.standardOutput.contains("does not hold"), "\(other.standardOutput)\(other.standardError)")
  }
}
