import CFLINT
import ExactArithmetic
import Model

// The operator primitives (see `TensorAlgebra` for their semantics), exactly.

extension ExactTensor {
  public func reshaped(_ shape: [Int]) -> ExactTensor {
    ExactTensor(shape: shape, buffer: buffer, unit: unit)
  }

  public func gathered(_ map: IndexMap, shape: [Int]) -> ExactTensor {
    let blocks = map.inputBlock == 0 ? 0 : elementCount / map.inputBlock
    // The selected words share the GMP integers of this tensor.
    return ExactTensor.sharing([buffer], shape: shape, unit: unit) { out, count in
      precondition(count == blocks * map.outputBlock, "gather: output shape \(shape) does not match the map")
      buffer.with { x in
        map.indices.withUnsafeBufferPointer { indices in
          for block in 0..<blocks {
            let source = x + block * map.inputBlock
            let target = out + block * indices.count
            for j in 0..<indices.count where indices[j] >= 0 {
              target[j] = source[Int(indices[j])]
            }
          }
        }
      }
    }
  }

  public static func concatenated(_ parts: [ExactTensor], blockSizes: [Int], shape: [Int]) -> ExactTensor {
    precondition(!parts.isEmpty && parts.count == blockSizes.count, "concatenation needs parts and their block sizes")
    let (unit, factors) = ExactScale.common(parts.map(\.unit))
    let appliers = factors.map(\.applier)
    let blocks = blockSizes[0] == 0 ? 0 : parts[0].elementCount / blockSizes[0]
    if appliers.allSatisfy(\.isOne) {
      // One scale: the words share the parts' GMP integers.
      return sharing(parts.map(\.buffer), shape: shape, unit: unit) { out, count in
        precondition(count == blocks * blockSizes.reduce(0, +), "concatenation: shape \(shape) does not match the parts")
        var offset = 0
        for block in 0..<blocks {
          for (index, part) in parts.enumerated() {
            let size = blockSizes[index]
            part.buffer.with { x in (out + offset).update(from: x + block * size, count: size) }
            offset += size
          }
        }
      }
    }
    return make(shape: shape, unit: unit) { out, count in
      let total = blockSizes.reduce(0, +)
      precondition(count == blocks * total, "concatenation: shape \(shape) does not match the parts")
      let out = SharedIntegers(out)
      let sources = parts.map { SharedIntegers($0.buffer.base) }
      forEachRange(blocks, work: count) { range in
        for block in range {
          var offset = block * total
          for (index, source) in sources.enumerated() {
            let size = blockSizes[index]
            let applier = appliers[index]
            let from = source.base + block * size
            for j in 0..<size { applier.apply(out.base + offset + j, from + j) }
            offset += size
          }
        }
      }
      withExtendedLifetime(parts) {}
    }
  }

  public func adding(_ other: ExactTensor) -> ExactTensor {
    combined(with: other, subtract: false)
  }

  public func subtracting(_ other: ExactTensor) -> ExactTensor {
    combined(with: other, subtract: true)
  }

  func combined(with other: ExactTensor, subtract: Bool) -> ExactTensor {
    precondition(elementCount == other.elementCount, "elementwise operands of shapes \(shape) and \(other.shape)")
    // x ± 0 = x (a common case: the negative side of a ReLU constraint is a gather of nothing).
    if other.isZero { return reshaped(shape) }
    if !subtract && isZero { return other.reshaped(shape) }
    let (unit, factors) = ExactScale.common([self.unit, other.unit])
    let (a, b) = (factors[0].applier, factors[1].applier)
    return ExactTensor.make(shape: shape, unit: unit) { out, count in
      let (out, x, y) = (SharedIntegers(out), SharedIntegers(buffer.base), SharedIntegers(other.buffer.base))
      forEachRange(count, work: count) { range in
        if a.isOne && b.isOne {
          if subtract {
            for i in range { fmpz_sub(out.base + i, x.base + i, y.base + i) }
          } else {
            for i in range { fmpz_add(out.base + i, x.base + i, y.base + i) }
          }
          return
        }
        let scratch = FmpzBuffer(count: 1)
        scratch.with { t in
          for i in range {
            a.apply(out.base + i, x.base + i)
            b.apply(t, y.base + i)
            if subtract { fmpz_sub(out.base + i, out.base + i, t) } else { fmpz_add(out.base + i, out.base + i, t) }
          }
        }
      }
      withExtendedLifetime((buffer, other.buffer)) {}
    }
  }

