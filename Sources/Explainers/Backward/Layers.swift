import Model

/// A linear map (plus an optional bias) a modified backward pass goes through: the map with
/// modified parameters, its transpose, and its modified bias.
protocol LinearLayer {
  var inputCount: Int { get }
  var outputCount: Int { get }
  /// The map with modified parameters, without the bias.
  func forward(_ x: [Double], _ parameters: LinearRule.ParameterModifier) -> [Double]
  /// The transpose of the same modified map.
  func transpose(_ g: [Double], _ parameters: LinearRule.ParameterModifier) -> [Double]
  /// The modified bias (output-shaped), if the layer has one.
  func bias(_ parameters: LinearRule.ParameterModifier) -> [Double]?
}

/// Values with their positive and negative parts, computed once.
struct Modified {
  let identity, positive, negative: [Double]

  init(_ values: [Double]) {
    identity = values
    positive = values.map { max($0, 0) }
    negative = values.map { min($0, 0) }
  }

  subscript(_ modifier: LinearRule.ParameterModifier) -> [Double] {
    switch modifier {
    case .identity: return identity
    case .positive: return positive
    case .negative: return negative
    }
  }
}

/// `y[r, o] = Σ_i x[r, i] · W[o, i]` over `rows` rows (Gemm/MatMul on the last axis, one RNN step
/// on [x_t, h_{t−1}]).
struct DenseLayer: LinearLayer {
  let rows, outputs, inputs: Int
  let weight: Modified
  /// Wᵀ, [inputs, outputs], for the transpose through BLAS.
  let transposed: Modified
  let biasValues: Modified?

  init(weight: [Double], outputs: Int, inputs: Int, rows: Int, bias: [Double]?) {
    self.rows = rows
    self.outputs = outputs
    self.inputs = inputs
    self.weight = Modified(weight)
    var t = [Double](repeating: 0, count: weight.count)
    for o in 0..<outputs {
      for i in 0..<inputs { t[i * outputs + o] = weight[o * inputs + i] }
    }
    transposed = Modified(t)
    biasValues = bias.map(Modified.init)
  }

  var inputCount: Int { rows * inputs }
  var outputCount: Int { rows * outputs }

  func forward(_ x: [Double], _ p: LinearRule.ParameterModifier) -> [Double] {
    multiply(x, weight[p], m: rows, n: outputs, k: inputs)
  }

  func transpose(_ g: [Double], _ p: LinearRule.ParameterModifier) -> [Double] {
    multiply(g, transposed[p], m: rows, n: inputs, k: outputs)
  }

  func bias(_ p: LinearRule.ParameterModifier) -> [Double]? { biasValues?[p] }
}

/// `y[m, n] = x[m, k] · w[n, k]ᵀ` through the float core's BLAS binding.
func multiply(_ x: [Double], _ w: [Double], m: Int, n: Int, k: Int) -> [Double] {
  guard m > 0, n > 0 else { return [] }
  guard k > 0 else { return [Double](repeating: 0, count: m * n) }
  var y = [Double](repeating: 0, count: m * n)
  x.withUnsafeBufferPointer { xp in
    w.withUnsafeBufferPointer { wp in
      y.withUnsafeMutableBufferPointer { yp in
        Double.multiply(xp.baseAddress!, wp.baseAddress!, into: yp.baseAddress!, m: m, n: n, k: k, adding: false)
      }
    }
  }
  return y
}

/// `y[o, c] = Σ_i W[o, i] · x[i, c]` (MatMul with a constant left operand, on a 1-D or 2-D value).
struct LeftDenseLayer: LinearLayer {
  let outputs, inputs, columns: Int
  let weight: Modified

  var inputCount: Int { inputs * columns }
  var outputCount: Int { outputs * columns }

  func forward(_ x: [Double], _ p: LinearRule.ParameterModifier) -> [Double] {
    let w = weight[p]
    var y = [Double](repeating: 0, count: outputCount)
    for o in 0..<outputs {
      for i in 0..<inputs where w[o * inputs + i] != 0 {
        for c in 0..<columns { y[o * columns + c] += w[o * inputs + i] * x[i * columns + c] }
      }
    }
    return y
  }

  func transpose(_ g: [Double], _ p: LinearRule.ParameterModifier) -> [Double] {
    let w = weight[p]
    var x = [Double](repeating: 0, count: inputCount)
    for o in 0..<outputs {
      for i in 0..<inputs where w[o * inputs + i] != 0 {
        for c in 0..<columns { x[i * columns + c] += w[o * inputs + i] * g[o * columns + c] }
      }
    }
    return x
  }

  func bias(_ p: LinearRule.ParameterModifier) -> [Double]? { nil }
}

/// A 2-D convolution (groups, pads, strides, dilations) on an NCHW value.
struct ConvLayer: LinearLayer {
  let batch, inputBlock, outputChannels, positions, group, kernelSize: Int
  /// Per group, the windows over the input block.
  let windows: [WindowMap]
  /// [Cout, kernelSize].
  let weight: Modified
  let biasValues: Modified?

  var inputCount: Int { batch * inputBlock }
  var outputCount: Int { batch * outputChannels * positions }

