import DataIO

/// A network specialized to one concrete input shape: every value's shape is known and every
/// index map (im2col, pooling windows, transposes) is computed once.
public struct Plan: Sendable {
  public let network: Network
  /// The shape of the body's input (the embedding vectors for token models).
  public let inputShape: [Int]
  /// The shape of every value, without the leading copies dimension.
  public let shapes: [String: [Int]]
  /// The piecewise-linear sites, in evaluation order.
  public let sites: [PatternSite]
  /// The names of the body's outputs: graph outputs that no link computes, and links' inputs.
  public let bodyOutputNames: [String]
  let steps: [Step]
  /// Where an evaluation keeps the values: numbered slots instead of names.
  let storage: Storage

  /// Resolves shapes and index maps for a body input of the given shape.
  public init(_ network: Network, inputShape: [Int]) throws {
    do {
      try self.init(resolving: network, inputShape: inputShape)
    } catch let error as ModelError {
      // A shape that does not fit is the model's problem (or its input's): name the model.
      guard let file = network.file, !error.message.hasPrefix(file) else { throw error }
      throw error.inFile(file)
    }
  }

  private init(resolving network: Network, inputShape: [Int]) throws {
    let network = try network.specialized(toBodyShape: inputShape)
    self.network = network
    self.inputShape = inputShape
    try Self.checkSize(inputShape, of: "the input")
    var shapes = [network.bodyInputName: inputShape]
    var steps: [Step] = []
    var sites: [PatternSite] = []
    for node in network.nodes {
      let inputShapes = try node.inputs.map { name -> [Int] in
        guard let shape = shapes[name] else {
          throw ModelError("node '\(node.name)' (\(node.sourceOperator)) reads '\(name)', which nothing computes")
        }
        return shape
      }
      do {
        let (step, outputShapes, site) = try Step.resolve(node, inputShapes: inputShapes)
        for (name, shape) in zip(node.outputs, outputShapes) {
          try Self.checkSize(shape, of: "output '\(name)'")
          shapes[name] = shape
        }
        if let site { sites.append(site) }
        steps.append(step)
      } catch let error as ModelError {
        throw ModelError("node '\(node.name)' (\(node.sourceOperator)): \(error.message)")
      }
    }
    self.shapes = shapes
    self.sites = sites
    var lastUses: [String: Int] = [:]
    for (index, node) in network.nodes.enumerated() {
      for name in node.inputs { lastUses[name] = index }
    }
    let links = network.links
    var names: [String] = []
    for name in network.outputNames {
      let source = links.first { $0.output == name }?.input ?? name
      if !names.contains(source) { names.append(source) }
    }
    bodyOutputNames = names
    self.steps = Self.fusingBiases(steps, network.nodes, lastUses: lastUses, kept: Set(names))
    storage = Storage(network, shapes: shapes, lastUses: lastUses, kept: names)
  }

  /// The most elements one value of one input may have (2^31: 8 GiB of float32). Every shape is
  /// checked against it as it is resolved, so no later size computation can overflow.
  public static let maximumElements = 1 << 31

  /// Throws when a shape has a negative dimension or more than ``maximumElements`` elements.
  static func checkSize(_ shape: [Int], of what: String) throws {
    guard shape.allSatisfy({ $0 >= 0 }) else { throw ModelError("\(what) has a negative dimension in \(shape)") }
    guard let count = shape.elementCount, count <= maximumElements else {
      throw ModelError("\(what) of shape \(shape) has more than \(maximumElements) elements per input, more than ExplainCert can hold")
    }
  }

  /// The values of an evaluation in numbered slots: the body input's, each node's inputs and
  /// outputs, the slots a node is the last reader of (freed after it, unless kept), and the
  /// kept values (the body's outputs) with their names.
  struct Storage: Sendable {
    let count: Int
    let input: Int
    let inputs: [[Int]]
    let outputs: [[Int]]
    /// The shape of each node's first output, without the leading copies dimension.
    let outputShapes: [[Int]]
    let released: [[Int]]
    let kept: [(name: String, slot: Int)]