  public func scaled(by factor: Broadcast) -> ExactTensor {
    let c = ConstantCache.integers(of: factor.constant)
    let unit = self.unit.times(powerOfTwo: c.exponent)
    if factor.isScalar && fmpz_is_one(c.integers.base) != 0 {
      return ExactTensor(shape: shape, buffer: buffer, unit: unit)
    }
    return ExactTensor.make(shape: shape, unit: unit) { out, count in
      buffer.with { x in
        c.integers.with { m in
          forEachBroadcast(factor, count: count) { i, v in fmpz_mul(out + i, x + i, m + v) }
        }
      }
    }
  }

  public func divided(by divisor: Broadcast) -> ExactTensor {
    let c = ConstantCache.integers(of: divisor.constant)
    precondition(!c.isZero && (0..<c.integers.count).allSatisfy { c.integers.base[$0] != 0 }, "division by zero")
    // x / (m_v · 2^f) = x · (L / m_v) / (L · 2^f), with L the lcm of the |m_v|.
    let divisors = (0..<c.integers.count).map { exactInteger(c.integers.base + $0) }
    withExtendedLifetime(c) {}
    let l = divisors.reduce(ExactInteger(1)) { ExactInteger.lcm($0, $1) }
    let unit = self.unit.times(powerOfTwo: -c.exponent).divided(by: l)
    if divisors.allSatisfy({ $0 == l }) {
      return ExactTensor(shape: shape, buffer: buffer, unit: unit)
    }
    let multipliers = FmpzBuffer(count: divisors.count)
    for (v, d) in divisors.enumerated() { setFmpz(multipliers.base + v, l / d) }
    return ExactTensor.make(shape: shape, unit: unit) { out, count in
      buffer.with { x in
        multipliers.with { m in
          forEachBroadcast(divisor, count: count) { i, v in fmpz_mul(out + i, x + i, m + v) }
        }
      }
    }
  }

  public func shifted(by offset: Broadcast) -> ExactTensor {
    let c = ConstantCache.integers(of: offset.constant)
    if c.isZero { return self }
    let (unit, factors) = ExactScale.common([self.unit, .powerOfTwo(c.exponent)])
    let a = factors[0].applier
    let offsets = scaledCopy(c.integers, by: factors[1])
    return ExactTensor.make(shape: shape, unit: unit) { out, count in
      buffer.with { x in
        offsets.with { o in
          forEachBroadcast(offset, count: count) { i, v in
            a.apply(out + i, x + i)
            fmpz_add(out + i, out + i, o + v)
          }
        }
      }
    }
  }

  public func piecewise(_ pieces: [Piece], choices: [UInt8]) -> ExactTensor {
    let count = elementCount
    let period = choices.count
    precondition(period > 0 || count == 0, "piecewise: no choices")
    // The fast path: every piece is zero or the identity (ReLU), the scale is kept.
    if pieces.allSatisfy({ if case .zero = $0 { true } else if case .identity = $0 { true } else { false } }) {
      let keep = pieces.map { if case .identity = $0 { true } else { false } }
      if choices.allSatisfy({ keep[Int($0)] }) { return self }
      // The kept words share the GMP integers of this tensor.
      return ExactTensor.sharing([buffer], shape: shape, unit: unit) { out, count in
        buffer.with { x in
          choices.withUnsafeBufferPointer { choices in
            var c = 0
            for i in 0..<count {
              if keep[Int(choices[c])] { out[i] = x[i] }
              c += 1
              if c == period { c = 0 }
            }
          }
        }
      }
    }
    // General pieces: bring the identity (scale s), slope pieces (s · 2^f) and constant pieces
    // (2^g) to one common scale; each piece then multiplies by, or sets, integers per broadcast
    // value.
    enum Resolved {
      case zero
      case multiply(FmpzBuffer, Broadcast?)
      case set(FmpzBuffer, Broadcast)
    }
    var scales: [ExactScale] = []
    var converted: [IntegerConstant?] = []
    for piece in pieces {
      switch piece {
      case .zero:
        converted.append(nil)
      case .identity:
        converted.append(nil)
        scales.append(unit)
      case .scaled(let slope):
        let c = ConstantCache.integers(of: slope.constant)
        converted.append(c)
        scales.append(unit.times(powerOfTwo: c.exponent))
      case .constant(let value):
        let c = ConstantCache.integers(of: value.constant)
        converted.append(c)
        scales.append(.powerOfTwo(c.exponent))
      }
    }
    guard !scales.isEmpty else { return ExactTensor.make(shape: shape, unit: unit) { _, _ in } }
    let (common, factors) = ExactScale.common(scales)
    var next = 0
    let resolved = zip(pieces, converted).map { piece, c -> Resolved in
      switch piece {
      case .zero:
        return .zero
      case .identity:
        let factor = factors[next]
        next += 1
        let m = FmpzBuffer(count: 1)
        setFmpz(m.base, factor.integer)
        return .multiply(m, nil)
      case .scaled(let slope):
        let factor = factors[next]
        next += 1
        return .multiply(scaledCopy(c!.integers, by: factor), slope)
      case .constant(let value):
        let factor = factors[next]
        next += 1
        return .set(scaledCopy(c!.integers, by: factor), value)
      }
    }
    return ExactTensor.make(shape: shape, unit: common) { out, count in
      buffer.with { x in
        choices.withUnsafeBufferPointer { choices in
          for i in 0..<count {
            switch resolved[Int(choices[i % period])] {
            case .zero:
              break
            case .multiply(let m, let broadcast):
              fmpz_mul(out + i, x + i, m.base + (broadcast?.index(of: i) ?? 0))
            case .set(let values, let broadcast):
              fmpz_set(out + i, values.base + broadcast.index(of: i))
            }
          }
        }
      }
      withExtendedLifetime(resolved) {}
    }
  }

