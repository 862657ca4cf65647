import DataIO
import Foundation
import ONNXProtobuf
import SwiftProtobuf

extension Network {
  /// The operators ExplainCert reads, by ONNX name.
  public static let supportedOperators = [
    "Abs", "Add", "AveragePool", "BatchNormalization", "Cast", "Clip", "Concat", "Constant", "ConstantOfShape", "Conv", "ConvTranspose",
    "Div", "Dropout", "Equal", "Expand", "Flatten", "Gather", "Gemm", "GlobalAveragePool", "Identity", "LeakyRelu",
    "LogSoftmax", "MatMul", "Max", "MaxPool", "Min", "Mul", "Neg", "PRelu", "Pad", "RNN", "Range", "ReduceMean", "ReduceSum", "Relu",
    "Reshape", "Resize", "Shape", "Sigmoid", "Slice", "Softmax", "Split", "Squeeze", "Sub", "Sum", "Tile", "Transpose",
    "Unsqueeze", "Upsample", "Where",
  ]

  /// Operators that are not piecewise linear in their input (a model using one inside the
  /// body can be described, not certified).
  static let notPiecewiseLinearOperators: Set<String> = [
    "Tanh", "Sigmoid", "Exp", "Log", "Softplus", "Softsign", "Elu", "Selu", "Celu", "Gelu", "Erf", "Sqrt", "Pow", "Reciprocal",
    "Sin", "Cos", "Tan", "Mish", "HardSwish", "ThresholdedRelu", "LRN", "InstanceNormalization", "LayerNormalization",
    "GroupNormalization", "LSTM", "GRU", "Attention", "Einsum", "Softmax", "LogSoftmax",
  ]

  /// The opsets of the default ONNX domain the importer reads.
  public static let supportedOpsets = 6...21

  /// How many inputs and outputs each operator takes (ONNX's operator schemas, inference only).
  static func arity(_ opType: String, opset: Int) -> (inputs: ClosedRange<Int>, outputs: ClosedRange<Int>)? {
    switch opType {
    case "Constant": return (0...0, 1...1)
    case "Abs", "Neg", "Relu", "LeakyRelu", "Sigmoid", "Softmax", "LogSoftmax", "Flatten", "GlobalAveragePool", "Identity",
         "Cast", "Transpose", "AveragePool":
      return (1...1, 1...1)
    case "MaxPool": return (1...1, 1...2)
    case "Add", "Sub", "Mul", "Div", "MatMul", "PRelu", "Reshape", "Gather": return (2...2, 1...1)
    case "Gemm", "Conv", "ConvTranspose": return (2...3, 1...1)
    case "Clip": return (opset < 11 ? 1...1 : 1...3, 1...1)
    case "BatchNormalization": return (5...5, 1...3)
    case "Squeeze": return (opset < 13 ? 1...1 : 1...2, 1...1)
    case "Unsqueeze": return (opset < 13 ? 1...1 : 2...2, 1...1)
    case "Dropout": return (opset < 12 ? 1...1 : 1...3, 1...2)
    case "Concat", "Sum", "Max", "Min": return (1...Int.max, 1...1)
    case "Shape", "ConstantOfShape": return (1...1, 1...1)
    case "Expand", "Equal": return (2...2, 1...1)
    case "Where", "Range": return (3...3, 1...1)
    case "Slice": return (opset < 10 ? 1...1 : 3...5, 1...1)
    case "Pad": return (opset < 11 ? 1...1 : 2...4, 1...1)
    case "Split": return (opset < 13 ? 1...1 : 1...2, 1...Int.max)
    case "Resize": return (opset < 11 ? 2...2 : 1...4, 1...1)
    case "Upsample": return (opset < 9 ? 1...1 : 2...2, 1...1)
    case "ReduceMean": return (opset < 18 ? 1...1 : 1...2, 1...1)
    case "ReduceSum": return (opset < 13 ? 1...1 : 1...2, 1...1)
    case "Tile": return (opset < 6 ? 3...3 : 2...2, 1...1)
    case "RNN": return (3...6, 0...2)
    default: return nil
    }
  }

  /// Loads an ONNX model file and the external data files beside it that its tensors name.
  /// Errors name the file and the problem.
  public static func load(contentsOf path: String) throws -> Network {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw ModelError("\(path): cannot read the file")
    }
    do {
      var model = try decode(data)
      var external = ExternalData(folder: URL(fileURLWithPath: path).deletingLastPathComponent())
      try external.resolve(&model)
      var network = try Network(model)
      network.file = path
      network.sha256 = external.fingerprint(of: data)
      return network
    } catch let error as ModelError {
      throw error.inFile(path)
    }
  }

  /// Reads an ONNX model from its serialized bytes (a model with external data must be loaded
  /// from its file, with ``load(contentsOf:)``).
  public init(onnx data: Data) throws {
    try self.init(Self.decode(data))
    sha256 = SHA256Digest.hex(data)
  }

  static func decode(_ data: Data) throws -> Onnx_ModelProto {
    guard !data.isEmpty else { throw ModelError("empty file, not an ONNX model") }
    do {
      var options = BinaryDecodingOptions()
      options.messageDepthLimit = 64
      return try Onnx_ModelProto(serializedBytes: data, options: options)
    } catch {
      throw ModelError("not a valid ONNX model (protobuf decoding failed: \(error))")
    }
  }

  /// Imports the graph for a concrete input shape, or for the declared one (symbolic dimensions
  /// taken as 1) when nil.
  private init(_ model: Onnx_ModelProto, inputShape: [Int]? = nil) throws {
    guard model.hasGraph, !model.graph.node.isEmpty else {
      throw ModelError("not a valid ONNX model (no graph or no nodes)")
    }
    let opset = model.opsetImport.first { $0.domain.isEmpty || $0.domain == "ai.onnx" }.map { Int($0.version) } ?? 0
    guard Network.supportedOpsets.contains(opset) else {
      throw ModelError("opset \(opset) of the default ONNX domain is outside the supported \(Network.supportedOpsets.lowerBound)–\(Network.supportedOpsets.upperBound)")
    }
    var importer = Importer(opset: opset)
    self = try importer.run(model.graph, producer: model.producerName, inputShape: inputShape)
    if importer.readsShapes {
      shapeSpecific = ShapeSpecificSource(model: model, inputShape: importer.graphInputShape)
    }
  }

  /// The network imported again for a body input of `bodyShape`, when its import folded shape
  /// arithmetic (`Shape`) for another input shape; otherwise the network itself.
  public func specialized(toBodyShape bodyShape: [Int]) throws -> Network {
    guard let source = shapeSpecific else { return self }
    let inputShape = embedding == nil ? bodyShape : Array(bodyShape.dropLast())
    guard inputShape != source.inputShape else { return self }
    var network = try Network(source.model, inputShape: inputShape)
    (network.file, network.sha256) = (file, sha256)
    return network
  }
}

