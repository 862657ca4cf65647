import CFLINT
import ExactArithmetic
import Model

/// A tensor of exact rational numbers: the exact backend of the operator primitives.
///
/// Element `i` is `entries[i] · scale`: arbitrary-precision integers (FLINT `fmpz`) times one
/// positive scale that the whole tensor shares. The scale is a power of two as long as only
/// dyadic numbers enter (every float input and weight is one), so products and sums are integer
/// multiply-adds with no gcd — the dyadic fast path. Only ``divided(by:)`` by a number that is
/// not a power of two (average pooling's window counts) makes it a general fraction, still
/// shared by every element. Tensors with different scales are combined by first multiplying
/// the integers by the integer ratios of their scales to a common one.
///
/// The semantics of every primitive are those of ``DenseTensor`` (see ``TensorAlgebra``),
/// computed exactly. Model constants are converted exactly from their float values, once per
/// constant object (see `ConstantCache`).
///
/// `ExactTensor` is a value type: its integers are never changed after the tensor is built, so
/// copies (and tensors made by ``reshaped(_:)``) share them, and they are freed with the last one.
public struct ExactTensor: TensorAlgebra {
  public let shape: [Int]
  let buffer: FmpzBuffer
  let unit: ExactScale

  init(shape: [Int], buffer: FmpzBuffer, unit: ExactScale) {
    precondition(shape.reduce(1, *) == buffer.count, "shape \(shape) does not match \(buffer.count) elements")
    self.shape = shape
    self.buffer = buffer
    self.unit = unit
  }

  /// A tensor of `shape` whose integers `body` writes into zero-initialized storage.
  @inline(__always)
  static func make(shape: [Int], unit: ExactScale, _ body: (UnsafeMutablePointer<fmpz>, Int) throws -> Void) rethrows -> ExactTensor {
    let count = shape.reduce(1, *)
    let buffer = FmpzBuffer(count: count)
    try buffer.with { try body($0, count) }
    return ExactTensor(shape: shape, buffer: buffer, unit: unit)
  }

  /// A tensor of `shape` whose words `body` copies from `owners` (whose GMP integers it shares),
  /// into zero-initialized storage. `body` must only assign words, never call FLINT on them.
  @inline(__always)
  static func sharing(_ owners: [FmpzBuffer], shape: [Int], unit: ExactScale, _ body: (UnsafeMutablePointer<fmpz>, Int) -> Void) -> ExactTensor {
    let count = shape.reduce(1, *)
    let buffer = FmpzBuffer(count: count, sharingWith: owners)
    buffer.with { body($0, count) }
    return ExactTensor(shape: shape, buffer: buffer, unit: unit)
  }

  /// The exact values of a float64 tensor.
  /// - Throws: ``NonFiniteValueError`` naming the first NaN or infinity.
  public init(exactly tensor: DenseTensor<Double>) throws(NonFiniteValueError) {
    if let bad = tensor.elements.firstIndex(where: { !$0.isFinite }) {
      throw nonFinite(tensor.elements[bad], index: bad)
    }
    let buffer = FmpzBuffer(count: tensor.elements.count)
    let exponent = tensor.elements.withUnsafeBufferPointer { writeDyadicIntegers($0, into: buffer.base) }
    self.init(shape: tensor.shape, buffer: buffer, unit: .powerOfTwo(exponent))
  }

  /// The exact values of a float32 tensor.
  /// - Throws: ``NonFiniteValueError`` naming the first NaN or infinity.
  public init(exactly tensor: DenseTensor<Float>) throws(NonFiniteValueError) {
    if let bad = tensor.elements.firstIndex(where: { !$0.isFinite }) {
      throw nonFinite(Double(tensor.elements[bad]), index: bad)
    }
    try self.init(exactly: DenseTensor<Double>(shape: tensor.shape, elements: tensor.elements.map(Double.init)))
  }

  /// `n` copies of the unit vectors: copy `j` is `e_j`, shape `[n] + shape` (`shape` must hold
  /// `n` elements). Evaluating the linear part of a region on it gives the columns of A.
  public static func identity(count n: Int, shape: [Int]) -> ExactTensor {
    precondition(shape.reduce(1, *) == n, "the identity needs a shape of \(n) elements, not \(shape)")
    return make(shape: [n] + shape, unit: .powerOfTwo(0)) { entries, _ in
      for j in 0..<n { fmpz_one(entries + (j * n + j)) }
    }
  }

