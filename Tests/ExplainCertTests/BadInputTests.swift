import DataIO
import Foundation
import ONNXProtobuf
import Testing

/// Every kind of bad input gets one line naming the file and the problem, and exit code 2.
@Suite struct BadInputTests {
  let fixtures = CommandLineRun.repository + "/Fixtures"

  func expectBadInput(_ run: CommandLineRun, file: String, mentions: String) {
    #expect(run.status == 2)
    #expect(run.errorLines.count == 1, "expected one line, got: \(run.standardError)")
    let line = String(run.errorLines.first ?? "")
    #expect(line.contains((file as NSString).lastPathComponent), "\(line)")
    #expect(line.contains(mentions), "\(line)")
  }

  @Test func queryPrecision() throws {
    let (model, inputs) = (fixtures + "/models/digits_mlp.onnx", fixtures + "/data/digits_test.npy")
    let bad = try CommandLineRun(["explain", model, inputs, "--method", "occlusion", "--example", "0", "--queries", "half"])
    #expect(bad.status == 2)
    #expect(bad.errorLines.count == 1 && bad.standardError.contains("--queries must be float32 or float64"), "\(bad.standardError)")
    for precision in ["float32", "float64"] {
      let run = try CommandLineRun(["explain", model, inputs, "--method", "occlusion", "--example", "0", "--queries", precision, "--json"])
      #expect(run.status == 0)
      #expect(run.standardOutput.contains("\"queries\" : \"\(precision)\""), "\(run.standardOutput.prefix(400))")
    }
  }

  @Test func allOutputs() throws {
    let (model, inputs) = (fixtures + "/models/digits_mlp.onnx", fixtures + "/data/digits_test.npy")
    let both = try CommandLineRun(["explain", model, inputs, "--method", "lime", "--example", "0", "--all-outputs", "--output-index", "2"])
    #expect(both.status == 2 && both.errorLines.count == 1 && both.standardError.contains("exclude each other"), "\(both.standardError)")
    let run = try CommandLineRun(["explain", model, inputs, "--method", "lime", "--example", "0", "--all-outputs", "--samples", "500", "--json"])
    #expect(run.status == 0)
    let explanations = try JSONSerialization.jsonObject(with: Data(run.standardOutput.utf8)) as? [[String: Any]]
    #expect(explanations?.compactMap { $0["output"] as? Int } == Array(0..<10))
  }

