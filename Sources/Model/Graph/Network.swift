/// A network as a graph of resolved operations, in topological order.
///
/// The graph has one variable input. Models whose input is a sequence of token ids start with an
/// ``Embedding`` lookup; the piecewise-linear body then reads the embedding vectors, which are the
/// input space of its explanations.
public struct Network: Sendable {
  /// One node: an operation, the names of the values it reads and the names it writes.
  public struct Node: Sendable {
    public var name: String
    /// The ONNX operator type the node came from (`Gemm`, `BatchNormalization`, ...).
    public var sourceOperator: String
    public var operation: Operation
    public var inputs: [String]
    public var outputs: [String]
  }

  /// The input as the model file declares it.
  public var inputName: String
  public var inputShape: [Dimension]
  /// Whether the declared input is integer token ids (the model starts with an ``Embedding``).
  public var embedding: Embedding?
  public var nodes: [Node]
  /// The names of the graph's outputs.
  public var outputNames: [String]
  /// Number of scalar parameters in the file (initializers and constants).
  public var parameterCount: Int
  /// The opset the file was exported with.
  public var opsetVersion: Int
  /// Name of the producing tool, as the file says.
  public var producer: String
  /// The file the network was read from, if any: errors found later (a shape that does not fit)
  /// name it.
  public var file: String?
  /// The lowercase hexadecimal SHA-256 that identifies the model: of its file's bytes, followed
  /// by those of its external data files in the order of their names, if it has any.
  public var sha256 = ""
  /// Whether the model declares a float64 input (it then computes in float64; float32 otherwise).
  public var isFloat64 = false
  /// The model as read, when importing it folded shape arithmetic (`Shape`) for one input
  /// shape: a plan for another shape imports it again (``specialized(toBodyShape:)``).
  var shapeSpecific: ShapeSpecificSource?

  /// The node that writes a value, if any.
  public func producer(of value: String) -> Node? {
    nodes.first { $0.outputs.contains(value) }
  }

  /// The name of the value the piecewise-linear body starts from.
  public var bodyInputName: String { embedding?.outputName ?? inputName }

  /// The output links (Softmax, Sigmoid) at the end of the graph, by the output they produce.
  public var links: [(output: String, input: String, link: OutputLink)] {
    nodes.compactMap { node in
      if case .link(let link) = node.operation { return (node.outputs[0], node.inputs[0], link) }
      return nil
    }
  }

  /// Whether the body is piecewise linear (every operation affine or piecewise linear), and if
  /// not, why.
  public var piecewiseLinearity: (isPiecewiseLinear: Bool, reason: String) {
    let links = self.links
    if links.isEmpty {
      return (true, "every operation is affine or piecewise linear")
    }
    let names = Set(links.map(\.link.name)).sorted().joined(separator: ", ")
    return (true, "piecewise linear up to the output link (\(names)), which explanations exclude")
  }
}

/// A token-id input mapped through an embedding table (ONNX `Gather` on axis 0).
public struct Embedding: Sendable {
  /// [vocabulary, width].
  public var table: Constant
  /// The value the lookup writes: the body's input.
  public var outputName: String
  public var vocabularySize: Int { table.shape[0] }
  public var width: Int { table.shape[1] }
}
