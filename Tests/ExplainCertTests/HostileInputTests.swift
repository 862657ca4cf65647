import DataIO
import Foundation
import ONNXProtobuf
import Testing

/// One regression test per kind of hostile input the fuzz harness (`Tools/fuzz.py`) found
/// crashing or silently accepted: each is now exit 2 with one line on standard error naming the
/// file at fault.
@Suite struct HostileInputTests {
  static let fixtures = CommandLineRun.repository + "/Fixtures"

  func expectRejected(_ arguments: [String], naming file: String, mentions: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let run = try CommandLineRun(arguments)
    #expect(run.status == 2, "exit \(run.status): \(run.standardError.prefix(300))", sourceLocation: sourceLocation)
    #expect(run.errorLines.count == 1, "\(run.standardError.prefix(600))", sourceLocation: sourceLocation)
    let line = String(run.errorLines.first ?? "")
    #expect(line.contains((file as NSString).lastPathComponent), "\(line)", sourceLocation: sourceLocation)
    if let mentions { #expect(line.contains(mentions), "\(line)", sourceLocation: sourceLocation) }
  }

  static func model(_ name: String) throws -> Onnx_ModelProto {
    try Onnx_ModelProto(serializedBytes: try Data(contentsOf: URL(fileURLWithPath: fixtures + "/models/\(name).onnx")))
  }

  @Test func malformedGraphs() throws {
    let scratch = try ScratchFolder()
    let inputs = Self.fixtures + "/data/digits_test.npy"
    var noOutputs = try Self.model("digits_mlp")
    noOutputs.graph.node[0].output = []
    var oneInput = try Self.model("digits_cnn")
    let bn = try #require(oneInput.graph.node.firstIndex { $0.opType == "BatchNormalization" })
    oneInput.graph.node[bn].input = [oneInput.graph.node[bn].input[0]]
    var extraInput = try Self.model("tiny_leaky")
    let leaky = try #require(extraInput.graph.node.firstIndex { $0.opType == "LeakyRelu" })
    extraInput.graph.node[leaky].input.append(extraInput.graph.node[leaky].input[0])
    var infiniteAlpha = try Self.model("tiny_leaky")
    infiniteAlpha.graph.node[leaky].attribute = infiniteAlpha.graph.node[leaky].attribute.map { a in
      var a = a
      if a.name == "alpha" { a.f = -.infinity }
      return a
    }
    var graphOutputIsInput = try Self.model("digits_mlp")
    graphOutputIsInput.graph.output = [graphOutputIsInput.graph.input[0]]
    var noGraphOutputs = try Self.model("digits_mlp")
    noGraphOutputs.graph.output = []
    for (name, model, mentions) in [("no-outputs", noOutputs, "output(s)"), ("batchnorm", oneInput, "BatchNormalization"),
                                    ("extra-input", extraInput, "LeakyRelu"), ("alpha", infiniteAlpha, "alpha"),
                                    ("output-is-input", graphOutputIsInput, "not computed"), ("no-graph-outputs", noGraphOutputs, "no outputs")] {
      let file = try scratch.write("\(name).onnx", try model.serializedData())
      try expectRejected(["info", file], naming: file, mentions: mentions)
      try expectRejected(["predict", file, inputs], naming: file)
    }
  }

  /// Constants the importer derives in float32 (BatchNormalization's folded scale) must stay
  /// finite: the 20,000-case release fuzz found a scale of −3.4e38 that folded to −inf and
  /// stopped the exact engine at a precondition.
  @Test func constantsThatFoldToInfinityAreRefused() throws {
    let scratch = try ScratchFolder()
    var model = try Self.model("digits_cnn")
    let bn = try #require(model.graph.node.first { $0.opType == "BatchNormalization" })
    let scaleName = bn.input[1]
    let index = try #require(model.graph.initializer.firstIndex { $0.name == scaleName })
    var scale = model.graph.initializer[index]
    var values = scale.rawData.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
    values[0] = -3.4e38
    scale.rawData = values.withUnsafeBufferPointer { Data(buffer: $0) }
    scale.floatData = []
    model.graph.initializer[index] = scale
    let file = try scratch.write("overflow.onnx", try model.serializedData())
    try expectRejected(["certify", file, Self.fixtures + "/data/digits_test_images.npy", "--limit", "1"], naming: file, mentions: "not finite")
  }

  @Test func opsetsOutsideTheSupportedRange() throws {
    let scratch = try ScratchFolder()
    for opset in [-1, 0, 1, 5, 22, 99, 1 << 62] {
      var model = try Self.model("digits_mlp")
      model.opsetImport = model.opsetImport.map { o in
        var o = o
        if o.domain.isEmpty { o.version = Int64(opset) }
        return o
      }
      let file = try scratch.write("opset\(opset).onnx", try model.serializedData())
      try expectRejected(["info", file], naming: file, mentions: "opset \(opset)")
    }
  }

  @Test func hugeAndOverflowingDimensions() throws {
    let scratch = try ScratchFolder()
    for (name, fixture, dimension, inputs) in [("tokens", "text_rnn", Int64(1) << 31, "text_test_ids.npy"),
                                                ("overflow", "digits_mlp", Int64.max, "digits_test.npy")] {
      var model = try Self.model(fixture)
      let last = model.graph.input[0].type.tensorType.shape.dim.count - 1
      model.graph.input[0].type.tensorType.shape.dim[last].dimValue = dimension
      let file = try scratch.write("\(name).onnx", try model.serializedData())
      let run = try CommandLineRun(["certify", file, Self.fixtures + "/data/" + inputs, "--limit", "1"])
      #expect(run.status == 2 && run.errorLines.count == 1, "\(run.standardError.prefix(400))")
    }
  }

  @Test func certificatesAndCounterexamplesWithOverflowingShapes() throws {
    let scratch = try ScratchFolder()
    let model = Self.fixtures + "/models/tiny_leaky.onnx"
    let certify = try CommandLineRun(["certify", model, Self.fixtures + "/data/tiny_inputs.npy", "--limit", "1", "--json", "--quiet"])
    var certificate = try #require(try JSONSerialization.jsonObject(with: Data(certify.standardOutput.utf8)) as? [String: Any])
    certificate["inputShape"] = [1 << 32, 1 << 32, 1 << 32]
    let certFile = try scratch.write("cert.json", try JSONSerialization.data(withJSONObject: certificate))
    try expectRejected(["verify", model, certFile], naming: certFile, mentions: "inputShape")
    certificate["inputShape"] = [1, 2]
    certificate["input"] = ["1/0", "2"]
    let badRational = try scratch.write("rational.json", try JSONSerialization.data(withJSONObject: certificate))
    try expectRejected(["verify", model, badRational], naming: badRational, mentions: "input[0]")

    let corpus = CommandLineRun.repository + "/Counterexamples"
    let name = try #require(try FileManager.default.contentsOfDirectory(atPath: corpus).first { $0.hasPrefix("explainer-fidelity-digits_cnn") })
    var record = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: corpus + "/" + name))) as? [String: Any])
    var overflow = record
    overflow["inputShape"] = [1 << 32, 1 << 32, 1 << 32]
    let overflowFile = try scratch.write("overflow.json", try JSONSerialization.data(withJSONObject: overflow))
    try expectRejected(["replay", overflowFile], naming: overflowFile, mentions: "inputShape")
    var settings = try #require(record["settings"] as? [String: Any])
    settings["samples"] = Int.min
    record["settings"] = settings
    let negative = try scratch.write("negative.json", try JSONSerialization.data(withJSONObject: record))
    try expectRejected(["replay", negative], naming: negative, mentions: "settings.samples")
  }

  @Test func suitesAskingForTooMuch() throws {
    let scratch = try ScratchFolder()
    let head = "model: \(Self.fixtures)/models/tiny_clip.onnx\ninputs: \(Self.fixtures)/data/tiny_inputs.npy\n"
    for (name, text, key) in [("examples", head + "examples: 1000000000000000\nproperties:\n  - exactness: {}\n", "examples"),
                              ("samples", head + "properties:\n  - exactness: {samples: 1000000000000}\n", "samples"),
                              ("image", head + "image: [1099511627776, 1099511627776]\nproperties:\n  - exactness: {}\n", "image"),
                              ("radius", head + "properties:\n  - consistency: {radius: 1.0e308}\n", "radius")] {
      let suite = try scratch.write("\(name).yaml", Data(text.utf8))
      try expectRejected(["check", suite, "--no-save", "--quiet"], naming: suite, mentions: key)
    }
  }

  @Test func inputsThatAreNotWhatTheySeem() throws {
    let scratch = try ScratchFolder()
    let model = Self.fixtures + "/models/tiny_leaky.onnx"
    // Finite in float64, infinite in the model's float32.
    let huge = try scratch.write("huge.npy", Data(try NumericArray(shape: [1, 2], elements: .float64([1e300, 0])).npyBytes()))
    try expectRejected(["predict", model, huge], naming: huge, mentions: "float32")
    try expectRejected(["certify", model, huge], naming: huge, mentions: "float32")
    // A number with a NUL inside is not its prefix.
    let nul = try scratch.write("nul.csv", Data("1.5\u{0}7,2\n".utf8))
    try expectRejected(["predict", model, nul], naming: nul, mentions: "not a number")
  }

  /// Refused before anything is allocated: one line naming the model, the sizes and the way out.
  @Test func aCertificateTooLargeForMemoryIsRefused() throws {
    let run = try CommandLineRun(["certify", Self.fixtures + "/models/digits_cnn.onnx", Self.fixtures + "/data/digits_test_images.npy",
                                  "--limit", "1", "--memory-limit", "64K"])
    #expect(run.status == 2 && run.errorLines.count == 1, "\(run.standardError)")
    #expect(run.standardError.contains("digits_cnn.onnx") && run.standardError.contains("--memory-limit"), "\(run.standardError)")
  }
}
