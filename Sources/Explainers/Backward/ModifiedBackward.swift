import Model

/// One modified vector-Jacobian product over a network's layers: the mechanism that gradients,
/// Guided Backprop, LRP and deep Taylor share, configured by ``BackwardRules`` (rules as data).
///
/// The pass walks the traced network's nodes in reverse. Reshapes, transposes and concatenations
/// route the signal; max pooling sends it to each window's chosen element; activations follow
/// ``ActivationRule``; every linear layer (dense, MatMul with a constant left operand,
/// convolution, elementwise affine maps, average pooling, sums of two values, each unrolled RNN
/// step as one dense layer on `[x_t, h_{t−1}]` with bias `b_W + b_R`) is either transposed
/// (gradient) or passes relevance by its ``LinearRule``.
///
/// In relevance mode an elementwise affine node (BatchNormalization, Mul, Div, Add of a constant)
/// that is the only reader of a dense or convolution output is first merged into that layer
/// (Zennit's canonizers do the same for BatchNorm): the rule then sees one layer with weights
/// `s ⊙ W` and bias `s ⊙ b + t`. The relevance of an RNN's initial state, like a bias's, is not
/// passed on.
public struct ModifiedBackward {
  public let trace: Trace
  public let rules: BackwardRules

  public init(trace: Trace, rules: BackwardRules) {
    self.trace = trace
    self.rules = rules
  }