    init(_ network: Network, shapes: [String: [Int]], lastUses: [String: Int], kept names: [String]) {
      var slots = [network.bodyInputName: 0]
      func slot(_ name: String) -> Int {
        if let slot = slots[name] { return slot }
        slots[name] = slots.count
        return slots.count - 1
      }
      input = 0
      inputs = network.nodes.map { $0.inputs.map(slot) }
      outputs = network.nodes.map { $0.outputs.map(slot) }
      outputShapes = network.nodes.map { shapes[$0.outputs[0]]! }
      let keep = Set(names)
      released = network.nodes.enumerated().map { index, node in
        node.inputs.filter { lastUses[$0] == index && !keep.contains($0) }.map(slot)
      }
      kept = names.map { ($0, slot($0)) }
      count = slots.count
    }
  }

  /// A product without bias (MatMul, Gemm without C) whose only reader is the next node, a
  /// constant shift (ONNX `Add` of a bias), becomes one dense step with that bias, and the shift
  /// a pass-through: the same affine map, in one pass over the output (the product's own value,
  /// read by nothing else and not an output of the body, is never observed without the bias).
  static func fusingBiases(_ steps: [Step], _ nodes: [Network.Node], lastUses: [String: Int], kept: Set<String>) -> [Step] {
    var steps = steps
    for i in steps.indices.dropLast() {
      guard case .dense(let weight, nil) = steps[i], case .shift(let offset) = steps[i + 1] else { continue }
      let (node, next) = (nodes[i], nodes[i + 1])
      guard node.outputs.count == 1, next.inputs == node.outputs, next.outputs.count == 1,
            lastUses[node.outputs[0]] == i + 1, !kept.contains(node.outputs[0]) else { continue }
      steps[i] = .dense(weight: weight, bias: offset)
      steps[i + 1] = .passThrough
    }
    return steps
  }

  /// The shape of a value.
  public func shape(of value: String) -> [Int]? { shapes[value] }

  /// Number of scalar inputs of the body: the dimension of the explanation's input space.
  public var inputCount: Int { inputShape.reduce(1, *) }
}

/// A node with everything its evaluation needs at a concrete shape.
enum Step: Sendable {
  case dense(weight: Constant, bias: Broadcast?)
  case leftDense(weight: Constant, toRows: IndexMap, back: IndexMap, rowsShape: [Int])
  case conv(groups: [(patches: IndexMap, patchesShape: [Int], weight: Constant)], toChannels: IndexMap, outShape: [Int], bias: Broadcast?)
  case scale(Broadcast), divide(Broadcast), shift(Broadcast)
  case affine(scale: Broadcast, shift: Broadcast)
  case add, subtract
  case pool(windows: IndexMap, window: Int, ones: Constant, counts: Broadcast, outShape: [Int])
  case reshape([Int])
  /// The input unchanged (a shift already applied by the dense step before it).
  case passThrough
  case gather(IndexMap, [Int])
  case concat(blockSizes: [Int], shape: [Int])
  case elementwise(breakpoints: [Broadcast], pieces: [Piece])
  case maxPool(windows: IndexMap, window: Int, outShape: [Int])
  case rnn(RNNStep)
  case link