  /// Forgets the exact conversions of model constants made so far (each constant is converted
  /// once and kept while it is alive; this returns the memory, e.g. after a model is unloaded).
  public static func removeCachedConstants() {
    ConstantCache.removeAll()
  }

  /// Number of elements.
  public var elementCount: Int { buffer.count }

  /// Whether every element is zero.
  public var isZero: Bool {
    buffer.with { entries in (0..<elementCount).allSatisfy { entries[$0] == 0 } }
  }

  /// The scale every integer entry is multiplied by.
  public var scale: Rational { unit.value }

  /// Whether the scale is a power of two (the dyadic fast path).
  public var isDyadic: Bool { unit.isDyadic }

  /// The value of one element (row-major order over ``shape``).
  public func value(at flatIndex: Int) -> Rational {
    precondition(flatIndex >= 0 && flatIndex < elementCount, "element index out of range")
    return buffer.with { rational(of: $0 + flatIndex, scale: unit) }
  }

  /// Every element's value, row-major.
  public var values: [Rational] {
    let scale = unit
    return buffer.with { entries in (0..<elementCount).map { rational(of: entries + $0, scale: scale) } }
  }

  /// The sign (-1, 0 or 1) of one element.
  public func sign(at flatIndex: Int) -> Int {
    precondition(flatIndex >= 0 && flatIndex < elementCount, "element index out of range")
    return buffer.with { Int(fmpz_sgn($0 + flatIndex)) }
  }

  /// Every element rounded once to the nearest double (ties to even).
  public func roundedToDouble() -> DenseTensor<Double> {
    let scale = unit
    return DenseTensor(shape: shape) { out in
      buffer.with { entries in
        if scale.isDyadic {
          for i in 0..<out.count { out[i] = roundedDouble(entries + i, exponent: scale.exponent) }
        } else {
          let value = scale.value
          for i in 0..<out.count where entries[i] != 0 {
            out[i] = Double(Rational(exactInteger(entries + i)) * value)
          }
        }
      }
    }
  }
}

/// The error for a NaN or an infinity at `index`.
func nonFinite(_ value: Double, index: Int) -> NonFiniteValueError {
  NonFiniteValueError(kind: value.isNaN ? .notANumber : (value < 0 ? .negativeInfinity : .positiveInfinity), index: index)
}

/// `entry · scale` as a rational.
func rational(of entry: UnsafePointer<fmpz>, scale: ExactScale) -> Rational {
  if entry.pointee == 0 { return Rational() }
  let integer = exactInteger(entry)
  if let ratio = scale.ratio {
    return (Rational(integer) * ratio).multiplied(byPowerOfTwo: scale.exponent)
  }
  return Rational(Dyadic(mantissa: integer, exponent: scale.exponent))
}

extension ExactTensor: Equatable {
  /// Equal shapes and equal values (whatever the scales).
  public static func == (lhs: ExactTensor, rhs: ExactTensor) -> Bool {
    guard lhs.shape == rhs.shape else { return false }
    if lhs.buffer === rhs.buffer && lhs.unit == rhs.unit { return true }
    let (_, factors) = ExactScale.common([lhs.unit, rhs.unit])
    let (a, b) = (factors[0].applier, factors[1].applier)
    let left = FmpzBuffer(count: 1)
    let right = FmpzBuffer(count: 1)
    return lhs.buffer.with { x in
      rhs.buffer.with { y in
        for i in 0..<lhs.elementCount {
          a.apply(left.base, x + i)
          b.apply(right.base, y + i)
          if fmpz_equal(left.base, right.base) == 0 { return false }
        }
        return true
      }
    }
  }
}

extension ExactTensor: CustomStringConvertible {
  public var description: String {
    let shown = values.prefix(16).map { "\($0)" }.joined(separator: ", ")
    return "ExactTensor(shape: \(shape), scale: \(scale), values: [\(shown)\(elementCount > 16 ? ", …" : "")])"
  }
}