  /// The signal at the body input, and at each value named in `keeping`, when the body output
  /// receives `seed` (its own shape, flat): a one-hot vector for a gradient, the output's value
  /// on one element for relevance.
  public func run(seed: [Double], keeping: Set<String> = []) throws -> (input: [Double], kept: [String: [Double]]) {
    let network = trace.plan.network
    let nodes = network.nodes
    var siteOf: [Int: Int] = [:]
    var consumers: [String: Int] = [:]
    var inputDerived: Set<String> = [network.bodyInputName]
    var sites = 0
    for (index, node) in nodes.enumerated() {
      if node.operation.isPiecewiseLinear {
        siteOf[index] = sites
        sites += 1
      }
      for name in node.inputs { consumers[name, default: 0] += 1 }
      switch node.operation {
      case .reshape, .transpose, .concat, .select:
        if node.inputs.contains(where: inputDerived.contains) { inputDerived.formUnion(node.outputs) }
      default: break
      }
    }
    let producers = Dictionary(nodes.enumerated().flatMap { index, node in node.outputs.map { ($0, index) } }, uniquingKeysWith: { a, _ in a })

    var signals: [String: [Double]] = [trace.outputName: seed]
    var kept: [String: [Double]] = [:]
    var skipped = Set<Int>()

    func count(_ name: String) -> Int { trace.shape(of: name).reduce(1, *) }
    func signal(_ name: String) -> [Double] { signals[name] ?? [Double](repeating: 0, count: count(name)) }
    func add(_ values: [Double], to name: String) {
      if let existing = signals[name] {
        signals[name] = zip(existing, values).map { $0 + $1 }
      } else {
        signals[name] = values
      }
    }
    func bounds(_ n: Int) -> ([Double], [Double]) {
      ([Double](repeating: rules.lowerBound, count: n), [Double](repeating: rules.upperBound, count: n))
    }

    for index in nodes.indices.reversed() where !skipped.contains(index) {
      let node = nodes[index]
      guard node.outputs.contains(where: { signals[$0] != nil }) else { continue }
      for name in node.outputs where keeping.contains(name) { kept[name] = signal(name) }
      let x = node.inputs.first.map { trace.values[$0] ?? [] } ?? []
      let inputName = node.inputs.first ?? ""
      let out = signal(node.outputs[0])
      let first = inputDerived.contains(inputName)
      let inShape = trace.shape(of: inputName)
      let outShape = trace.shape(of: node.outputs[0])

      switch node.operation {
      case .link:
        continue
      case .reshape:
        add(out, to: inputName)
      case .transpose, .select:
        // A selection's transpose: each output's signal goes back to the element it copies.
        let sources: [Int32]
        if case .transpose(let permutation) = node.operation {
          sources = try transposeMap(inShape, permutation).0.indices
        } else if case .select(let selection) = node.operation {
          sources = try selection.map(for: inShape).0.indices
        } else { continue }
        var g = [Double](repeating: 0, count: x.count)
        for (o, s) in sources.enumerated() where s >= 0 { g[Int(s)] += out[o] }
        add(g, to: inputName)
      case .concat(let axis):
        let rank = outShape.count
        let a = axis < 0 ? axis + rank : axis
        let blocks = node.inputs.map { trace.shape(of: $0)[a...].reduce(1, *) }
        let total = blocks.reduce(0, +)
        let outer = outShape[..<a].reduce(1, *)
        var offset = 0
        for (name, block) in zip(node.inputs, blocks) {
          var g = [Double](repeating: 0, count: outer * block)
          for o in 0..<outer {
            for j in 0..<block { g[o * block + j] = out[o * total + offset + j] }
          }
          add(g, to: name)
          offset += block
        }
      case .dense(let weight, let bias):
        let layer = DenseLayer(weight: weight.values, outputs: weight.shape[0], inputs: weight.shape[1],
                               rows: out.count / weight.shape[0], bias: try bias.map { try expand($0, to: outShape) })
        add(try pass(layer, x: x, out: out, first: first, bounds: bounds(x.count)), to: inputName)
      case .leftDense(let weight):
        let layer = LeftDenseLayer(outputs: weight.shape[0], inputs: weight.shape[1], columns: inShape.count == 2 ? inShape[1] : 1,
                                   weight: Modified(weight.values))
        add(try pass(layer, x: x, out: out, first: first, bounds: bounds(x.count)), to: inputName)
      case .conv(let conv):
        let positions = outShape.dropFirst(2).reduce(1, *)
        let bias = conv.bias.map { b in (0..<out.count).map { b.values[($0 / positions) % b.count] } }
        let layer = try ConvLayer(conv, inputShape: inShape, weight: conv.weight.values, bias: bias)
        add(try pass(layer, x: x, out: out, first: first, bounds: bounds(x.count)), to: inputName)
      case .scale, .divide, .shift, .channelAffine:
        let (scale, shift) = try diagonal(node.operation, shape: outShape)
        if rules.signal == .relevance, let producer = producers[inputName], consumers[inputName] == 1, inputName != trace.outputName,
           let merged = try merge(nodes[producer], scale: scale, shift: shift) {
          let source = nodes[producer].inputs[0]
          let sx = trace.values[source] ?? []
          add(try pass(merged, x: sx, out: out, first: inputDerived.contains(source), bounds: bounds(sx.count)), to: source)
          skipped.insert(producer)
        } else {
          let layer = DiagonalLayer(scale: Modified(scale), biasValues: shift.map(Modified.init))
          add(try pass(layer, x: x, out: out, first: first, bounds: bounds(x.count)), to: inputName)
        }
      case .add, .subtract:
        var sign = 1.0
        if case .subtract = node.operation { sign = -1 }
        let both = x + (trace.values[node.inputs[1]] ?? [])
        let g = try pass(SumLayer(count: x.count, sign: sign), x: both, out: out, first: false, bounds: bounds(both.count), pooling: true)
        add(Array(g[..<x.count]), to: node.inputs[0])
        add(Array(g[x.count...]), to: node.inputs[1])
      case .averagePool(let window, let countIncludePad):
        add(try pass(try poolLayer(window, countIncludePad: countIncludePad, shape: inShape), x: x, out: out, first: first,
                     bounds: bounds(x.count), pooling: true), to: inputName)
      case .reduce(let axes, let keepDims, let mean):
        // One "plane" holding the whole value, one window per output element.
        let (windows, size, _) = try reductionWindows(axes: axes, keepDims: keepDims, shape: inShape)
        let map = WindowMap(plane: x.count, positions: out.count, indices: windows.indices.map(Int.init), size: size)
        add(try pass(PoolLayer(planes: 1, windows: map, counts: Array(repeating: mean ? Double(size) : 1, count: out.count)), x: x, out: out, first: first,
                     bounds: bounds(x.count), pooling: true), to: inputName)
      case .globalAveragePool:
        let map = WindowMap(wholePlane: inShape.dropFirst(2).reduce(1, *))
        let layer = PoolLayer(planes: inShape[0] * inShape[1], windows: map, counts: [Double(map.size)])
        add(try pass(layer, x: x, out: out, first: first, bounds: bounds(x.count), pooling: true), to: inputName)
      case .relu, .leakyRelu, .prelu, .abs, .clip:
        let site = siteOf[index]!
        guard case .elementwise(_, let pieces, _) = trace.plan.sites[site].kind else { continue }
        let choices = trace.pattern.choices[site]
        add(activation(out, pieces: pieces, choices: choices[...], base: 0), to: inputName)
      case .maxPool:
        let site = siteOf[index]!
        guard case .maxPool(let windows, let window) = trace.plan.sites[site].kind else { continue }
        let choices = trace.pattern.choices[site]
        let outputs = windows.outputBlock / window
        var g = [Double](repeating: 0, count: x.count)
        for (k, choice) in choices.enumerated() {
          let source = windows.indices[(k % outputs) * window + Int(choice)]
          if source >= 0 { g[(k / outputs) * windows.inputBlock + Int(source)] += out[k] }
        }
        add(g, to: inputName)
      case .rnn(let recurrence):
        let site = siteOf[index]!
        let outY = signal(node.outputs[0])
        let outH = node.outputs.count > 1 ? signal(node.outputs[1]) : []
        let states = trace.values[node.outputs[0]] ?? []
        add(try recurrent(recurrence, x: x, shape: inShape, states: states, outY: outY, outH: outH,
                          choices: trace.pattern.choices[site], first: first), to: inputName)
      }
    }
    for name in keeping where kept[name] == nil { kept[name] = signals[name] }
    return (signal(network.bodyInputName), kept)
  }

