import ONNXProtobuf

/// The shape arithmetic that exporters write around the real layers (`x.view(x.size(0), -1)`,
/// an RNN's zero initial state, padding amounts), evaluated on constants at load time.
///
/// `Shape` of a value whose shape the importer knows is a constant; these operators then fold
/// everything computed from it. Integers stay exact (shapes, indices, axes; 64-bit sentinels such
/// as `INT64_MAX` in Slice's ends saturate); float constants that pass through are kept as they
/// are (Cast to a float type rounds to float32).
enum ShapeArithmetic {
  /// The folded value of `node` on constant inputs, and whether it is integer-valued; nil for an
  /// operator this does not evaluate (the importer then folds it with the float core).
  static func fold(_ node: Onnx_NodeProto, _ inputs: [Constant?], integer: [Bool], attributes: Attributes, opset: Int) throws -> (Constant, Bool)? {
    func input(_ i: Int) throws -> Constant {
      guard i < inputs.count, let value = inputs[i] else { throw ModelError("node '\(node.name)' (\(node.opType)) lacks input \(i)") }
      return value
    }
    let isInteger = integer.first ?? false
    switch node.opType {
    case "ConstantOfShape":
      let shape = try input(0).integers
      guard shape.allSatisfy({ $0 >= 0 }), let count = shape.elementCount, count <= Plan.maximumElements else {
        throw ModelError("node '\(node.name)' (ConstantOfShape): shape \(shape) is not a valid size")
      }
      var value = 0.0, valueIsInteger = false
      if let tensor = attributes.tensor("value") {
        let c = try Constant(tensor)
        guard c.count == 1 else { throw ModelError("node '\(node.name)' (ConstantOfShape): value must have one element") }
        value = c.values[0]
        valueIsInteger = tensor.dataType != Onnx_TensorProto.DataType.float.rawValue && tensor.dataType != Onnx_TensorProto.DataType.double.rawValue
      }
      return (Constant(shape: shape, values: Array(repeating: value, count: count)), valueIsInteger)
    case "Gather":
      let (data, indices) = (try input(0), try input(1))
      let axis = try normalized(attributes.int("axis", default: 0), rank: data.shape.count, node)
      let size = data.shape[axis]
      let picks = try indices.integers.map { i -> Int in
        let j = i < 0 ? i + size : i
        guard j >= 0, j < size else { throw ModelError("node '\(node.name)' (Gather): index \(i) is out of range for size \(size)") }
        return j
      }
      let outer = data.shape[..<axis].reduce(1, *), inner = data.shape[(axis + 1)...].reduce(1, *)
      var values: [Double] = []
      for o in 0..<outer {
        for p in picks { values += data.values[((o * size + p) * inner)..<((o * size + p + 1) * inner)] }
      }
      let shape = Array(data.shape[..<axis]) + indices.shape + Array(data.shape[(axis + 1)...])
      return (Constant(shape: shape, values: values), isInteger)
    case "Concat":
      let parts = try inputs.indices.map(input)
      guard let first = parts.first else { return nil }
      let axis = try normalized(attributes.int("axis", default: 0), rank: first.shape.count, node)
      guard parts.allSatisfy({ $0.shape.count == first.shape.count && $0.shape.enumerated().allSatisfy { $0.offset == axis || $0.element == first.shape[$0.offset] } }) else {
        throw ModelError("node '\(node.name)' (Concat): cannot concatenate shapes \(parts.map(\.shape)) on axis \(axis)")
      }
      let outer = first.shape[..<axis].reduce(1, *)
      var values: [Double] = []
      for o in 0..<outer {
        for part in parts {
          let block = part.shape[axis...].reduce(1, *)
          values += part.values[(o * block)..<((o + 1) * block)]
        }
      }
      var shape = first.shape
      shape[axis] = parts.reduce(0) { $0 + $1.shape[axis] }
      return (Constant(shape: shape, values: values), integer.allSatisfy { $0 })
    case "Unsqueeze", "Squeeze", "Reshape", "Flatten", "Identity", "Dropout":
      let x = try input(0)
      let rule: ShapeRule
      switch node.opType {
      case "Reshape": rule = .reshape(try input(1).integers, allowZero: attributes.int("allowzero", default: 0) != 0)
      case "Flatten": rule = .flatten(axis: attributes.int("axis", default: 1))
      case "Unsqueeze": rule = .unsqueeze(inputs.count > 1 ? try input(1).integers : attributes.ints("axes") ?? [])
      case "Squeeze": rule = .squeeze(inputs.count > 1 ? try input(1).integers : attributes.ints("axes") ?? [])
      default: rule = .identity
      }
      return (x.reshaped(try rule.outputShape(for: x.shape)), isInteger)
    case "Cast":
      let x = try input(0)
      let to = attributes.int("to", default: 1)
      typealias DataType = Onnx_TensorProto.DataType
      switch to {
      case DataType.float.rawValue: return (Constant(shape: x.shape, float32: x.float32), false)
      case DataType.double.rawValue: return (x, false)
      case DataType.bool.rawValue: return (Constant(shape: x.shape, values: x.values.map { $0 != 0 ? 1 : 0 }), true)
      default: return (Constant(shape: x.shape, values: x.values.map { $0.rounded(.towardZero) }), true)
      }
    case "Shape":
      let x = try input(0)
      return (try shapeConstant(x.shape, attributes), true)
    case "Range":
      let (start, limit, delta) = (try input(0).values[0], try input(1).values[0], try input(2).values[0])
      guard delta != 0 else { throw ModelError("node '\(node.name)' (Range): delta 0") }
      let count = max(Int(((limit - start) / delta).rounded(.up)), 0)
      guard count <= Plan.maximumElements else { throw ModelError("node '\(node.name)' (Range): \(count) elements") }
      return (Constant(shape: [count], values: (0..<count).map { start + Double($0) * delta }), isInteger)
    case "Equal", "Where", "Add", "Sub", "Mul", "Div", "Max", "Min":
      // Elementwise on integers only (float arithmetic is the float core's, rounded as it rounds).
      guard integer.allSatisfy({ $0 }) || node.opType == "Where" && integer.dropFirst().allSatisfy({ $0 }) else { return nil }
      let operands = try inputs.indices.map(input)
      let shape = try operands.dropFirst().reduce(operands[0].shape) { try broadcastShape($0, $1.shape, node) }
      let count = shape.reduce(1, *)
      let columns = try operands.map { try broadcast($0, to: shape) }
      let values = try (0..<count).map { e -> Double in
        let v = columns.map { $0.values[$0.index(of: e)] }
        switch node.opType {
        case "Equal": return v[0] == v[1] ? 1 : 0
        case "Where": return v[0] != 0 ? v[1] : v[2]
        case "Add": return v[0] + v[1]
        case "Sub": return v[0] - v[1]
        case "Mul": return v[0] * v[1]
        case "Max": return v.max()!
        case "Min": return v.min()!
        default:
          guard v[1] != 0 else { throw ModelError("node '\(node.name)' (Div): integer division by zero") }
          return (v[0] / v[1]).rounded(.towardZero)
        }
      }
      return (Constant(shape: shape, values: values), true)
    case "Expand":
      let (x, target) = (try input(0), try input(1).integers)
      let (map, shape) = try Selection.expand(shape: target).map(for: x.shape)
      return (Constant(shape: shape, values: map.indices.map { x.values[Int($0)] }), isInteger)
    case "Slice":
      let x = try input(0)
      let selection = try slice(node, inputs.count > 1 ? inputs.dropFirst().map { $0?.integers } : nil, attributes, rank: x.shape.count, opset: opset)
      let (map, shape) = try selection.map(for: x.shape)
      return (Constant(shape: shape, values: map.indices.map { x.values[Int($0)] }), isInteger)
    default:
      return nil
    }
  }

