import ONNXProtobuf

/// A node's attributes by name, with typed accessors that name the node in their errors.
struct Attributes {
  let values: [String: Onnx_AttributeProto]
  let node: String

  init(_ node: Onnx_NodeProto) {
    values = Dictionary(node.attribute.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    self.node = node.name
  }

  func has(_ name: String) -> Bool { values[name] != nil }

  func int(_ name: String, default value: Int) -> Int {
    values[name].map { Int($0.i) } ?? value
  }

  func ints(_ name: String) -> [Int]? {
    values[name].map { $0.ints.map(Int.init) }
  }

  /// A float attribute, as the float32 the runtime uses, kept exactly.
  func float(_ name: String, default value: Float) throws -> Double {
    let result = values[name].map { $0.f } ?? value
    guard result.isFinite else { throw ModelError("node '\(node)': attribute '\(name)' is \(result), not a finite number") }
    return Double(result)
  }

  func string(_ name: String) -> String? {
    values[name].map { String(decoding: $0.s, as: UTF8.self) }
  }

  func strings(_ name: String) -> [String]? {
    values[name].map { $0.strings.map { String(decoding: $0, as: UTF8.self) } }
  }

  func tensor(_ name: String) -> Onnx_TensorProto? {
    values[name]?.hasT == true ? values[name]!.t : nil
  }

  /// A sliding window's attributes (Conv, MaxPool, AveragePool), one entry per spatial axis.
  func window(kernel: [Int]?) throws -> Window {
    let kernel = kernel ?? ints("kernel_shape") ?? []
    guard !kernel.isEmpty else { throw ModelError("node '\(node)': no kernel_shape") }
    let rank = kernel.count
    let autoPad: Window.AutoPad
    switch string("auto_pad") ?? "NOTSET" {
    case "NOTSET", "": autoPad = .notSet
    case "SAME_UPPER": autoPad = .sameUpper
    case "SAME_LOWER": autoPad = .sameLower
    case "VALID": autoPad = .valid
    case let other: throw ModelError("unknown auto_pad '\(other)'")
    }
    return Window(
      kernel: kernel,
      strides: ints("strides") ?? Array(repeating: 1, count: rank),
      dilations: ints("dilations") ?? Array(repeating: 1, count: rank),
      pads: ints("pads") ?? Array(repeating: 0, count: 2 * rank),
      autoPad: autoPad,
      ceilMode: int("ceil_mode", default: 0) != 0)
  }
}