  /// The backward signal through one linear layer: its transpose, or its relevance rule.
  func pass(_ layer: LinearLayer, x: [Double], out: [Double], first: Bool, bounds: ([Double], [Double]), pooling: Bool = false) throws -> [Double] {
    switch rules.signal {
    case .gradient:
      return layer.transpose(out, .identity)
    case .relevance:
      let rule = pooling ? rules.pooling : (first ? rules.inputLayer ?? rules.linear : rules.linear)
      return Self.relevance(layer, x: x, out: out, rule: rule, lower: bounds.0, upper: bounds.1)
    }
  }

  /// The generic rule mechanism (see ``LinearRule``).
  static func relevance(_ layer: LinearLayer, x: [Double], out: [Double], rule: LinearRule, lower: [Double], upper: [Double]) -> [Double] {
    var result = [Double](repeating: 0, count: layer.inputCount)
    for group in rule.groups where group.weight != 0 {
      var z = [Double](repeating: 0, count: layer.outputCount)
      var inputs: [[Double]] = []
      for branch in group.branches {
        let input: [Double]
        switch branch.input {
        case .identity: input = x
        case .positive: input = x.map { max($0, 0) }
        case .negative: input = x.map { min($0, 0) }
        case .lowerBound: input = lower
        case .upperBound: input = upper
        }
        let zb = layer.forward(input, branch.parameters)
        for o in z.indices { z[o] += branch.sign * zb[o] }
        if branch.bias, let bias = layer.bias(branch.parameters) {
          for o in z.indices { z[o] += branch.sign * bias[o] }
        }
        inputs.append(input)
      }
      let s = (0..<z.count).map { out[$0] / (z[$0] + rule.epsilon * (z[$0] >= 0 ? 1 : -1)) }
      for (branch, input) in zip(group.branches, inputs) {
        let g = layer.transpose(s, branch.parameters)
        let factor = group.weight * branch.sign
        for i in result.indices { result[i] += factor * input[i] * g[i] }
      }
    }
    return result
  }