/// What a model file declares, read without importing it: `info` describes a model that
/// ExplainCert cannot import (one that is not piecewise linear) from it.
public struct ModelOutline: Sendable {
  public var producer: String
  public var opset: Int
  public var inputs: [(name: String, shape: [Dimension])]
  public var outputs: [String]
  public var parameterCount: Int
  public var nodes: [(name: String, operator: String)]

  /// Reads the outline of a model file (its external data is not needed).
  public init(contentsOf path: String) throws {
    guard let data = FileManager.default.contents(atPath: path) else { throw ModelError("\(path): cannot read the file") }
    let model: Onnx_ModelProto
    do {
      model = try Network.decode(data)
    } catch let error as ModelError {
      throw error.inFile(path)
    }
    producer = model.producerName
    opset = model.opsetImport.first { $0.domain.isEmpty || $0.domain == "ai.onnx" }.map { Int($0.version) } ?? 0
    let initializers = Set(model.graph.initializer.map(\.name))
    inputs = model.graph.input.filter { !initializers.contains($0.name) }.map { input in
      (input.name, input.type.tensorType.shape.dim.map { dim -> Dimension in
        if case .dimValue(let v)? = dim.value, v > 0 { return .fixed(Int(v)) }
        if case .dimParam(let p)? = dim.value { return .symbolic(p) }
        return .symbolic("")
      })
    }
    outputs = model.graph.output.map(\.name)
    parameterCount = model.graph.initializer.reduce(0) { $0 + $1.dims.reduce(1) { $0 &* Int($1) } }
    nodes = model.graph.node.map { ($0.name, $0.opType) }
  }
}

/// A model whose import folded `Shape` for one input shape, kept to import it for others.
struct ShapeSpecificSource: @unchecked Sendable {
  let model: Onnx_ModelProto
  let inputShape: [Int]
}

/// Builds a ``Network`` from an ONNX graph, folding constants as it goes.
private struct Importer {
  let opset: Int
  var constants: [String: Constant] = [:]
  var variables: Set<String> = []
  var nodes: [Network.Node] = []
  var embedding: Embedding?
  var parameterCount = 0
  var fresh = 0
  /// The shape of every variable value (without a copies dimension), where known: what `Shape`
  /// reads.
  var shapes: [String: [Int]] = [:]
  /// Constants holding integers (shapes, indices, axes), which shape arithmetic keeps exact.
  var integerValued: Set<String> = []
  /// Whether a `Shape` was folded: the network is then specific to `graphInputShape`.
  var readsShapes = false
  var graphInputShape: [Int] = []
  /// The largest value whose node the importer resolves to learn its output's shape.
  static let trackedElements = 1 << 22

  init(opset: Int) {
    self.opset = opset
  }

  mutating func run(_ graph: Onnx_GraphProto, producer: String, inputShape concrete: [Int]?) throws -> Network {
    for tensor in graph.initializer {
      let constant = try Constant(tensor)
      constants[tensor.name] = constant
      if Self.isInteger(tensor.dataType) { integerValued.insert(tensor.name) }
      parameterCount += constant.count
    }
    let inputs = graph.input.filter { constants[$0.name] == nil }
    guard inputs.count == 1, let input = inputs.first else {
      throw ModelError("the graph has \(inputs.count) variable inputs (\(inputs.map(\.name).joined(separator: ", "))); ExplainCert reads models with exactly one")
    }
    let type = input.type.tensorType
    let shape = try type.shape.dim.map { dim -> Dimension in
      if case .dimValue(let v)? = dim.value, v > 0 {
        guard v <= Plan.maximumElements else {
          throw ModelError("input '\(input.name)' declares a dimension of \(v), more than the \(Plan.maximumElements) elements ExplainCert can hold")
        }
        return .fixed(Int(v))
      }
      if case .dimParam(let p)? = dim.value { return .symbolic(p) }
      return .symbolic("")
    }
    let elementType = Int(type.elemType)
    let isTokenIds = elementType == Onnx_TensorProto.DataType.int64.rawValue || elementType == Onnx_TensorProto.DataType.int32.rawValue
    guard isTokenIds || elementType == Onnx_TensorProto.DataType.float.rawValue || elementType == Onnx_TensorProto.DataType.double.rawValue else {
      throw ModelError("input '\(input.name)' has element type \(Constant.typeName(type.elemType)); float, double or int64 token ids are supported")
    }
    variables.insert(input.name)
    graphInputShape = concrete ?? shape.map { if case .fixed(let size) = $0 { size } else { 1 } }
    guard graphInputShape.count == shape.count else {
      throw ModelError("input '\(input.name)' is declared \(shape.shapeDescription), not \(graphInputShape.count)-D")
    }
    if (graphInputShape.elementCount ?? .max) <= Self.trackedElements { shapes[input.name] = graphInputShape }
    for node in graph.node {
      try add(node, tokenInput: isTokenIds ? input.name : nil)
    }
    if isTokenIds && embedding == nil {
      throw ModelError("input '\(input.name)' holds integer token ids but is not read by an embedding Gather")
    }
    guard !graph.output.isEmpty else { throw ModelError("the graph declares no outputs") }
    for output in graph.output where !variables.contains(output.name) || output.name == input.name {
      throw ModelError("graph output '\(output.name)' is not computed from the input")
    }
    try checkLinksEndTheGraph(outputs: graph.output.map(\.name))
    var network = Network(inputName: input.name, inputShape: shape, embedding: embedding, nodes: nodes,
                          outputNames: graph.output.map(\.name), parameterCount: parameterCount,
                          opsetVersion: opset, producer: producer)
    network.isFloat64 = elementType == Onnx_TensorProto.DataType.double.rawValue
    return network
  }

  static func isInteger(_ type: Int32) -> Bool {
    typealias DataType = Onnx_TensorProto.DataType
    return [DataType.int64, .int32, .int16, .int8, .uint8, .uint16, .uint32, .uint64, .bool].map(\.rawValue).contains(Int(type))
  }