  init(_ conv: Convolution, inputShape: [Int], weight: [Double], bias: [Double]?) throws {
    let w = conv.weight.shape
    batch = inputShape[0]
    let spatial = Array(inputShape.dropFirst(2))
    inputBlock = inputShape[1] * spatial.reduce(1, *)
    outputChannels = w[0]
    group = conv.group
    let perGroup = w[1]
    var window = conv.window
    if window.kernel.isEmpty { window.kernel = Array(w.dropFirst(2)) }
    windows = try (0..<conv.group).map { g in try WindowMap(window, spatial: spatial, channels: (g * perGroup)..<((g + 1) * perGroup)) }
    positions = windows[0].positions
    kernelSize = perGroup * window.kernel.reduce(1, *)
    self.weight = Modified(weight)
    biasValues = bias.map(Modified.init)
  }

  func forward(_ x: [Double], _ p: LinearRule.ParameterModifier) -> [Double] {
    let w = weight[p]
    let perGroup = outputChannels / group
    var y = [Double](repeating: 0, count: outputCount)
    for n in 0..<batch {
      for g in 0..<group {
        let map = windows[g].indices
        for co in (g * perGroup)..<((g + 1) * perGroup) {
          let out = (n * outputChannels + co) * positions
          for q in 0..<positions {
            var total = 0.0
            for k in 0..<kernelSize {
              let index = map[q * kernelSize + k]
              if index >= 0 { total += x[n * inputBlock + index] * w[co * kernelSize + k] }
            }
            y[out + q] = total
          }
        }
      }
    }
    return y
  }

  func transpose(_ gOut: [Double], _ p: LinearRule.ParameterModifier) -> [Double] {
    let w = weight[p]
    let perGroup = outputChannels / group
    var x = [Double](repeating: 0, count: inputCount)
    for n in 0..<batch {
      for g in 0..<group {
        let map = windows[g].indices
        for co in (g * perGroup)..<((g + 1) * perGroup) {
          let out = (n * outputChannels + co) * positions
          for q in 0..<positions where gOut[out + q] != 0 {
            let s = gOut[out + q]
            for k in 0..<kernelSize {
              let index = map[q * kernelSize + k]
              if index >= 0 { x[n * inputBlock + index] += s * w[co * kernelSize + k] }
            }
          }
        }
      }
    }
    return x
  }

  func bias(_ p: LinearRule.ParameterModifier) -> [Double]? { biasValues?[p] }
}

/// `y = x ⊙ s (+ t)` elementwise (Mul, Div, Add/Sub of a constant, BatchNormalization not merged
/// into the layer before it).
struct DiagonalLayer: LinearLayer {
  let scale: Modified
  let biasValues: Modified?

  var inputCount: Int { scale.identity.count }
  var outputCount: Int { scale.identity.count }

  func forward(_ x: [Double], _ p: LinearRule.ParameterModifier) -> [Double] {
    zip(x, scale[p]).map { $0 * $1 }
  }

  func transpose(_ g: [Double], _ p: LinearRule.ParameterModifier) -> [Double] {
    zip(g, scale[p]).map { $0 * $1 }
  }

  func bias(_ p: LinearRule.ParameterModifier) -> [Double]? { biasValues?[p] }
}

/// Average pooling over the planes of an NCHW value: `y[plane, q] = Σ_window x / count[q]`.
struct PoolLayer: LinearLayer {
  let planes: Int
  let windows: WindowMap
  let counts: [Double]

  var inputCount: Int { planes * windows.plane }
  var outputCount: Int { planes * windows.positions }

  func forward(_ x: [Double], _ p: LinearRule.ParameterModifier) -> [Double] {
    var y = [Double](repeating: 0, count: outputCount)
    guard p != .negative else { return y }
    let plane = windows.plane
    for c in 0..<planes {
      for q in 0..<windows.positions {
        var total = 0.0
        for k in 0..<windows.size {
          let index = windows.indices[q * windows.size + k]
          if index >= 0 { total += x[c * plane + index] }
        }
        y[c * windows.positions + q] = total / counts[q]
      }
    }
    return y
  }

  func transpose(_ g: [Double], _ p: LinearRule.ParameterModifier) -> [Double] {
    var x = [Double](repeating: 0, count: inputCount)
    guard p != .negative else { return x }
    let plane = windows.plane
    for c in 0..<planes {
      for q in 0..<windows.positions {
        let s = g[c * windows.positions + q] / counts[q]
        for k in 0..<windows.size {
          let index = windows.indices[q * windows.size + k]
          if index >= 0 { x[c * plane + index] += s }
        }
      }
    }
    return x
  }

  func bias(_ p: LinearRule.ParameterModifier) -> [Double]? { nil }
}

/// `y = a + sign · b` for two values of the same shape, as one linear map of [a, b].
struct SumLayer: LinearLayer {
  let count: Int
  let sign: Double

  var inputCount: Int { 2 * count }
  var outputCount: Int { count }

  func coefficient(_ p: LinearRule.ParameterModifier) -> (Double, Double) {
    switch p {
    case .identity: return (1, sign)
    case .positive: return (1, max(sign, 0))
    case .negative: return (0, min(sign, 0))
    }
  }

  func forward(_ x: [Double], _ p: LinearRule.ParameterModifier) -> [Double] {
    let (ca, cb) = coefficient(p)
    return (0..<count).map { ca * x[$0] + cb * x[count + $0] }
  }

  func transpose(_ g: [Double], _ p: LinearRule.ParameterModifier) -> [Double] {
    let (ca, cb) = coefficient(p)
    return g.map { ca * $0 } + g.map { cb * $0 }
  }

  func bias(_ p: LinearRule.ParameterModifier) -> [Double]? { nil }
}