  /// An activation's backward signal for elements `base ..< base + out.count` of its site.
  func activation(_ out: [Double], pieces: [Piece], choices: ArraySlice<UInt8>, base: Int) -> [Double] {
    if rules.activation == .pass { return out }
    var g = [Double](repeating: 0, count: out.count)
    for (e, choice) in zip(out.indices, choices) {
      let slope: Double
      switch pieces[Int(choice)] {
      case .zero, .constant: slope = 0
      case .identity: slope = 1
      case .scaled(let b): slope = b.values[b.index(of: base + e)]
      }
      if rules.activation == .guided && out[e] <= 0 { continue }
      g[e] = out[e] * slope
    }
    return g
  }

  /// Backpropagation through time of an unrolled ReLU RNN: each step is one dense layer on
  /// `[x_t, h_{t−1}]` (weights `[W | R]`, bias `b_W + b_R`) after the ReLU. Under z^B the hidden
  /// part of a step's input gets the bounds [0, h_{t−1}], which makes the rule z⁺ there.
  func recurrent(_ rnn: Recurrence, x: [Double], shape: [Int], states: [Double], outY: [Double], outH: [Double],
                 choices: [UInt8], first: Bool) throws -> [Double] {
    let (steps, batch, features, hidden) = (shape[0], shape[1], shape[2], rnn.hiddenSize)
    let width = features + hidden
    var weight = [Double](repeating: 0, count: hidden * width)
    for o in 0..<hidden {
      for i in 0..<features { weight[o * width + i] = rnn.inputWeight.values[o * features + i] }
      for i in 0..<hidden { weight[o * width + features + i] = rnn.recurrentWeight.values[o * hidden + i] }
    }
    var bias: [Double]? = nil
    if rnn.inputBias != nil || rnn.recurrentBias != nil {
      bias = (0..<(batch * hidden)).map { e in (rnn.inputBias?.values[e % hidden] ?? 0) + (rnn.recurrentBias?.values[e % hidden] ?? 0) }
    }
    let layer = DenseLayer(weight: weight, outputs: hidden, inputs: width, rows: batch, bias: bias)
    let chunk = batch * hidden
    let initial = rnn.initialState?.values ?? [Double](repeating: 0, count: chunk)
    var carry = outH.isEmpty ? [Double](repeating: 0, count: chunk) : outH
    var gx = [Double](repeating: 0, count: x.count)
    let relu: [Piece] = [.zero, .identity]
    for t in (0..<steps).reversed() {
      var gh = carry
      if !outY.isEmpty { for e in 0..<chunk { gh[e] += outY[t * chunk + e] } }
      let gz = activation(gh, pieces: relu, choices: choices[(t * chunk)..<((t + 1) * chunk)], base: t * chunk)
      let previous = t > 0 ? Array(states[((t - 1) * chunk)..<(t * chunk)]) : initial
      var input = [Double](repeating: 0, count: batch * width)
      var lower = [Double](repeating: 0, count: batch * width)
      var upper = [Double](repeating: 0, count: batch * width)
      for b in 0..<batch {
        for i in 0..<features {
          input[b * width + i] = x[(t * batch + b) * features + i]
          lower[b * width + i] = rules.lowerBound
          upper[b * width + i] = rules.upperBound
        }
        for i in 0..<hidden {
          input[b * width + features + i] = previous[b * hidden + i]
          upper[b * width + features + i] = previous[b * hidden + i]
        }
      }
      let g = try pass(layer, x: input, out: gz, first: first, bounds: (lower, upper))
      for b in 0..<batch {
        for i in 0..<features { gx[(t * batch + b) * features + i] += g[b * width + i] }
        for i in 0..<hidden { carry[b * hidden + i] = g[b * width + features + i] }
      }
    }
    return gx
  }