  /// Tabular LIME's quantile bins need training rows: with a few (by default the inputs file
  /// itself) the explanation comes with one warning line; with --training there is none.
  @Test func fewLimeTrainingRows() throws {
    let (model, inputs) = (fixtures + "/models/digits_mlp.onnx", fixtures + "/data/digits_test.npy")
    let all = try NumericArray.load(path: inputs)
    let width = all.shape.dropFirst().reduce(1, *)
    let scratch = try ScratchFolder()
    let three = try scratch.write("three.npy", Data(try NumericArray(shape: [3] + all.shape.dropFirst(),
                                                                    elements: .float64(Array(all.asDoubles.prefix(3 * width)))).npyBytes()))
    let thin = try CommandLineRun(["explain", model, three, "--method", "lime", "--samples", "500"])
    #expect(thin.status == 0)
    #expect(thin.errorLines.count == 1 && thin.standardError.contains("warning: tabular LIME's quantile bins come from 3 training row(s)")
            && thin.standardError.contains("three.npy"), "\(thin.standardError)")
    let trained = try CommandLineRun(["explain", model, three, "--method", "lime", "--samples", "500", "--training", inputs])
    #expect(trained.status == 0 && trained.standardError.isEmpty, "\(trained.standardError)")
    // A report says it among its caveats.
    let json = scratch.path + "/report.json"
    let report = try CommandLineRun(["report", model, three, "--methods", "lime", "--samples", "300", "--limit", "1", "--quiet",
                                     "--output", scratch.path + "/report.html", "--json", json])
    #expect(report.status == 0, "\(report.standardError)")
    let notes = (try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as? [String: Any])?["notes"] as? [String]
    #expect(notes?.contains { $0.contains("quantile bins come from 3 training row(s)") && $0.contains("--training") } == true, "\(notes ?? [])")
    let trainedReport = try CommandLineRun(["report", model, three, "--methods", "lime", "--samples", "300", "--limit", "1", "--quiet",
                                            "--training", inputs, "--output", scratch.path + "/report.html", "--json", json])
    #expect(trainedReport.status == 0, "\(trainedReport.standardError)")
    let trainedNotes = (try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as? [String: Any])?["notes"] as? [String]
    #expect(trainedNotes?.contains { $0.contains("training row") } == false, "\(trainedNotes ?? [])")
  }

  @Test func truncatedModel() throws {
    let scratch = try ScratchFolder()
    let bytes = try Data(contentsOf: URL(fileURLWithPath: fixtures + "/models/digits_mlp.onnx"))
    let model = try scratch.write("truncated.onnx", bytes.prefix(bytes.count / 2))
    expectBadInput(try CommandLineRun(["info", model]), file: model, mentions: "not a valid ONNX model")
  }

  @Test func garbageModel() throws {
    let scratch = try ScratchFolder()
    let model = try scratch.write("garbage.onnx", Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 7919 &+ 13) }))
    expectBadInput(try CommandLineRun(["predict", model, fixtures + "/data/digits_test.npy"]), file: model, mentions: "ONNX")
  }

  @Test func emptyAndMissingModel() throws {
    let scratch = try ScratchFolder()
    let empty = try scratch.write("empty.onnx", Data())
    expectBadInput(try CommandLineRun(["info", empty]), file: empty, mentions: "empty")
    expectBadInput(try CommandLineRun(["info", scratch.path + "/absent.onnx"]), file: "absent.onnx", mentions: "cannot read")
  }

  /// A model with an operator ExplainCert does not read, or one that is not piecewise linear, is
  /// refused by the commands that evaluate it (`info` describes it: ModelDescriptionTests).
  @Test func unsupportedOperator() throws {
    let scratch = try ScratchFolder()
    let inputs = fixtures + "/data/tiny_inputs.npy"
    let hardmax = try scratch.write("hardmax.onnx", try Self.model(nodes: [Self.node("Hardmax", ["x"], ["y"], name: "pick")]).serializedData())
    let run = try CommandLineRun(["predict", hardmax, inputs])
    expectBadInput(run, file: hardmax, mentions: "unsupported operator 'Hardmax' in node 'pick'")
    #expect(run.standardError.contains("supported: Abs, Add"))
    let tanh = try scratch.write("tanh.onnx", try Self.model(nodes: [Self.node("Tanh", ["x"], ["y"], name: "squash")]).serializedData())
    expectBadInput(try CommandLineRun(["certify", tanh, inputs]), file: tanh, mentions: "node 'squash' (Tanh): Tanh is not piecewise linear")
    #expect(try CommandLineRun(["info", tanh]).status == 0)
  }

  @Test func missingInitializer() throws {
    let scratch = try ScratchFolder()
    let gemm = Self.node("Gemm", ["x", "W", "b"], ["y"], name: "dense")
    let model = try scratch.write("missing.onnx", try Self.model(nodes: [gemm]).serializedData())
    expectBadInput(try CommandLineRun(["info", model]), file: model, mentions: "missing initializer")
  }

  @Test func wrongInputShape() throws {
    let scratch = try ScratchFolder()
    let inputs = scratch.path + "/wrong.npy"
    try NumericArray(shape: [3, 5], elements: .float32(Array(repeating: 0.5, count: 15))).writeNPY(path: inputs)
    expectBadInput(try CommandLineRun(["predict", fixtures + "/models/digits_mlp.onnx", inputs]), file: inputs, mentions: "does not match the model's input")
  }

  @Test func nonFiniteInput() throws {
    let scratch = try ScratchFolder()
    let inputs = scratch.path + "/nan.npy"
    var values = [Float](repeating: 0.25, count: 64)
    values[17] = .nan
    try NumericArray(shape: [1, 64], elements: .float32(values)).writeNPY(path: inputs)
    expectBadInput(try CommandLineRun(["predict", fixtures + "/models/digits_mlp.onnx", inputs]), file: inputs, mentions: "element 17 is nan")
  }

  @Test func malformedNPYHeader() throws {
    let scratch = try ScratchFolder()
    var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0]
    let header = "{'descr': '<f4', 'fortran_order': False, }"
    let padded = header + String(repeating: " ", count: 118 - header.count) + "\n"
    bytes += [UInt8(padded.utf8.count), 0] + Array(padded.utf8) + Array(repeating: 0, count: 256)
    let inputs = try scratch.write("bad.npy", Data(bytes))
    expectBadInput(try CommandLineRun(["predict", fixtures + "/models/digits_mlp.onnx", inputs]), file: inputs, mentions: "shape")
  }

  // MARK: Building small ONNX models

  static func node(_ op: String, _ inputs: [String], _ outputs: [String], name: String) -> Onnx_NodeProto {
    var node = Onnx_NodeProto()
    node.opType = op
    node.input = inputs
    node.output = outputs
    node.name = name
    return node
  }

  static func model(nodes: [Onnx_NodeProto]) -> Onnx_ModelProto {
    func value(_ name: String, _ dims: [Int64]) -> Onnx_ValueInfoProto {
      var info = Onnx_ValueInfoProto()
      info.name = name
      info.type.tensorType.elemType = Int32(Onnx_TensorProto.DataType.float.rawValue)
      info.type.tensorType.shape.dim = dims.map { d in
        var dim = Onnx_TensorShapeProto.Dimension()
        dim.dimValue = d
        return dim
      }
      return info
    }
    var model = Onnx_ModelProto()
    model.irVersion = 8
    var opset = Onnx_OperatorSetIdProto()
    opset.version = 17
    model.opsetImport = [opset]
    model.graph.name = "test"
    model.graph.node = nodes
    model.graph.input = [value("x", [1, 4])]
    model.graph.output = [value("y", [1, 4])]
    return model
  }
}