  /// The resolved step, the output shapes, and the pattern site if the node has one.
  static func resolve(_ node: Network.Node, inputShapes: [[Int]]) throws -> (Step, [[Int]], PatternSite?) {
    let shape = inputShapes.first ?? []
    func site(_ kind: PatternSite.Kind, _ shape: [Int]) -> PatternSite {
      PatternSite(node: node.name, kind: kind, shape: shape)
    }
    func elementwise(_ breakpoints: [Broadcast], _ pieces: [Piece]) -> (Step, [[Int]], PatternSite?) {
      (.elementwise(breakpoints: breakpoints, pieces: pieces), [shape],
       site(.elementwise(breakpoints: breakpoints, pieces: pieces, name: node.sourceOperator), shape))
    }
    switch node.operation {
    case .dense(let weight, let bias):
      guard let last = shape.last, last == weight.shape[1] else {
        throw ModelError("input shape \(shape) does not match weight shape \(weight.shape)")
      }
      let out = Array(shape.dropLast()) + [weight.shape[0]]
      return (.dense(weight: weight, bias: try bias.map { try broadcast($0, to: out) }), [out], nil)
    case .leftDense(let weight):
      guard shape.count == 1 || shape.count == 2, shape[0] == weight.shape[1] else {
        throw ModelError("input shape \(shape) does not match left operand shape \(weight.shape)")
      }
      if shape.count == 1 { return (.dense(weight: weight, bias: nil), [[weight.shape[0]]], nil) }
      let (rows, _) = try transposeMap(shape, [1, 0])
      let out = [weight.shape[0], shape[1]]
      let (back, _) = try transposeMap([shape[1], weight.shape[0]], [1, 0])
      return (.leftDense(weight: weight, toRows: rows, back: back, rowsShape: [shape[1], shape[0]]), [out], nil)
    case .conv(let conv):
      return try resolveConv(conv, shape)
    case .scale(let c):
      return (.scale(try broadcast(c, to: shape)), [shape], nil)
    case .divide(let c):
      return (.divide(try broadcast(c, to: shape)), [shape], nil)
    case .shift(let c):
      return (.shift(try broadcast(c, to: shape)), [shape], nil)
    case .channelAffine(let scale, let shift):
      guard shape.count >= 2, shape[1] == scale.count else {
        throw ModelError("expects channels on axis 1 of size \(scale.count), got shape \(shape)")
      }
      let inner = shape.dropFirst(2).reduce(1, *)
      return (.affine(scale: Broadcast(scale, inner: inner), shift: Broadcast(shift, inner: inner)), [shape], nil)
    case .add, .subtract:
      guard inputShapes.count == 2, inputShapes[0] == inputShapes[1] else {
        throw ModelError("adds two variable tensors of shapes \(inputShapes.map { $0 }); only equal shapes are supported")
      }
      if case .add = node.operation { return (.add, [shape], nil) }
      return (.subtract, [shape], nil)
    case .averagePool(let window, let countIncludePad):
      return try resolveAveragePool(window, countIncludePad: countIncludePad, shape)
    case .globalAveragePool:
      guard shape.count >= 3 else { throw ModelError("expects an NC… input with spatial axes, got shape \(shape)") }
      let spatial = Array(shape.dropFirst(2))
      let window = Window(kernel: spatial, strides: spatial.map { _ in 1 }, dilations: spatial.map { _ in 1 },
                          pads: Array(repeating: 0, count: 2 * spatial.count), autoPad: .notSet, ceilMode: false)
      return try resolveAveragePool(window, countIncludePad: true, shape)
    case .reduce(let axes, let keepDims, let mean):
      return try resolveReduction(axes: axes, keepDims: keepDims, mean: mean, shape)
    case .select(let selection):
      let (map, out) = try selection.map(for: shape)
      return (.gather(map, out), [out], nil)
    case .reshape(let rule):
      let out = try rule.outputShape(for: shape)
      return (.reshape(out), [out], nil)
    case .transpose(let permutation):
      let (map, out) = try transposeMap(shape, permutation)
      return (.gather(map, out), [out], nil)
    case .concat(let axis):
      let rank = shape.count
      let a = axis < 0 ? axis + rank : axis
      guard a >= 0, a < rank, inputShapes.allSatisfy({ $0.count == rank && zip($0, shape).enumerated().allSatisfy { $0.offset == a || $0.element.0 == $0.element.1 } }) else {
        throw ModelError("cannot concatenate shapes \(inputShapes) on axis \(axis)")
      }
      var out = shape
      out[a] = inputShapes.reduce(0) { $0 + $1[a] }
      let blocks = inputShapes.map { $0[a...].reduce(1, *) }
      return (.concat(blockSizes: blocks, shape: out), [out], nil)
    case .relu:
      return elementwise([Broadcast(scalar: 0)], [.zero, .identity])
    case .leakyRelu(let alpha):
      return elementwise([Broadcast(scalar: 0)], [.scaled(Broadcast(alpha)), .identity])
    case .prelu(let slope):
      return elementwise([Broadcast(scalar: 0)], [.scaled(try broadcast(slope, to: shape)), .identity])
    case .abs:
      return elementwise([Broadcast(scalar: 0)], [.scaled(Broadcast(scalar: -1)), .identity])
    case .clip(let lower, let upper):
      var breakpoints: [Broadcast] = []
      var pieces: [Piece] = []
      if let lower {
        breakpoints.append(Broadcast(scalar: lower))
        pieces.append(.constant(Broadcast(scalar: lower)))
      }
      pieces.append(.identity)
      if let upper {
        breakpoints.append(Broadcast(scalar: upper))
        pieces.append(.constant(Broadcast(scalar: upper)))
      }
      return elementwise(breakpoints, pieces)
    case .maxPool(let window):
      let (windows, size, out) = try poolWindows(window, shape, padding: false)
      // A pattern records the chosen position as one base-36 character.
      guard size <= PatternSite.maximumWindow else {
        throw ModelError("unsupported MaxPool window of \(size) elements: an activation pattern records at most \(PatternSite.maximumWindow) positions per window",
                         limitation: .unsupported)
      }
      return (.maxPool(windows: windows, window: size, outShape: out), [out],
              site(.maxPool(windows: windows, window: size), out))
    case .rnn(let recurrence):
      let step = try RNNStep(recurrence, inputShape: shape)
      return (.rnn(step), [step.outputShape, step.finalStateShape],
              site(.elementwise(breakpoints: [Broadcast(scalar: 0)], pieces: [.zero, .identity], name: "RNN"), step.patternShape))
    case .link:
      return (.link, [shape], nil)
    }
  }

