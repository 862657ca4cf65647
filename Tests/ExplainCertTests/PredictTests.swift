import DataIO
import Foundation
import Testing

@Suite struct PredictTests {
  let fixtures = CommandLineRun.repository + "/Fixtures"

  @Test func writesOutputsThatMatchOnnxruntime() throws {
    let scratch = try ScratchFolder()
    let output = scratch.path + "/logits.npy"
    let run = try CommandLineRun(["predict", fixtures + "/models/digits_cnn.onnx", fixtures + "/data/digits_test_images.npy", "--output", output])
    #expect(run.status == 0, "\(run.standardError)")
    let ours = try NumericArray.load(path: output)
    let reference = try NumericArray.load(path: fixtures + "/reference/digits_cnn__digits_test_images.npy")
    #expect(ours.shape == reference.shape)
    for (a, b) in zip(ours.asDoubles, reference.asDoubles) { #expect(abs(a - b) <= 1e-5 * max(1, abs(b))) }
  }

  @Test func jsonReportsClassesAndPattern() throws {
    let run = try CommandLineRun(["predict", fixtures + "/models/digits_mlp.onnx", fixtures + "/data/digits_test.npy", "--json"])
    #expect(run.status == 0, "\(run.standardError)")
    let json = try JSONSerialization.jsonObject(with: Data(run.standardOutput.utf8)) as! [String: Any]
    let classes = json["predictedClasses"] as! [Int]
    #expect(classes.count == 100)
    let labels = try NumericArray.load(path: fixtures + "/data/digits_test_labels.npy").asDoubles.map { Int($0) }
    let accuracy = Double(zip(classes, labels).filter { $0 == $1 }.count) / 100
    #expect(accuracy > 0.9)
    let pattern = json["pattern"] as! [[String: Any]]
    #expect(pattern.count == 2)
    #expect(pattern[0]["total"] as! Int == 3200)
    // Each example's own pattern: one string per site, together the summed counts.
    let patterns = json["patterns"] as! [[String]]
    #expect(patterns.count == 100 && patterns.allSatisfy { $0.count == 2 && $0[0].count == 32 })
    #expect(patterns.map { $0[0].filter { $0 != "0" }.count }.reduce(0, +) == pattern[0]["active"] as! Int)
  }

  @Test func jsonPatternsOfABatchAlongAnInnerAxis() throws {
    // Token ids [T, N]: the batch is the second axis, every sentence gets its own pattern.
    let ids = try NumericArray.load(path: fixtures + "/data/text_test_ids.npy")
    let run = try CommandLineRun(["predict", fixtures + "/models/text_rnn.onnx", fixtures + "/data/text_test_ids.npy", "--json"])
    #expect(run.status == 0, "\(run.standardError)")
    let json = try JSONSerialization.jsonObject(with: Data(run.standardOutput.utf8)) as! [String: Any]
    let patterns = json["patterns"] as! [[String]]
    #expect(patterns.count == ids.shape[1])
    #expect(Set(patterns.map { $0.joined(separator: "|") }).count > 1, "different sentences, different regions")
  }

  @Test func tokenModelTakesIdsAndRejectsUnknownIds() throws {
    let ok = try CommandLineRun(["predict", fixtures + "/models/text_rnn.onnx", fixtures + "/data/text_test_ids.npy"])
    #expect(ok.status == 0, "\(ok.standardError)")
    let scratch = try ScratchFolder()
    let ids = scratch.path + "/ids.npy"
    try NumericArray(shape: [3, 1], elements: .int64([1, 99999, 2])).writeNPY(path: ids)
    let bad = try CommandLineRun(["predict", fixtures + "/models/text_rnn.onnx", ids])
    #expect(bad.status == 2)
    #expect(bad.standardError.contains("ids.npy: token id 99999"))
  }

  @Test func infoDescribesTheModel() throws {
    let run = try CommandLineRun(["info", fixtures + "/models/digits_cnn.onnx", "--json"])
    #expect(run.status == 0)
    let json = try JSONSerialization.jsonObject(with: Data(run.standardOutput.utf8)) as! [String: Any]
    #expect(json["piecewiseLinear"] as? Bool == true)
    let operators = (json["layers"] as! [[String: Any]]).map { $0["operator"] as! String }
    #expect(operators.contains("BatchNormalization") && operators.contains("MaxPool"))
  }
}