  func checkLinksEndTheGraph(outputs: [String]) throws {
    for node in nodes {
      guard case .link(let link) = node.operation else { continue }
      if let reader = nodes.first(where: { $0.inputs.contains(node.outputs[0]) }) {
        throw ModelError("output link \(link.name) (node '\(node.name)') is followed by \(reader.sourceOperator) (node '\(reader.name)'); Softmax, LogSoftmax and Sigmoid are supported only at the end: the network is not piecewise linear",
                         limitation: .notPiecewiseLinear)
      }
    }
  }

  func constant(_ name: String, of node: Onnx_NodeProto) throws -> Constant {
    guard let value = constants[name] else {
      if variables.contains(name) {
        throw ModelError("node '\(node.name)' (\(node.opType)) needs '\(name)' to be a constant, but it depends on the input")
      }
      throw ModelError("node '\(node.name)' (\(node.opType)) reads '\(name)', which is neither an initializer nor computed earlier (missing initializer?)")
    }
    return value
  }

  func optionalConstant(_ node: Onnx_NodeProto, _ index: Int) throws -> Constant? {
    guard index < node.input.count, !node.input[index].isEmpty else { return nil }
    return try constant(node.input[index], of: node)
  }

  mutating func emit(_ node: Onnx_NodeProto, _ operation: Operation, inputs: [String], outputs: [String]? = nil, name: String? = nil) {
    let outputs = outputs ?? [node.output[0]]
    let resolved = Network.Node(name: name ?? (node.name.isEmpty ? outputs[0] : node.name), sourceOperator: node.opType,
                                operation: operation, inputs: inputs, outputs: outputs)
    nodes.append(resolved)
    variables.formUnion(outputs)
    // Shapes are tracked for `Shape` and broadcasting; a node that does not resolve at this
    // shape, or whose inputs are too large to resolve twice (here and in the plan), leaves its
    // outputs' shapes unknown (an error only where one is needed).
    let inputShapes = inputs.compactMap { shapes[$0] }
    if inputShapes.count == inputs.count, inputShapes.allSatisfy({ ($0.elementCount ?? .max) <= Self.trackedElements }),
       let (_, outputShapes, _) = try? Step.resolve(resolved, inputShapes: inputShapes) {
      for (output, shape) in zip(outputs, outputShapes) where (try? Plan.checkSize(shape, of: output)) != nil { shapes[output] = shape }
    }
  }

  /// Emits `operation` reading `inputs` and writing a fresh intermediate value; returns its name.
  mutating func emitIntermediate(_ node: Onnx_NodeProto, _ operation: Operation, inputs: [String], name: String? = nil) -> String {
    fresh += 1
    let output = "\(node.output[0])/explaincert.\(fresh)"
    emit(node, operation, inputs: inputs, outputs: [output], name: name)
    return output
  }

  mutating func emitIntermediate(_ node: Onnx_NodeProto, _ operation: Operation, input: String) -> String {
    emitIntermediate(node, operation, inputs: [input])
  }