  /// An elementwise affine node as a scale and an optional shift, expanded to the value's shape.
  func diagonal(_ operation: Operation, shape: [Int]) throws -> ([Double], [Double]?) {
    let n = shape.reduce(1, *)
    switch operation {
    case .scale(let c): return (try expand(c, to: shape), nil)
    case .divide(let c): return (try expand(c, to: shape).map { 1 / $0 }, nil)
    case .shift(let c): return ([Double](repeating: 1, count: n), try expand(c, to: shape))
    case .channelAffine(let scale, let shift):
      let inner = shape.dropFirst(2).reduce(1, *)
      let s = Broadcast(scale, inner: inner), t = Broadcast(shift, inner: inner)
      return ((0..<n).map { s.values[s.index(of: $0)] }, (0..<n).map { t.values[t.index(of: $0)] })
    default: return ([Double](repeating: 1, count: n), nil)
    }
  }

  /// A dense or convolution node with an elementwise affine map after it, as one layer; nil when
  /// the map does not act per output unit.
  func merge(_ producer: Network.Node, scale: [Double], shift: [Double]?) throws -> LinearLayer? {
    let outShape = trace.shape(of: producer.outputs[0])
    let n = scale.count
    switch producer.operation {
    case .dense(let weight, let bias):
      let (outputs, inputs) = (weight.shape[0], weight.shape[1])
      guard (0..<n).allSatisfy({ scale[$0] == scale[$0 % outputs] }) else { return nil }
      var w = weight.values
      for o in 0..<outputs { for i in 0..<inputs { w[o * inputs + i] *= scale[o] } }
      let b = try bias.map { try expand($0, to: outShape) }
      let merged = (0..<n).map { scale[$0] * (b?[$0] ?? 0) + (shift?[$0] ?? 0) }
      return DenseLayer(weight: w, outputs: outputs, inputs: inputs, rows: n / outputs, bias: merged)
    case .conv(let conv):
      guard outShape.count >= 3 else { return nil }
      let (channels, positions) = (outShape[1], outShape.dropFirst(2).reduce(1, *))
      guard (0..<n).allSatisfy({ scale[$0] == scale[(($0 / positions) % channels) * positions] }) else { return nil }
      var w = conv.weight.values
      let k = w.count / channels
      for c in 0..<channels { for j in 0..<k { w[c * k + j] *= scale[c * positions] } }
      let merged = (0..<n).map { e in scale[e] * (conv.bias.map { $0.values[(e / positions) % $0.count] } ?? 0) + (shift?[e] ?? 0) }
      return try ConvLayer(conv, inputShape: trace.shape(of: producer.inputs[0]), weight: w, bias: merged)
    default:
      return nil
    }
  }

  func poolLayer(_ window: Window, countIncludePad: Bool, shape: [Int]) throws -> PoolLayer {
    let map = try WindowMap(window, spatial: Array(shape.dropFirst(2)), channels: 0..<1)
    let counts = (0..<map.positions).map { q in
      countIncludePad ? Double(map.size) : Double(map.indices[(q * map.size)..<((q + 1) * map.size)].filter { $0 >= 0 }.count)
    }
    return PoolLayer(planes: shape[0] * shape[1], windows: map, counts: counts)
  }
}

/// A constant broadcast to a value's shape, one value per element.
func expand(_ constant: Constant, to shape: [Int]) throws -> [Double] {
  let b = try broadcast(constant, to: shape)
  return (0..<shape.reduce(1, *)).map { b.values[b.index(of: $0)] }
}