  /// The Shape operator's value for a known shape (with opset 15's `start`/`end`).
  static func shapeConstant(_ shape: [Int], _ attributes: Attributes) throws -> Constant {
    let rank = shape.count
    func clamp(_ i: Int) -> Int { min(max(i < 0 ? i + rank : i, 0), rank) }
    let start = clamp(attributes.int("start", default: 0)), end = clamp(attributes.int("end", default: rank))
    let dims = start < end ? Array(shape[start..<end]) : []
    return Constant(shape: [dims.count], values: dims.map(Double.init))
  }

  /// A Slice node's selection: starts, ends, axes, steps from inputs (opset ≥ 10) or attributes.
  static func slice(_ node: Onnx_NodeProto, _ operands: [[Int]?]?, _ attributes: Attributes, rank: Int, opset: Int) throws -> Selection {
    let starts: [Int], ends: [Int], axes: [Int]?, steps: [Int]?
    if opset >= 10 {
      guard let operands, operands.count >= 2, let s = operands[0], let e = operands[1] else {
        throw ModelError("node '\(node.name)' (Slice): starts and ends must be constants")
      }
      (starts, ends) = (s, e)
      axes = operands.count > 2 ? operands[2] : nil
      steps = operands.count > 3 ? operands[3] : nil
    } else {
      starts = attributes.ints("starts") ?? []
      ends = attributes.ints("ends") ?? []
      axes = attributes.ints("axes")
      steps = nil
    }
    return .slice(starts: starts, ends: ends, axes: axes ?? Array(0..<starts.count), steps: steps ?? starts.map { _ in 1 })
  }

  static func normalized(_ axis: Int, rank: Int, _ node: Onnx_NodeProto) throws -> Int {
    let a = axis < 0 ? axis + rank : axis
    guard a >= 0, a < max(rank, 1) else { throw ModelError("node '\(node.name)' (\(node.opType)): axis \(axis) is out of range for rank \(rank)") }
    return a
  }

  /// NumPy's broadcast of two shapes.
  static func broadcastShape(_ a: [Int], _ b: [Int], _ node: Onnx_NodeProto) throws -> [Int] {
    let rank = max(a.count, b.count)
    let (x, y) = (Array(repeating: 1, count: rank - a.count) + a, Array(repeating: 1, count: rank - b.count) + b)
    return try zip(x, y).map { p, q in
      guard p == q || p == 1 || q == 1 else { throw ModelError("node '\(node.name)' (\(node.opType)): shapes \(a) and \(b) do not broadcast") }
      return p == 1 ? q : p
    }
  }
}