  mutating func add(_ node: Onnx_NodeProto, tokenInput: String?) throws {
    guard node.domain.isEmpty || node.domain == "ai.onnx" else {
      throw unsupported(node, reason: "operator domain '\(node.domain)'")
    }
    if let arity = Network.arity(node.opType, opset: opset) {
      let (inputs, outputs) = (node.input.count, node.output.count)
      guard arity.inputs.contains(inputs), arity.outputs.contains(outputs), node.output.contains(where: { !$0.isEmpty }), arity.outputs.lowerBound == 0 || !node.output[0].isEmpty,
            inputs == 0 || !node.input[0].isEmpty || node.opType == "Constant" else {
        func count(_ range: ClosedRange<Int>) -> String {
          range.lowerBound == range.upperBound ? "\(range.lowerBound)" : range.upperBound == Int.max ? "at least \(range.lowerBound)" : "\(range.lowerBound)–\(range.upperBound)"
        }
        throw ModelError("node '\(node.name)' (\(node.opType)) has \(inputs) input(s) and \(outputs) output(s); \(node.opType) at opset \(opset) takes \(count(arity.inputs)) input(s) and \(count(arity.outputs)) output(s), the first of each named")
      }
    }
    let attributes = Attributes(node)
    if node.opType == "Constant" {
      return try addConstant(node, attributes)
    }
    let present = node.input.filter { !$0.isEmpty }
    for name in present where constants[name] == nil && !variables.contains(name) {
      throw ModelError("node '\(node.name)' (\(node.opType)) reads '\(name)', which is neither an initializer nor computed earlier (missing initializer?)")
    }
    let variableInputs = present.filter { variables.contains($0) }
    if node.opType == "Shape", let x = variableInputs.first {
      guard let shape = shapes[x] else {
        throw ModelError("node '\(node.name)' (Shape): the shape of '\(x)' is not known when the model is loaded (it depends on an input shape the model does not declare)")
      }
      constants[node.output[0]] = try ShapeArithmetic.shapeConstant(shape, attributes)
      integerValued.insert(node.output[0])
      readsShapes = true
      return
    }
    if variableInputs.isEmpty {
      return try fold(node, attributes)
    }
    let x = node.input[0]
    switch node.opType {
    case "Gemm":
      guard variables.contains(x) else { throw unsupported(node, reason: "a constant first operand") }
      var input = x
      if attributes.int("transA", default: 0) != 0 {
        input = emitIntermediate(node, .transpose(permutation: [1, 0]), input: x)
      }
      let b = try constant(node.input[1], of: node)
      guard b.shape.count == 2 else { throw ModelError("node '\(node.name)' (Gemm): B must be 2-D, got \(b.shape)") }
      let weight = attributes.int("transB", default: 0) != 0 ? b : try transposed(b)
      let alpha = try attributes.float("alpha", default: 1)
      let beta = try attributes.float("beta", default: 1)
      var bias = try optionalConstant(node, 2)
      if let c = bias, beta != 1 {
        bias = Constant(shape: c.shape, float32: c.float32.map { $0 * Float(beta) })
        guard bias!.values.allSatisfy(\.isFinite) else { throw ModelError("node '\(node.name)' (Gemm): beta · C is not finite in float32") }
      }
      if alpha == 1 {
        emit(node, .dense(weight: weight, bias: bias), inputs: [input])
      } else {
        let product = emitIntermediate(node, .dense(weight: weight, bias: nil), input: input)
        if let bias {
          let scaled = emitIntermediate(node, .scale(Constant(scalar: alpha)), input: product)
          emit(node, .shift(bias), inputs: [scaled])
        } else {
          emit(node, .scale(Constant(scalar: alpha)), inputs: [product])
        }
      }
    case "MatMul":
      guard variableInputs.count == 1 else { throw notPiecewiseLinear(node, "multiplies two tensors that both depend on the input") }
      guard variables.contains(x) else {
        let a = try constant(x, of: node)
        guard a.shape.count == 2 else { throw unsupported(node, reason: "a \(a.shape.count)-D constant left operand") }
        return emit(node, .leftDense(weight: a), inputs: [node.input[1]])
      }
      let b = try constant(node.input[1], of: node)
      guard b.shape.count == 2 else { throw unsupported(node, reason: "a \(b.shape.count)-D right operand") }
      emit(node, .dense(weight: try transposed(b), bias: nil), inputs: [x])
    case "Add", "Sub", "Mul", "Div":
      try addArithmetic(node, variableInputs)
    case "Neg":
      emit(node, .scale(Constant(scalar: -1)), inputs: [x])
    case "Relu":
      emit(node, .relu, inputs: [x])
    case "LeakyRelu":
      emit(node, .leakyRelu(alpha: Constant(scalar: try attributes.float("alpha", default: 0.01))), inputs: [x])
    case "PRelu":
      var slope = try constant(node.input[1], of: node)
      // Before opset 7 a 1-D slope holds one value per channel (axis 1), not per last element.
      if opset < 7, slope.shape.count == 1, slope.count > 1, let rank = shapes[x]?.count, rank > 2 {
        slope = slope.reshaped([slope.count] + Array(repeating: 1, count: rank - 2))
      }
      emit(node, .prelu(slope: slope), inputs: [x])
    case "Abs":
      emit(node, .abs, inputs: [x])
    case "Clip":
      var lower: Double?, upper: Double?
      if opset < 11 {
        if attributes.has("min") { lower = try attributes.float("min", default: 0) }
        if attributes.has("max") { upper = try attributes.float("max", default: 0) }
      } else {
        lower = try optionalConstant(node, 1).map { Double(Float($0.values[0])) }
        upper = try optionalConstant(node, 2).map { Double(Float($0.values[0])) }
      }
      if let l = lower, let u = upper, l > u { throw ModelError("node '\(node.name)' (Clip): min \(l) exceeds max \(u)") }
      emit(node, .clip(lower: lower, upper: upper), inputs: [x])
    case "Conv":
      let weight = try constant(node.input[1], of: node)
      let bias = try optionalConstant(node, 2)
      let window = try attributes.window(kernel: attributes.ints("kernel_shape") ?? Array(weight.shape.dropFirst(2)))
      emit(node, .conv(Convolution(weight: weight, bias: bias, window: window, group: attributes.int("group", default: 1))), inputs: [x])
    case "ConvTranspose":
      try addConvTranspose(node, attributes)
    case "MaxPool":
      if node.output.count > 1, !node.output[1].isEmpty { throw unsupported(node, reason: "the Indices output") }
      emit(node, .maxPool(try attributes.window(kernel: nil)), inputs: [x])
    case "AveragePool":
      emit(node, .averagePool(try attributes.window(kernel: nil), countIncludePad: attributes.int("count_include_pad", default: 0) != 0), inputs: [x])
    case "GlobalAveragePool":
      emit(node, .globalAveragePool, inputs: [x])
    case "BatchNormalization":
      try addBatchNorm(node, attributes)
    case "Flatten":
      emit(node, .reshape(.flatten(axis: attributes.int("axis", default: 1))), inputs: [x])
    case "Reshape":
      let target = try constant(node.input[1], of: node).integers
      emit(node, .reshape(.reshape(target, allowZero: attributes.int("allowzero", default: 0) != 0)), inputs: [x])
    case "Squeeze", "Unsqueeze":
      let axes = try optionalConstant(node, 1)?.integers ?? attributes.ints("axes") ?? []
      if node.opType == "Unsqueeze" && axes.isEmpty { throw ModelError("node '\(node.name)' (Unsqueeze): no axes") }
      emit(node, .reshape(node.opType == "Squeeze" ? .squeeze(axes) : .unsqueeze(axes)), inputs: [x])
    case "Identity", "Dropout":
      if node.opType == "Dropout", node.output.count > 1, !node.output[1].isEmpty { throw unsupported(node, reason: "the mask output") }
      emit(node, .reshape(.identity), inputs: [x])
    case "Cast":
      let to = attributes.int("to", default: 1)
      guard to == Onnx_TensorProto.DataType.float.rawValue || to == Onnx_TensorProto.DataType.double.rawValue else {
        throw unsupported(node, reason: "a cast of the input to \(Constant.typeName(Int32(to)))")
      }
      emit(node, .reshape(.identity), inputs: [x])
    case "Transpose":
      emit(node, .transpose(permutation: attributes.ints("perm") ?? []), inputs: [x])
    case "Concat":
      guard variableInputs.count == present.count else { throw unsupported(node, reason: "concatenating constants with the input") }
      emit(node, .concat(axis: attributes.int("axis", default: 0)), inputs: present)
    case "Gather" where node.input.count == 2 && variables.contains(x) && constants[node.input[1]] != nil:
      let indices = try constant(node.input[1], of: node)
      guard indices.shape.count <= 1 else { throw unsupported(node, reason: "indices of shape \(indices.shape) on a value that depends on the input") }
      emit(node, .select(.take(axis: attributes.int("axis", default: 0), indices: indices.integers, scalar: indices.shape.isEmpty)), inputs: [x])
    case "Gather":
      try addEmbedding(node, attributes, tokenInput: tokenInput)
    case "Slice":
      let operands = opset >= 10 ? try node.input.dropFirst().map { $0.isEmpty ? nil : try constant($0, of: node).integers } : nil
      emit(node, .select(try ShapeArithmetic.slice(node, operands, attributes, rank: 0, opset: opset)), inputs: [x])
    case "Split":
      try addSplit(node, attributes)
    case "Pad":
      try addPad(node, attributes)
    case "Expand":
      emit(node, .select(.expand(shape: try constant(node.input[1], of: node).integers)), inputs: [x])
    case "Resize", "Upsample":
      try addResize(node, attributes)
    case "ReduceMean", "ReduceSum":
      // Axes are an input from opset 18 (ReduceSum: 13).
      var axes = attributes.ints("axes") ?? []
      if opset >= (node.opType == "ReduceSum" ? 13 : 18), let given = try optionalConstant(node, 1) { axes = given.integers }
      if axes.isEmpty, attributes.int("noop_with_empty_axes", default: 0) != 0 {
        emit(node, .reshape(.identity), inputs: [x])
      } else {
        emit(node, .reduce(axes: axes, keepDims: attributes.int("keepdims", default: 1) != 0, mean: node.opType == "ReduceMean"), inputs: [x])
      }
    case "Tile":
      emit(node, .select(.tile(repeats: try constant(node.input[1], of: node).integers)), inputs: [x])
    case "Max", "Min", "Sum":
      try addMaxMinSum(node, present)
    case "RNN":
      try addRNN(node, attributes)
    case "Softmax", "LogSoftmax":
      let axis = attributes.int("axis", default: opset >= 13 ? -1 : 1)
      emit(node, .link(node.opType == "Softmax" ? .softmax(axis: axis) : .logSoftmax(axis: axis)), inputs: [x])
    case "Sigmoid":
      emit(node, .link(.sigmoid), inputs: [x])
    default:
      throw unsupported(node, reason: nil)
    }
  }

