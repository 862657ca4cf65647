import ArgumentParser
import Inference
import Model

struct Info: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Describe a model: operators, shapes, parameters, and whether it is piecewise linear.",
    discussion: """
      Examples:
        explaincert info Fixtures/models/digits_cnn.onnx
        explaincert info Fixtures/models/digits_mlp.onnx --json
      """)

  @Argument(help: "The ONNX model file.")
  var model: String

  @Flag(help: "Print JSON instead of text.")
  var json = false

  func run() throws {
    try reportingErrors {
      let summary: ModelSummary
      do {
        summary = try ModelSummary(try Network.load(contentsOf: model), file: model)
      } catch let error as ModelError where error.limitation != nil {
        // Well formed, but not a network ExplainCert can certify: described from the file.
        summary = try ModelSummary(try ModelOutline(contentsOf: model), file: model, limitation: error)
      }
      emit(json ? try jsonText(summary) : summary.text)
    }
  }
}

/// What `info` reports about a model.
struct ModelSummary: Encodable {
  struct Layer: Encodable {
    var node: String
    var `operator`: String
    var outputShape: [Int]
    var piecewiseLinear: Bool
  }
  struct Site: Encodable {
    var node: String
    var `operator`: String
    var choices: Int
  }

  var file: String
  var producer: String
  var opset: Int
  var input: String
  var inputShape: String
  var tokenInput: Bool
  var outputs: [String]
  var parameters: Int
  var piecewiseLinear: Bool
  var piecewiseLinearReason: String
  /// Why ExplainCert cannot certify the model (nil when it can).
  var limitation: ModelError.Limitation?
  var outputLinks: [String]
  /// Shapes below assume every symbolic dimension is 1.
  var layers: [Layer]
  var patternSites: [Site]

  init(_ network: Network, file: String) throws {
    self.file = file
    producer = network.producer
    opset = network.opsetVersion
    input = network.inputName
    inputShape = network.inputShape.shapeDescription
    tokenInput = network.embedding != nil
    outputs = network.outputNames
    parameters = network.parameterCount
    (piecewiseLinear, piecewiseLinearReason) = network.piecewiseLinearity
    outputLinks = network.links.map(\.link.name)
    var shape = network.inputShape.map { dimension -> Int in
      if case .fixed(let size) = dimension { return size }
      return 1
    }
    if let embedding = network.embedding { shape.append(embedding.width) }
    let plan = try Plan(network, inputShape: shape)
    layers = network.nodes.map { node in
      Layer(node: node.name, operator: node.sourceOperator, outputShape: plan.shape(of: node.outputs[0]) ?? [],
            piecewiseLinear: node.operation.isPiecewiseLinear)
    }
    patternSites = plan.sites.map { Site(node: $0.node, operator: $0.operatorName, choices: $0.count) }
  }

  /// A model that cannot be imported: what the file declares, and why it cannot be certified.
  init(_ outline: ModelOutline, file: String, limitation error: ModelError) throws {
    self.file = file
    producer = outline.producer
    opset = outline.opset
    input = outline.inputs.map(\.name).joined(separator: ", ")
    inputShape = outline.inputs.map(\.shape.shapeDescription).joined(separator: ", ")
    tokenInput = false
    outputs = outline.outputs
    parameters = outline.parameterCount
    piecewiseLinear = error.limitation != .notPiecewiseLinear
    let prefix = file + ": "
    let reason = error.message.hasPrefix(prefix) ? String(error.message.dropFirst(prefix.count)) : error.message
    piecewiseLinearReason = (piecewiseLinear ? "but ExplainCert cannot read it: " : "") + reason
    limitation = error.limitation
    outputLinks = []
    layers = outline.nodes.map { Layer(node: $0.name, operator: $0.operator, outputShape: [], piecewiseLinear: false) }
    patternSites = []
  }

  var text: String {
    var lines = [
      "\(file)",
      "  producer \(producer.isEmpty ? "(not stated)" : producer), opset \(opset), \(parameters) parameters",
      "  input  \(input) \(inputShape)\(tokenInput ? " (token ids, through an embedding)" : "")",
      "  output \(outputs.joined(separator: ", "))",
      "  piecewise linear: \(piecewiseLinear ? "yes" : "no") — \(piecewiseLinearReason)",
    ]
    if limitation != nil {
      lines.append("  certifiable: no (certify refuses it)")
      lines.append("")
      lines.append("  node                             operator")
      for layer in layers {
        let name = layer.node.count > 32 ? String(layer.node.prefix(31)) + "…" : layer.node
        lines.append("  " + name.padding(toLength: 33, withPad: " ", startingAt: 0) + layer.operator)
      }
      return lines.joined(separator: "\n")
    }
    lines += [
      "",
      "  node                             operator             output shape (symbolic dims = 1)",
    ]
    for layer in layers {
      let name = layer.node.count > 32 ? String(layer.node.prefix(31)) + "…" : layer.node
      lines.append("  " + name.padding(toLength: 33, withPad: " ", startingAt: 0)
        + (layer.operator + (layer.piecewiseLinear ? " *" : "")).padding(toLength: 21, withPad: " ", startingAt: 0)
        + "\(layer.outputShape)")
    }
    let total = patternSites.reduce(0) { $0 + $1.choices }
    lines.append("")
    lines.append("  * piecewise linear: \(patternSites.count) pattern sites, \(total) choices per input")
    return lines.joined(separator: "\n")
  }
}