  static func resolveConv(_ conv: Convolution, _ shape: [Int]) throws -> (Step, [[Int]], PatternSite?) {
    let w = conv.weight.shape
    guard shape.count >= 3, w.count == shape.count else {
      throw ModelError("a convolution needs an NC… input with spatial axes and a weight of the same rank, got input \(shape) and weight \(w)")
    }
    let (n, cin) = (shape[0], shape[1])
    let cout = w[0], cinPerGroup = w[1]
    guard conv.group >= 1, cin == cinPerGroup * conv.group, cout % conv.group == 0 else {
      throw ModelError("input has \(cin) channels but weight \(w) with group \(conv.group) expects \(cinPerGroup * conv.group)")
    }
    var window = conv.window
    if window.kernel.isEmpty { window.kernel = Array(w.dropFirst(2)) }
    let geometry = try window.geometry(spatial: Array(shape.dropFirst(2)))
    let positions = geometry.outSpatial.reduce(1, *)
    let coutPerGroup = cout / conv.group
    var groups: [(IndexMap, [Int], Constant)] = []
    let k = cinPerGroup * window.kernel.reduce(1, *)
    for g in 0..<conv.group {
      let patches = geometry.patches(channels: (g * cinPerGroup)..<((g + 1) * cinPerGroup), channelCount: cin)
      let weightValues = Array(conv.weight.values[(g * coutPerGroup * k)..<((g + 1) * coutPerGroup * k)])
      groups.append((patches, [n, positions, k], Constant(shape: [coutPerGroup, k], values: weightValues)))
    }
    // [N, P, Cout] -> [N, Cout, P]
    var toChannels = [Int32](repeating: 0, count: positions * cout)
    for c in 0..<cout {
      for p in 0..<positions { toChannels[c * positions + p] = Int32(p * cout + c) }
    }
    let out = [n, cout] + geometry.outSpatial
    let bias = conv.bias.map { Broadcast($0, inner: positions) }
    return (.conv(groups: groups, toChannels: IndexMap(indices: toChannels, inputBlock: positions * cout), outShape: out, bias: bias), [out], nil)
  }

  static func resolveAveragePool(_ window: Window, countIncludePad: Bool, _ shape: [Int]) throws -> (Step, [[Int]], PatternSite?) {
    let (windows, size, out) = try poolWindows(window, shape, padding: true)
    let positions = out.dropFirst(2).reduce(1, *)
    var counts = [Double](repeating: Double(size), count: positions)
    if !countIncludePad {
      for p in 0..<positions {
        counts[p] = Double(windows.indices[(p * size)..<((p + 1) * size)].filter { $0 >= 0 }.count)
      }
    }
    return (.pool(windows: windows, window: size, ones: Constant(shape: [1, size], values: Array(repeating: 1, count: size)),
                  counts: Broadcast(Constant(shape: [positions], values: counts)), outShape: out), [out], nil)
  }