  func unsupported(_ node: Onnx_NodeProto, reason: String?) -> ModelError {
    if let reason {
      return ModelError("unsupported use of operator '\(node.opType)' in node '\(node.name)': \(reason)", limitation: .unsupported)
    }
    if Network.notPiecewiseLinearOperators.contains(node.opType) {
      return ModelError("node '\(node.name)' (\(node.opType)): \(node.opType) is not piecewise linear, so neither is the network", limitation: .notPiecewiseLinear)
    }
    return ModelError("unsupported operator '\(node.opType)' in node '\(node.name)'; supported: \(Network.supportedOperators.joined(separator: ", "))",
                      limitation: .unsupported)
  }

  func notPiecewiseLinear(_ node: Onnx_NodeProto, _ reason: String) -> ModelError {
    ModelError("node '\(node.name)' (\(node.opType)) \(reason): the network is not piecewise linear", limitation: .notPiecewiseLinear)
  }

  func transposed(_ c: Constant) throws -> Constant {
    let (rows, cols) = (c.shape[0], c.shape[1])
    var values = [Double](repeating: 0, count: c.count)
    for i in 0..<rows {
      for j in 0..<cols { values[j * rows + i] = c.values[i * cols + j] }
    }
    return Constant(shape: [cols, rows], values: values)
  }

  mutating func addConstant(_ node: Onnx_NodeProto, _ attributes: Attributes) throws {
    let value: Constant
    if let tensor = attributes.tensor("value") {
      value = try Constant(tensor)
      if Self.isInteger(tensor.dataType) { integerValued.insert(node.output[0]) }
    } else if attributes.has("value_float") {
      value = Constant(scalar: try attributes.float("value_float", default: 0))
    } else if let floats = attributes.values["value_floats"]?.floats {
      value = Constant(shape: [floats.count], float32: floats)
    } else if attributes.has("value_int") {
      value = Constant(scalar: Double(attributes.int("value_int", default: 0)))
      integerValued.insert(node.output[0])
    } else if let ints = attributes.ints("value_ints") {
      value = Constant(shape: [ints.count], values: ints.map(Double.init))
      integerValued.insert(node.output[0])
    } else {
      throw unsupported(node, reason: "a Constant without a numeric value")
    }
    constants[node.output[0]] = value
    parameterCount += value.count
  }

  mutating func addArithmetic(_ node: Onnx_NodeProto, _ variableInputs: [String]) throws {
    var (a, b) = (node.input[0], node.input[1])
    if variableInputs.count == 2 {
      // Operands of different shapes are broadcast to the result's shape (known at load time).
      if let sa = shapes[a], let sb = shapes[b], sa != sb, let target = try? ShapeArithmetic.broadcastShape(sa, sb, node) {
        if sa != target { a = emitIntermediate(node, .select(.expand(shape: target)), input: a) }
        if sb != target { b = emitIntermediate(node, .select(.expand(shape: target)), input: b) }
        readsShapes = true
      }
      switch node.opType {
      case "Add": emit(node, .add, inputs: [a, b])
      case "Sub": emit(node, .subtract, inputs: [a, b])
      default: throw notPiecewiseLinear(node, "multiplies or divides two tensors that both depend on the input")
      }
      return
    }
    let variableFirst = variables.contains(a)
    var x = variableFirst ? a : b
    let c = try constant(variableFirst ? b : a, of: node)
    // A constant with more axes (or longer ones) than the value: the value is broadcast to the
    // result's shape first, which then depends on the input shape.
    if let shape = shapes[x], let target = try? ShapeArithmetic.broadcastShape(shape, c.shape, node), target != shape {
      x = emitIntermediate(node, .select(.expand(shape: target)), input: x)
      readsShapes = true
    }
    switch (node.opType, variableFirst) {
    case ("Add", _): emit(node, .shift(c), inputs: [x])
    case ("Sub", true): emit(node, .shift(c.negated()), inputs: [x])
    case ("Sub", false):
      let negated = emitIntermediate(node, .scale(Constant(scalar: -1)), input: x)
      emit(node, .shift(c), inputs: [negated])
    case ("Mul", _): emit(node, .scale(c), inputs: [x])
    case ("Div", true):
      if let zero = c.values.firstIndex(of: 0) { throw ModelError("node '\(node.name)' (Div) divides by a zero constant at index \(zero)") }
      emit(node, .divide(c), inputs: [x])
    default: throw notPiecewiseLinear(node, "divides a constant by the input")
    }
  }