  public func signs(minus threshold: Broadcast) -> [Int8] {
    let c = ConstantCache.integers(of: threshold.constant)
    let count = elementCount
    var signs = [Int8](repeating: 0, count: count)
    buffer.with { x in
      if c.isZero {
        for i in 0..<count { signs[i] = Int8(fmpz_sgn(x + i)) }
        return
      }
      let (_, factors) = ExactScale.common([unit, .powerOfTwo(c.exponent)])
      let a = factors[0].applier
      let thresholds = scaledCopy(c.integers, by: factors[1])
      let scratch = FmpzBuffer(count: 1)
      thresholds.with { t in
        scratch.with { s in
          forEachBroadcast(threshold, count: count) { i, v in
            let comparison: Int32
            if a.isOne {
              comparison = fmpz_cmp(x + i, t + v)
            } else {
              a.apply(s, x + i)
              comparison = fmpz_cmp(s, t + v)
            }
            signs[i] = comparison > 0 ? 1 : (comparison < 0 ? -1 : 0)
          }
        }
      }
    }
    return signs
  }

  public func argmax(over windows: IndexMap, window: Int) -> (choices: [UInt8], ties: Int) {
    let blocks = windows.inputBlock == 0 ? 0 : elementCount / windows.inputBlock
    let outputs = window == 0 ? 0 : windows.outputBlock / window
    var choices = [UInt8](repeating: 0, count: blocks * outputs)
    var ties = 0
    buffer.with { x in
      for block in 0..<blocks {
        let base = x + block * windows.inputBlock
        for j in 0..<outputs {
          var best = -1
          var tied = false
          for k in 0..<window {
            let index = windows.indices[j * window + k]
            guard index >= 0 else { continue }
            if best < 0 {
              best = k
              tied = false
            } else {
              let current = base + Int(windows.indices[j * window + best])
              let comparison = fmpz_cmp(base + Int(index), current)
              if comparison > 0 {
                best = k
                tied = false
              } else if comparison == 0 {
                tied = true
              }
            }
          }
          choices[block * outputs + j] = UInt8(max(best, 0))
          if tied { ties += 1 }
        }
      }
    }
    return (choices, ties)
  }

  public static func filled(with value: Broadcast, shape: [Int]) -> ExactTensor {
    let c = ConstantCache.integers(of: value.constant)
    return make(shape: shape, unit: .powerOfTwo(c.exponent)) { out, count in
      if c.isZero { return }
      c.integers.with { values in
        forEachBroadcast(value, count: count) { i, v in fmpz_set(out + i, values + v) }
      }
    }
  }
}

/// Calls `body(element, value index)` for every element of a tensor of `count` elements, with
/// the index of the broadcast constant's value it takes.
@inline(__always)
func forEachBroadcast(_ broadcast: Broadcast, count: Int, _ body: (Int, Int) -> Void) {
  let period = broadcast.constant.count
  let inner = max(broadcast.inner, 1)
  if period == 1 {
    for i in 0..<count { body(i, 0) }
    return
  }
  var v = 0
  var run = 0
  for i in 0..<count {
    body(i, v)
    run += 1
    if run == inner {
      run = 0
      v += 1
      if v == period { v = 0 }
    }
  }
}

/// The integers of `source` multiplied by `factor`, in a new buffer.
func scaledCopy(_ source: FmpzBuffer, by factor: ScaleFactor) -> FmpzBuffer {
  let applier = factor.applier
  let result = FmpzBuffer(count: source.count)
  source.with { s in
    for k in 0..<source.count { applier.apply(result.base + k, s + k) }
  }
  return result
}