  /// The sum or mean over `axes` as a pooling step: one window per output element, over the
  /// whole input.
  static func resolveReduction(axes: [Int], keepDims: Bool, mean: Bool, _ shape: [Int]) throws -> (Step, [[Int]], PatternSite?) {
    let (windows, size, out) = try reductionWindows(axes: axes, keepDims: keepDims, shape: shape)
    return (.pool(windows: windows, window: size, ones: Constant(shape: [1, size], values: Array(repeating: 1, count: size)),
                  counts: Broadcast(scalar: mean ? Double(size) : 1), outShape: out), [out], nil)
  }

  /// Windows over one plane: `window` entries per output position, -1 for padding.
  static func poolWindows(_ window: Window, _ shape: [Int], padding: Bool) throws -> (IndexMap, Int, [Int]) {
    guard shape.count >= 3 else { throw ModelError("expects an NC… input with spatial axes, got shape \(shape)") }
    let geometry = try window.geometry(spatial: Array(shape.dropFirst(2)))
    let map = geometry.patches(channels: 0..<1, channelCount: 1)
    return (map, window.kernel.reduce(1, *), [shape[0], shape[1]] + geometry.outSpatial)
  }
}

/// The windows of a reduction over `axes` (all when empty) of a value of `shape`: for each output
/// element, the `size` input elements it reduces (one block: the whole value); and the output
/// shape, with the reduced axes kept as size 1 or dropped.
public func reductionWindows(axes: [Int], keepDims: Bool, shape: [Int]) throws -> (map: IndexMap, size: Int, outShape: [Int]) {
  let rank = shape.count
  let reduced = Set(try (axes.isEmpty ? Array(0..<rank) : axes).map { a -> Int in
    let n = a < 0 ? a + rank : a
    guard n >= 0, n < rank else { throw ModelError("axis \(a) is out of range for shape \(shape)") }
    return n
  })
  let kept = shape.indices.filter { !reduced.contains($0) }
  let inner = shape.indices.filter(reduced.contains)
  let (keptSizes, innerSizes) = (kept.map { shape[$0] }, inner.map { shape[$0] })
  let size = innerSizes.reduce(1, *)
  guard size >= 1 else { throw ModelError("the reduction over axes \(axes) of shape \(shape) has no elements") }
  let positions = keptSizes.reduce(1, *)
  let inStrides = strides(of: shape)
  let (keptStrides, innerStrides) = (strides(of: keptSizes), strides(of: innerSizes))
  var indices = [Int32](repeating: 0, count: positions * size)
  for p in 0..<positions {
    let base = kept.indices.reduce(0) { $0 + ((p / keptStrides[$1]) % keptSizes[$1]) * inStrides[kept[$1]] }
    for k in 0..<size {
      indices[p * size + k] = Int32(base + inner.indices.reduce(0) { $0 + ((k / innerStrides[$1]) % innerSizes[$1]) * inStrides[inner[$1]] })
    }
  }
  let out = keepDims ? shape.enumerated().map { reduced.contains($0.offset) ? 1 : $0.element } : keptSizes
  return (IndexMap(indices: indices, inputBlock: shape.reduce(1, *)), size, out)
}

/// Broadcasts a constant to a value shape (NumPy rules): the result repeats over every block.
public func broadcast(_ constant: Constant, to shape: [Int]) throws -> Broadcast {
  if constant.count == 1 { return Broadcast(constant.reshaped([1]), inner: 1) }
  let cshape = constant.shape
  guard cshape.count <= shape.count else {
    throw ModelError("constant of shape \(cshape) does not broadcast to \(shape)")
  }
  let aligned = Array(repeating: 1, count: shape.count - cshape.count) + cshape
  for (c, s) in zip(aligned, shape) where c != 1 && c != s {
    throw ModelError("constant of shape \(cshape) does not broadcast to \(shape)")
  }
  guard let first = aligned.firstIndex(where: { $0 != 1 }), let last = aligned.lastIndex(where: { $0 != 1 }) else {
    return Broadcast(constant.reshaped([1]))
  }
  let inner = shape[(last + 1)...].reduce(1, *)
  let span = Array(shape[first...last])
  if Array(aligned[first...last]) == span {
    return Broadcast(constant.reshaped([span.reduce(1, *)]), inner: inner)
  }
  // Expand the constant over the span where it has size-1 dimensions inside.
  let spanStrides = strides(of: span)
  let cstrides = strides(of: Array(aligned[first...last]))
  var values = [Double](repeating: 0, count: span.reduce(1, *))
  for i in values.indices {
    var source = 0
    for axis in span.indices {
      let coordinate = (i / spanStrides[axis]) % span[axis]
      if aligned[first + axis] != 1 { source += coordinate * cstrides[axis] }
    }
    values[i] = constant.values[source]
  }
  return Broadcast(Constant(shape: [values.count], values: values), inner: inner)
}