  /// ConvTranspose as the convolution that computes it: the input spread by the strides and
  /// padded by `dilation·(k − 1) − pads` (plus `output_padding` at the end), convolved with
  /// stride 1 by the kernel flipped in space, with input and output channels exchanged per group.
  mutating func addConvTranspose(_ node: Onnx_NodeProto, _ attributes: Attributes) throws {
    let w = try constant(node.input[1], of: node)
    guard w.shape.count >= 3 else { throw ModelError("node '\(node.name)' (ConvTranspose): weight of shape \(w.shape)") }
    let kernel = attributes.ints("kernel_shape") ?? Array(w.shape.dropFirst(2))
    let rank = kernel.count
    let group = attributes.int("group", default: 1)
    let strides = attributes.ints("strides") ?? Array(repeating: 1, count: rank)
    let dilations = attributes.ints("dilations") ?? Array(repeating: 1, count: rank)
    let pads = attributes.ints("pads") ?? Array(repeating: 0, count: 2 * rank)
    let outputPadding = attributes.ints("output_padding") ?? Array(repeating: 0, count: rank)
    let autoPad = attributes.string("auto_pad") ?? "NOTSET"
    guard kernel == Array(w.shape.dropFirst(2)), strides.count == rank, dilations.count == rank, pads.count == 2 * rank,
          outputPadding.count == rank, group >= 1, w.shape[0] % group == 0, strides.allSatisfy({ $0 >= 1 }), dilations.allSatisfy({ $0 >= 1 }) else {
      throw ModelError("node '\(node.name)' (ConvTranspose): attributes do not fit the weight of shape \(w.shape)")
    }
    guard ["NOTSET", "VALID", ""].contains(autoPad), !attributes.has("output_shape") else {
      throw unsupported(node, reason: "auto_pad \(autoPad) or output_shape (give pads explicitly)")
    }
    let (cin, coutPerGroup) = (w.shape[0], w.shape[1])
    let cinPerGroup = cin / group
    let k = kernel.reduce(1, *)
    // W'[g·coutPerGroup + o, i, flipped κ] = W[g·cinPerGroup + i, o, κ].
    var values = [Double](repeating: 0, count: w.count)
    for g in 0..<group {
      for i in 0..<cinPerGroup {
        for o in 0..<coutPerGroup {
          for κ in 0..<k {
            values[((g * coutPerGroup + o) * cinPerGroup + i) * k + (k - 1 - κ)] = w.values[((g * cinPerGroup + i) * coutPerGroup + o) * k + κ]
          }
        }
      }
    }
    let weight = Constant(shape: [group * coutPerGroup, cinPerGroup] + kernel, values: values)
    let before = (0..<rank).map { dilations[$0] * (kernel[$0] - 1) - pads[$0] }
    let after = (0..<rank).map { dilations[$0] * (kernel[$0] - 1) - pads[$0 + rank] + outputPadding[$0] }
    let spread = emitIntermediate(node, .select(.spread(strides: [1, 1] + strides, padsBefore: [0, 0] + before, padsAfter: [0, 0] + after)), input: node.input[0])
    let window = Window(kernel: kernel, strides: Array(repeating: 1, count: rank), dilations: dilations,
                        pads: Array(repeating: 0, count: 2 * rank), autoPad: .notSet, ceilMode: false)
    emit(node, .conv(Convolution(weight: weight, bias: try optionalConstant(node, 2), window: window, group: group)), inputs: [spread])
  }

  /// Split: one slice per output, sizes from the `split` input or attribute, or equal parts.
  mutating func addSplit(_ node: Onnx_NodeProto, _ attributes: Attributes) throws {
    let x = node.input[0]
    let axis = attributes.int("axis", default: 0)
    var sizes = opset >= 13 ? try optionalConstant(node, 1)?.integers : attributes.ints("split")
    if sizes == nil {
      guard let shape = shapes[x], let a = Optional(axis < 0 ? axis + shape.count : axis), a >= 0, a < shape.count else {
        throw unsupported(node, reason: "equal parts of an axis whose size is not known when the model is loaded")
      }
      let parts = node.output.count
      let part = (shape[a] + parts - 1) / parts
      sizes = (0..<parts).map { min(part, max(shape[a] - $0 * part, 0)) }
    }
    guard let sizes, sizes.count == node.output.count, sizes.allSatisfy({ $0 >= 0 }) else {
      throw ModelError("node '\(node.name)' (Split): \(sizes?.count ?? 0) split sizes for \(node.output.count) outputs")
    }
    var start = 0
    for (output, size) in zip(node.output, sizes) {
      if !output.isEmpty {
        emit(node, .select(.slice(starts: [start], ends: [start + size], axes: [axis], steps: [1])), inputs: [x], outputs: [output])
      }
      start += size
    }
  }

  /// Pad in constant (zero), reflect or edge mode.
  mutating func addPad(_ node: Onnx_NodeProto, _ attributes: Attributes) throws {
    let x = node.input[0]
    guard let mode = Selection.PadMode(rawValue: attributes.string("mode") ?? "constant") else {
      throw unsupported(node, reason: "mode '\(attributes.string("mode") ?? "")'")
    }
    var pads: [Int]
    var value = 0.0
    if opset < 11 {
      pads = attributes.ints("pads") ?? attributes.ints("paddings") ?? []
      value = try attributes.float("value", default: 0)
    } else {
      pads = try constant(node.input[1], of: node).integers
      if let given = try optionalConstant(node, 2) { value = given.values.first ?? 0 }
      if let axes = try optionalConstant(node, 3)?.integers {
        guard let rank = shapes[x]?.count, pads.count == 2 * axes.count else {
          throw unsupported(node, reason: "pads for chosen axes of a value whose rank is not known when the model is loaded")
        }
        var full = [Int](repeating: 0, count: 2 * rank)
        for (i, a) in axes.enumerated() {
          let axis = a < 0 ? a + rank : a
          guard axis >= 0, axis < rank else { throw ModelError("node '\(node.name)' (Pad): axis \(a) is out of range") }
          (full[axis], full[axis + rank]) = (pads[i], pads[i + axes.count])
        }
        pads = full
      }
    }
    guard mode == .constant, value != 0 else {
      return emit(node, .select(.pad(pads: pads, mode: mode)), inputs: [x])
    }
    // Padding with c ≠ 0: zero padding, then c added where the padding is. That constant has
    // the padded shape, so the network is specific to the input shape.
    guard let shape = shapes[x] else {
      throw unsupported(node, reason: "constant padding with \(value) of a value whose shape is not known when the model is loaded")
    }
    let (map, padded) = try Selection.pad(pads: pads, mode: .constant).map(for: shape)
    let zeroPadded = emitIntermediate(node, .select(.pad(pads: pads, mode: .constant)), input: x)
    emit(node, .shift(Constant(shape: padded, values: map.indices.map { $0 < 0 ? value : 0 })), inputs: [zeroPadded])
    readsShapes = true
  }

  /// Resize and Upsample in nearest mode with integer scale factors.
  mutating func addResize(_ node: Onnx_NodeProto, _ attributes: Attributes) throws {
    let x = node.input[0]
    let mode = attributes.string("mode") ?? "nearest"
    guard mode == "nearest" else { throw notPiecewiseLinear(node, "interpolates in mode '\(mode)' (only nearest is supported)") }
    var scales: [Double]?
    if node.opType == "Upsample" {
      scales = opset < 9 ? attributes.values["scales"]?.floats.map(Double.init) : try constant(node.input[1], of: node).values
    } else {
      let transform = attributes.string("coordinate_transformation_mode") ?? "half_pixel"
      let nearest = attributes.string("nearest_mode") ?? "round_prefer_floor"
      // With integer factors these all read input ⌊o / factor⌋.
      guard (transform == "asymmetric" && nearest == "floor")
              || (["half_pixel", "pytorch_half_pixel"].contains(transform) && ["round_prefer_floor", "round_prefer_ceil"].contains(nearest)) else {
        throw unsupported(node, reason: "coordinate_transformation_mode '\(transform)' with nearest_mode '\(nearest)'")
      }
      if opset < 11 {
        scales = try constant(node.input[1], of: node).values
      } else if let given = try optionalConstant(node, 2), given.count > 0 {
        scales = given.values
      } else if let sizes = try optionalConstant(node, 3)?.integers {
        guard let shape = shapes[x], shape.count == sizes.count else {
          throw unsupported(node, reason: "sizes for a value whose shape is not known when the model is loaded")
        }
        scales = zip(sizes, shape).map { Double($0) / Double($1) }
      }
    }
    guard let scales, let factors = Optional(scales.map { Int($0) }), zip(scales, factors).allSatisfy({ $0 == Double($1) && $1 >= 1 }) else {
      throw unsupported(node, reason: "scales \(scales ?? []) (only integer upscaling is supported)")
    }
    emit(node, .select(.upsample(factors: factors)), inputs: [x])
  }

  /// Max, Min and Sum of several operands, as additions and ReLUs: `max(a, b) = a + relu(b − a)`
  /// and `min(a, b) = a − relu(a − b)`, folded from the left. The ReLU's choice records which
  /// operand wins; on a tie the earlier one does (ReLU at 0 is inactive).
  mutating func addMaxMinSum(_ node: Onnx_NodeProto, _ operands: [String]) throws {
    var result = operands[0]
    for (k, operand) in operands.enumerated().dropFirst() {
      let last = k == operands.count - 1
      let output = last ? [node.output[0]] : nil
      let name = k == 1 ? nil : "\(node.name.isEmpty ? node.output[0] : node.name)#\(k)"
      switch node.opType {
      case "Sum":
        result = try combine(node, result, operand, subtract: false, output: output, name: name)
      case "Max":
        let difference = try combine(node, operand, result, subtract: true, output: nil, name: name)
        let winner = emitIntermediate(node, .relu, inputs: [difference], name: name)
        result = try combine(node, result, winner, subtract: false, output: output, name: name)
      default:
        let difference = try combine(node, result, operand, subtract: true, output: nil, name: name)
        let excess = emitIntermediate(node, .relu, inputs: [difference], name: name)
        result = try combine(node, result, excess, subtract: true, output: output, name: name)
      }
    }
    if operands.count == 1 { emit(node, .reshape(.identity), inputs: [result]) }
  }

  /// `a + b` or `a − b` where either may be a constant; writes `output` (or a fresh value).
  mutating func combine(_ node: Onnx_NodeProto, _ a: String, _ b: String, subtract: Bool, output: [String]?, name: String?) throws -> String {
    func write(_ operation: Operation, _ inputs: [String]) -> String {
      if let output {
        emit(node, operation, inputs: inputs, outputs: output, name: name)
        return output[0]
      }
      return emitIntermediate(node, operation, inputs: inputs, name: name)
    }
    switch (variables.contains(a), variables.contains(b)) {
    case (true, true):
      return write(subtract ? .subtract : .add, [a, b])
    case (true, false):
      let c = try constant(b, of: node)
      return write(.shift(subtract ? c.negated() : c), [a])
    case (false, true):
      let c = try constant(a, of: node)
      let negated = subtract ? emitIntermediate(node, .scale(Constant(scalar: -1)), inputs: [b], name: name) : b
      return write(.shift(c), [negated])
    case (false, false):
      throw unsupported(node, reason: "two constant operands")
    }
  }

  mutating func addBatchNorm(_ node: Onnx_NodeProto, _ attributes: Attributes) throws {
    if attributes.int("training_mode", default: 0) != 0 { throw unsupported(node, reason: "training mode") }
    if node.output.count > 1, node.output.dropFirst().contains(where: { !$0.isEmpty }) { throw unsupported(node, reason: "running statistics outputs") }
    let gamma = try constant(node.input[1], of: node).float32
    let beta = try constant(node.input[2], of: node).float32
    let mean = try constant(node.input[3], of: node).float32
    let variance = try constant(node.input[4], of: node).float32
    let epsilon = Float(try attributes.float("epsilon", default: 1e-5))
    guard Set([gamma.count, beta.count, mean.count, variance.count]).count == 1 else {
      throw ModelError("node '\(node.name)' (BatchNormalization): parameter sizes differ")
    }
    // Folded once in float32, as the runtime folds it: s = γ / sqrt(var + ε), t = β − μ·s.
    var scale = [Float](repeating: 0, count: gamma.count)
    var shift = scale
    for c in gamma.indices {
      guard variance[c] + epsilon > 0 else { throw ModelError("node '\(node.name)' (BatchNormalization): variance + epsilon is not positive in channel \(c)") }
      scale[c] = gamma[c] / (variance[c] + epsilon).squareRoot()
      shift[c] = beta[c] - mean[c] * scale[c]
      guard scale[c].isFinite, shift[c].isFinite else {
        throw ModelError("node '\(node.name)' (BatchNormalization): channel \(c) folds to scale \(scale[c]) and shift \(shift[c]) in float32, not finite numbers")
      }
    }
    emit(node, .channelAffine(scale: Constant(shape: [gamma.count], float32: scale), shift: Constant(shape: [gamma.count], float32: shift)), inputs: [node.input[0]])
  }

  mutating func addEmbedding(_ node: Onnx_NodeProto, _ attributes: Attributes, tokenInput: String?) throws {
    guard let tokenInput, node.input.count == 2, node.input[1] == tokenInput, embedding == nil else {
      throw unsupported(node, reason: "Gather is supported only as the embedding lookup of integer token ids at the input")
    }
    let table = try constant(node.input[0], of: node)
    guard attributes.int("axis", default: 0) == 0, table.shape.count == 2 else {
      throw unsupported(node, reason: "an embedding table of shape \(table.shape) gathered on axis \(attributes.int("axis", default: 0))")
    }
    embedding = Embedding(table: table, outputName: node.output[0])
    variables.insert(node.output[0])
    if let tokens = shapes[tokenInput], let count = (tokens + [table.shape[1]]).elementCount, count <= Self.trackedElements {
      shapes[node.output[0]] = tokens + [table.shape[1]]
    }
  }