/// Row-major strides of a shape.
func strides(of shape: [Int]) -> [Int] {
  var result = [Int](repeating: 1, count: shape.count)
  var stride = 1
  for axis in shape.indices.reversed() {
    result[axis] = stride
    stride *= shape[axis]
  }
  return result
}

/// The index map of a transpose (for each output element, the input element it reads) and its
/// output shape; an empty permutation reverses the axes.
public func transposeMap(_ shape: [Int], _ permutation: [Int]) throws -> (IndexMap, [Int]) {
  let rank = shape.count
  let perm = permutation.isEmpty ? Array((0..<rank).reversed()) : permutation
  guard perm.count == rank, Set(perm) == Set(0..<rank) else {
    throw ModelError("permutation \(permutation) does not fit shape \(shape)")
  }
  let out = perm.map { shape[$0] }
  let inStrides = strides(of: shape)
  let outStrides = strides(of: out)
  let count = shape.reduce(1, *)
  var indices = [Int32](repeating: 0, count: count)
  for o in 0..<count {
    var source = 0
    for axis in 0..<rank {
      let coordinate = (o / outStrides[axis]) % out[axis]
      source += coordinate * inStrides[perm[axis]]
    }
    indices[o] = Int32(source)
  }
  return (IndexMap(indices: indices, inputBlock: count), out)
}

extension ShapeRule {
  /// The output shape for a concrete input shape.
  public func outputShape(for shape: [Int]) throws -> [Int] {
    let count = shape.reduce(1, *)
    switch self {
    case .identity:
      return shape
    case .flatten(let axis):
      let a = axis < 0 ? axis + shape.count : axis
      guard a >= 0, a <= shape.count else { throw ModelError("flatten axis \(axis) out of range for shape \(shape)") }
      return [shape[..<a].reduce(1, *), shape[a...].reduce(1, *)]
    case .reshape(let target, let allowZero):
      var out = target
      for (i, d) in target.enumerated() where d == 0 && !allowZero {
        guard i < shape.count else { throw ModelError("reshape to \(target) copies a dimension that \(shape) lacks") }
        out[i] = shape[i]
      }
      let inferred = out.indices.filter { out[$0] == -1 }
      guard inferred.count <= 1, out.allSatisfy({ $0 >= -1 }) else { throw ModelError("invalid reshape target \(target)") }
      if let i = inferred.first {
        let known = out.enumerated().filter { $0.offset != i }.reduce(1) { $0 * $1.element }
        guard known > 0, count % known == 0 else { throw ModelError("cannot reshape \(shape) to \(target)") }
        out[i] = count / known
      }
      guard out.reduce(1, *) == count else { throw ModelError("cannot reshape \(shape) to \(target)") }
      return out
    case .squeeze(let axes):
      if axes.isEmpty { return shape.filter { $0 != 1 } }
      let normalized = Set(axes.map { $0 < 0 ? $0 + shape.count : $0 })
      for a in normalized where a < 0 || a >= shape.count || shape[a] != 1 {
        throw ModelError("cannot squeeze axis \(a) of shape \(shape)")
      }
      return shape.enumerated().filter { !normalized.contains($0.offset) }.map(\.element)
    case .unsqueeze(let axes):
      let rank = shape.count + axes.count
      let normalized = Set(axes.map { $0 < 0 ? $0 + rank : $0 })
      guard normalized.count == axes.count, normalized.allSatisfy({ $0 >= 0 && $0 < rank }) else {
        throw ModelError("invalid unsqueeze axes \(axes) for shape \(shape)")
      }
      var out: [Int] = []
      var source = shape.makeIterator()
      for axis in 0..<rank { out.append(normalized.contains(axis) ? 1 : source.next()!) }
      return out
    }
  }
}