  /// RNN with Relu: forward, reverse (the forward recurrence on the time-reversed input, its
  /// outputs reversed back) or bidirectional (both, concatenated as ONNX lays them out).
  mutating func addRNN(_ node: Onnx_NodeProto, _ attributes: Attributes) throws {
    let direction = attributes.string("direction") ?? "forward"
    let directions = direction == "bidirectional" ? 2 : 1
    guard ["forward", "reverse", "bidirectional"].contains(direction) else { throw unsupported(node, reason: "direction \(direction)") }
    let activations = attributes.strings("activations") ?? Array(repeating: "Tanh", count: directions)
    guard activations == Array(repeating: "Relu", count: directions) else {
      throw notPiecewiseLinear(node, "uses activations \(activations) (only Relu is piecewise linear)")
    }
    guard !attributes.has("clip"), attributes.int("layout", default: 0) == 0 else { throw unsupported(node, reason: "clip or layout 1") }
    if node.input.count > 4, !node.input[4].isEmpty { throw unsupported(node, reason: "sequence_lens") }
    let w = try constant(node.input[1], of: node)
    let r = try constant(node.input[2], of: node)
    let hidden = attributes.int("hidden_size", default: r.shape.last ?? 0)
    guard w.shape.count == 3, w.shape[0] == directions, r.shape == [directions, hidden, hidden] else {
      throw ModelError("node '\(node.name)' (RNN): weights of shapes \(w.shape) and \(r.shape) do not fit \(directions) direction(s) of hidden size \(hidden)")
    }
    let bias = try optionalConstant(node, 3)
    if let bias, bias.count != directions * 2 * hidden {
      throw ModelError("node '\(node.name)' (RNN): bias of shape \(bias.shape), expected [\(directions), \(2 * hidden)]")
    }
    let initial = try optionalConstant(node, 5)
    if let initial, initial.count % directions != 0 {
      throw ModelError("node '\(node.name)' (RNN): initial state of shape \(initial.shape) for \(directions) direction(s)")
    }
    func part(_ c: Constant, _ d: Int, count: Int) -> [Double] { Array(c.values[(d * count)..<((d + 1) * count)]) }
    func recurrence(_ d: Int) -> Recurrence {
      let features = w.shape[2]
      let b = bias.map { part($0, d, count: 2 * hidden) }
      let h0 = initial.map { c in Constant(shape: [1] + c.shape.dropFirst(), values: part(c, d, count: c.count / directions)) }
      return Recurrence(
        inputWeight: Constant(shape: [hidden, features], values: part(w, d, count: hidden * features)),
        recurrentWeight: Constant(shape: [hidden, hidden], values: part(r, d, count: hidden * hidden)),
        inputBias: b.map { Constant(shape: [hidden], values: Array($0[..<hidden])) },
        recurrentBias: b.map { Constant(shape: [hidden], values: Array($0[hidden...])) },
        initialState: h0, hiddenSize: hidden)
    }
    var outputs = node.output.map { $0 }
    while outputs.count < 2 { outputs.append("") }
    for i in outputs.indices where outputs[i].isEmpty { fresh += 1; outputs[i] = "\(node.name)/unused.\(fresh)" }
    let name = node.name.isEmpty ? outputs[0] : node.name
    if direction == "forward" {
      return emit(node, .rnn(recurrence(0)), inputs: [node.input[0]], outputs: Array(outputs.prefix(2)))
    }
    fresh += 1
    let forwardOutputs = ["\(outputs[0])/explaincert.forward.\(fresh)", "\(outputs[1])/explaincert.forward.\(fresh)"]
    let backwardOutputs = ["\(outputs[0])/explaincert.reverse.\(fresh)", "\(outputs[1])/explaincert.reverse.\(fresh)"]
    if directions == 2 {
      emit(node, .rnn(recurrence(0)), inputs: [node.input[0]], outputs: forwardOutputs, name: name)
    }
    // The backward direction: the forward recurrence over the reversed sequence, its outputs
    // reversed back.
    let reversedInput = emitIntermediate(node, .select(.reverse(axis: 0)), input: node.input[0])
    emit(node, .rnn(recurrence(directions - 1)), inputs: [reversedInput], outputs: backwardOutputs, name: directions == 2 ? name + "#reverse" : name)
    if directions == 1 {
      emit(node, .select(.reverse(axis: 0)), inputs: [backwardOutputs[0]], outputs: [outputs[0]])
      emit(node, .reshape(.identity), inputs: [backwardOutputs[1]], outputs: [outputs[1]])
      return
    }
    let backwardY = emitIntermediate(node, .select(.reverse(axis: 0)), input: backwardOutputs[0])
    emit(node, .concat(axis: 1), inputs: [forwardOutputs[0], backwardY], outputs: [outputs[0]])
    emit(node, .concat(axis: 0), inputs: [forwardOutputs[1], backwardOutputs[1]], outputs: [outputs[1]])
  }

  /// Evaluates a node whose inputs are all constants: shape arithmetic exactly, anything else in
  /// float32 as a runtime folds it.
  mutating func fold(_ node: Onnx_NodeProto, _ attributes: Attributes) throws {
    let present = node.input.filter { !$0.isEmpty }
    guard let first = present.first, let x = constants[first] else {
      throw unsupported(node, reason: "a node without inputs")
    }
    let operands = node.input.map { $0.isEmpty ? nil : constants[$0] }
    let integer = node.input.map { integerValued.contains($0) }
    if let (value, isInteger) = try ShapeArithmetic.fold(node, operands, integer: integer, attributes: attributes, opset: opset) {
      guard value.values.allSatisfy(\.isFinite) else {
        throw ModelError("node '\(node.name)' (\(node.opType)) folds its constant inputs to a value that is not finite")
      }
      constants[node.output[0]] = value
      if isInteger { integerValued.insert(node.output[0]) }
      return
    }
    // Everything else: evaluate the node with the float core on the constant as its input.
    var scratch = Importer(opset: opset)
    scratch.constants = constants
    scratch.variables = [first]
    scratch.constants[first] = nil
    try scratch.add(node, tokenInput: nil)
    let network = Network(inputName: first, inputShape: x.shape.map { .fixed($0) }, embedding: nil, nodes: scratch.nodes,
                          outputNames: [node.output[0]], parameterCount: 0, opsetVersion: opset, producer: "")
    let plan = try Plan(network, inputShape: x.shape)
    let input = DenseTensor<Float>(shape: [1] + x.shape, elements: x.float32)
    guard let result = plan.evaluate(input).outputs[node.output[0]] else {
      throw unsupported(node, reason: "folding it over constants")
    }
    guard result.elements.allSatisfy(\.isFinite) else {
      throw ModelError("node '\(node.name)' (\(node.opType)) folds its constant inputs to a value that is not finite in float32")
    }
    constants[node.output[0]] = Constant(shape: Array(result.shape.dropFirst()), float32: Array(result.elements))
  }
}
