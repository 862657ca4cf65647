import CFixedOrderKernels
import Dispatch

/// A floating-point number type the dense tensor backend computes in.
public protocol DenseScalar: BinaryFloatingPoint, Sendable {
  /// A constant's values in this type (rounded once for float32; exact for float64).
  static func values(of constant: Constant) -> [Self]
  /// `y[n] = a[n, k] · x[k]` (with `adding`: `y += …`), each output in the fixed order of
  /// `CFixedOrderKernels` (the same bits as a row of ``product(_:lda:_:ldb:into:ldc:m:n:k:adding:)``).
  static func matrixVector(_ a: UnsafePointer<Self>, _ x: UnsafePointer<Self>, into y: UnsafeMutablePointer<Self>, n: Int, k: Int, adding: Bool)
  /// `out[i] = sign(x[i] − t)` (−1, 0, 1) for i in 0..<n.
  static func signs(_ x: UnsafePointer<Self>, minus t: Self, into out: UnsafeMutablePointer<Int8>, count n: Int)
  /// `y[i] = x[i]·s₁ + o₁` where `upper[i] ≠ 0`, else `x[i]·s₀ + o₀`, for i in 0..<n.
  static func twoPieces(_ x: UnsafePointer<Self>, _ upper: UnsafePointer<UInt8>, into y: UnsafeMutablePointer<Self>, count n: Int,
                        slopes: (Self, Self), offsets: (Self, Self))
  /// The upper triangle of `c[n, n] = a[n, k] · a[n, k]ᵀ`, the rows of a and c `lda` and `ldc`
  /// apart (a symmetric rank-k update), in the fixed order.
  static func symmetricRankK(_ a: UnsafePointer<Self>, lda: Int, into c: UnsafeMutablePointer<Self>, ldc: Int, n: Int, k: Int)
  /// `c[m, n] = a[m, k] · b[n, k]ᵀ` (with `adding`: `c += …`), the rows of a, b and c `lda`, `ldb`
  /// and `ldc` apart, each output in the fixed order of `CFixedOrderKernels`: the same bits on
  /// every processor, whatever the batch size.
  static func product(_ a: UnsafePointer<Self>, lda: Int, _ b: UnsafePointer<Self>, ldb: Int, into c: UnsafeMutablePointer<Self>, ldc: Int,
                      m: Int, n: Int, k: Int, adding: Bool)
  /// `y[i] = x[i]·s₁ + o₁` where `x[i] > t`, else `x[i]·s₀ + o₀`, for i in 0..<n. For ReLU's
  /// pieces (0·x + 0, 1·x + 0) a select, `x[i]` or 0: the same values for finite x, and 0 for a
  /// NaN or −∞ on the zero piece, as max(x, 0).
  static func twoPieces(_ x: UnsafePointer<Self>, above t: Self, into y: UnsafeMutablePointer<Self>, count n: Int,
                        slopes: (Self, Self), offsets: (Self, Self))
}

extension DenseScalar {
  /// `y[M, N] = x[M, K] · w[N, K]ᵀ` (with `adding`: `y += …`), in the fixed order (a
  /// matrix-vector product for one row, with the same bits).
  @inlinable
  public static func multiply(_ x: UnsafePointer<Self>, _ w: UnsafePointer<Self>, into y: UnsafeMutablePointer<Self>, m: Int, n: Int, k: Int, adding: Bool) {
    if m == 1 {
      matrixVector(w, x, into: y, n: n, k: k, adding: adding)
    } else {
      product(x, lda: k, w, ldb: k, into: y, ldc: n, m: m, n: n, k: k, adding: adding)
    }
  }
}

// Plain loops over raw pointers, specialized for each concrete type, which the compiler
// vectorizes (kept out of line: inlined into their callers' loops they were not).
extension DenseScalar {
  @inline(never)
  @_specialize(where Self == Float)
  @_specialize(where Self == Double)
  public static func signs(_ x: UnsafePointer<Self>, minus t: Self, into out: UnsafeMutablePointer<Int8>, count n: Int) {
    for i in 0..<n { out[i] = (x[i] > t ? 1 : 0) &- (x[i] < t ? 1 : 0) }
  }

  @inline(never)
  @_specialize(where Self == Float)
  @_specialize(where Self == Double)
  public static func twoPieces(_ x: UnsafePointer<Self>, _ upper: UnsafePointer<UInt8>, into y: UnsafeMutablePointer<Self>, count n: Int,
                               slopes: (Self, Self), offsets: (Self, Self)) {
    for i in 0..<n {
      let high = upper[i] != 0
      y[i] = x[i] * (high ? slopes.1 : slopes.0) + (high ? offsets.1 : offsets.0)
    }
  }

  @inline(never)
  @_specialize(where Self == Float)
  @_specialize(where Self == Double)
  public static func twoPieces(_ x: UnsafePointer<Self>, above t: Self, into y: UnsafeMutablePointer<Self>, count n: Int,
                               slopes: (Self, Self), offsets: (Self, Self)) {
    if slopes == (0, 1) && offsets == (0, 0) {
      for i in 0..<n { y[i] = x[i] > t ? x[i] : 0 }
      return
    }
    for i in 0..<n {
      let high = x[i] > t
      y[i] = x[i] * (high ? slopes.1 : slopes.0) + (high ? offsets.1 : offsets.0)
    }
  }
}

extension Float: DenseScalar {
  public static func values(of constant: Constant) -> [Float] { constant.float32 }

  public static func matrixVector(_ a: UnsafePointer<Float>, _ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, n: Int, k: Int, adding: Bool) {
    fixed_order_sgemm_nt(x, k, a, k, y, n, 1, n, k, adding)
  }

  public static func symmetricRankK(_ a: UnsafePointer<Float>, lda: Int, into c: UnsafeMutablePointer<Float>, ldc: Int, n: Int, k: Int) {
    fixed_order_ssyrk_upper(a, lda, c, ldc, n, k)
  }

  public static func product(_ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int, into c: UnsafeMutablePointer<Float>, ldc: Int,
                             m: Int, n: Int, k: Int, adding: Bool) {
    fixed_order_sgemm_nt(a, lda, b, ldb, c, ldc, m, n, k, adding)
  }
}

extension Double: DenseScalar {
  public static func values(of constant: Constant) -> [Double] { constant.values }

  public static func matrixVector(_ a: UnsafePointer<Double>, _ x: UnsafePointer<Double>, into y: UnsafeMutablePointer<Double>, n: Int, k: Int, adding: Bool) {
    fixed_order_dgemm_nt(x, k, a, k, y, n, 1, n, k, adding)
  }

  public static func symmetricRankK(_ a: UnsafePointer<Double>, lda: Int, into c: UnsafeMutablePointer<Double>, ldc: Int, n: Int, k: Int) {
    fixed_order_dsyrk_upper(a, lda, c, ldc, n, k)
  }

  public static func product(_ a: UnsafePointer<Double>, lda: Int, _ b: UnsafePointer<Double>, ldb: Int, into c: UnsafeMutablePointer<Double>, ldc: Int,
                             m: Int, n: Int, k: Int, adding: Bool) {
    fixed_order_dgemm_nt(a, lda, b, ldb, c, ldc, m, n, k, adding)
  }
}

/// A dense row-major tensor of floats: the float inference core's implementation of the
/// operator primitives.
public struct DenseTensor<Scalar: DenseScalar>: TensorAlgebra {
  public var shape: [Int]
  public var elements: [Scalar]

  @inlinable public init(shape: [Int], elements: [Scalar]) {
    precondition(shape.reduce(1, *) == elements.count, "shape \(shape) does not match \(elements.count) elements")
    self.shape = shape
    self.elements = elements
  }

  /// A tensor of `shape` whose elements `body` writes into zero-initialized storage.
  @inlinable public init(shape: [Int], _ body: (UnsafeMutableBufferPointer<Scalar>) -> Void) {
    let count = shape.reduce(1, *)
    self.shape = shape
    self.elements = [Scalar](unsafeUninitializedCapacity: count) { buffer, initialized in
      buffer.initialize(repeating: 0)
      body(buffer)
      initialized = count
    }
  }

  /// A tensor of `shape` whose elements `body` writes, every one of them (no zero-filling first).
  @inlinable init(writing shape: [Int], _ body: (UnsafeMutableBufferPointer<Scalar>) -> Void) {
    let count = shape.reduce(1, *)
    self.shape = shape
    self.elements = [Scalar](unsafeUninitializedCapacity: count) { buffer, initialized in
      body(buffer)
      initialized = count
    }
  }

  @inlinable public func reshaped(_ shape: [Int]) -> DenseTensor {
    DenseTensor(shape: shape, elements: elements)
  }

  @inlinable public func gathered(_ map: IndexMap, shape: [Int]) -> DenseTensor {
    let blocks = elements.count / map.inputBlock
    return DenseTensor(shape: shape) { out in
      elements.withUnsafeBufferPointer { x in
        map.indices.withUnsafeBufferPointer { indices in
          for block in 0..<blocks {
            let source = block * map.inputBlock
            let target = block * indices.count
            for j in 0..<indices.count where indices[j] >= 0 {
              out[target + j] = x[source + Int(indices[j])]
            }
          }
        }
      }
    }
  }

  @inlinable public static func concatenated(_ parts: [DenseTensor], blockSizes: [Int], shape: [Int]) -> DenseTensor {
    let blocks = parts[0].elements.count / blockSizes[0]
    var elements: [Scalar] = []
    elements.reserveCapacity(shape.reduce(1, *))
    for block in 0..<blocks {
      for (part, size) in zip(parts, blockSizes) {
        elements.append(contentsOf: part.elements[(block * size)..<((block + 1) * size)])
      }
    }
    return DenseTensor(shape: shape, elements: elements)
  }

  @inlinable public func multiplied(byTransposeOf weight: Constant) -> DenseTensor {
    let (n, k) = (weight.shape[0], weight.shape[1])
    let m = elements.count / k
    let w = Scalar.values(of: weight)
    return DenseTensor(writing: Array(shape.dropLast()) + [n]) { out in
      guard m > 0, n > 0 else { return }
      if k == 0 {
        out.initialize(repeating: 0)
        return
      }
      elements.withUnsafeBufferPointer { x in
        w.withUnsafeBufferPointer { w in
          Scalar.multiply(x.baseAddress!, w.baseAddress!, into: out.baseAddress!, m: m, n: n, k: k, adding: false)
        }
      }
    }
  }

  /// The product with the bias added inside it: the output starts as the broadcast bias and
  /// BLAS accumulates the product onto it (one pass over the output instead of two).
  @inlinable public func multiplied(byTransposeOf weight: Constant, shiftedBy bias: Broadcast) -> DenseTensor {
    let (n, k) = (weight.shape[0], weight.shape[1])
    guard k > 0, n > 0 else { return multiplied(byTransposeOf: weight).shifted(by: bias) }
    let m = elements.count / k
    let w = Scalar.values(of: weight)
    let values = Scalar.values(of: bias.constant)
    return DenseTensor(writing: Array(shape.dropLast()) + [n]) { out in
      guard m > 0 else { return }
      values.withUnsafeBufferPointer { c in
        if bias.inner == 1 && c.count == n {
          for row in 0..<m { (out.baseAddress! + row * n).initialize(from: c.baseAddress!, count: n) }
        } else if c.count == 1 {
          out.initialize(repeating: c[0])
        } else {
          for i in 0..<out.count { out[i] = c[bias.index(of: i)] }
        }
      }
      elements.withUnsafeBufferPointer { x in
        w.withUnsafeBufferPointer { w in
          Scalar.multiply(x.baseAddress!, w.baseAddress!, into: out.baseAddress!, m: m, n: n, k: k, adding: true)
        }
      }
    }
  }

  @inlinable public func adding(_ other: DenseTensor) -> DenseTensor {
    combined(with: other, +)
  }

  @inlinable public func subtracting(_ other: DenseTensor) -> DenseTensor {
    combined(with: other, -)
  }

  @inlinable func combined(with other: DenseTensor, _ operation: (Scalar, Scalar) -> Scalar) -> DenseTensor {
    DenseTensor(writing: shape) { out in
      elements.withUnsafeBufferPointer { a in
        other.elements.withUnsafeBufferPointer { b in
          for i in 0..<a.count { out[i] = operation(a[i], b[i]) }
        }
      }
    }
  }

  /// Applies `operation(element, constant)` with a broadcast constant.
  @inlinable func combined(with constant: Broadcast, _ operation: (Scalar, Scalar) -> Scalar) -> DenseTensor {
    let values = Scalar.values(of: constant.constant)
    let inner = constant.inner, period = values.count
    return DenseTensor(writing: shape) { out in
      elements.withUnsafeBufferPointer { a in
        values.withUnsafeBufferPointer { c in
          if period == 1 {
            let value = c[0]
            for i in 0..<a.count { out[i] = operation(a[i], value) }
            return
          }
          if inner == 1 {
            // A constant along the last axis (a bias): whole rows at a time.
            for row in stride(from: 0, to: a.count, by: period) {
              for v in 0..<period { out[row + v] = operation(a[row + v], c[v]) }
            }
            return
          }
          var i = 0
          while i < a.count {
            for v in 0..<period {
              let value = c[v]
              for _ in 0..<inner {
                out[i] = operation(a[i], value)
                i += 1
              }
            }
          }
        }
      }
    }
  }

  @inlinable public func scaled(by factor: Broadcast) -> DenseTensor { combined(with: factor, *) }
  @inlinable public func divided(by divisor: Broadcast) -> DenseTensor { combined(with: divisor, /) }
  @inlinable public func shifted(by offset: Broadcast) -> DenseTensor { combined(with: offset, +) }

  /// Each piece as x ↦ slope·x + offset when all have scalar parameters (exact in floating
  /// point: x·1 + 0 = x, x·0 + v = v), else nil.
  @usableFromInline static func scalarPieces(_ pieces: [Piece]) -> (slopes: [Scalar], offsets: [Scalar])? {
    var slopes: [Scalar] = [], offsets: [Scalar] = []
    for piece in pieces {
      switch piece {
      case .zero: slopes.append(0); offsets.append(0)
      case .identity: slopes.append(1); offsets.append(0)
      case .scaled(let b) where b.isScalar: slopes.append(Scalar.values(of: b.constant)[0]); offsets.append(0)
      case .constant(let b) where b.isScalar: slopes.append(0); offsets.append(Scalar.values(of: b.constant)[0])
      default: return nil
      }
    }
    return (slopes, offsets)
  }

  /// Two scalar pieces around one scalar breakpoint (ReLU, LeakyReLU, Abs) in one pass, without
  /// materializing the choices; otherwise the choices, then the pieces.
  @inlinable public func piecewise(_ pieces: [Piece], breakpoints: [Broadcast]) -> DenseTensor {
    guard pieces.count == 2, breakpoints.count == 1, breakpoints[0].isScalar, let (slopes, offsets) = Self.scalarPieces(pieces) else {
      return piecewise(pieces, choices: Plan.choose(self, breakpoints).0)
    }
    let threshold = Scalar.values(of: breakpoints[0].constant)[0]
    return DenseTensor(writing: shape) { out in
      elements.withUnsafeBufferPointer { a in
        guard let x = a.baseAddress, let y = out.baseAddress else { return }
        Scalar.twoPieces(x, above: threshold, into: y, count: a.count, slopes: (slopes[0], slopes[1]), offsets: (offsets[0], offsets[1]))
      }
    }
  }

  @inlinable public func piecewise(_ pieces: [Piece], choices: [UInt8]) -> DenseTensor {
    guard let (slopes, offsets) = Self.scalarPieces(pieces) else { return piecewiseBroadcast(pieces, choices: choices) }
    return DenseTensor(writing: shape) { out in
      elements.withUnsafeBufferPointer { a in
        choices.withUnsafeBufferPointer { choices in
          slopes.withUnsafeBufferPointer { slopes in
            offsets.withUnsafeBufferPointer { offsets in
              let period = choices.count
              if slopes.count == 2 {
                // Two pieces (ReLU, LeakyReLU, Abs, one-sided Clip): a select instead of a lookup.
                guard let x = a.baseAddress, let y = out.baseAddress, let choice = choices.baseAddress else { return }
                for start in stride(from: 0, to: a.count, by: period) {
                  Scalar.twoPieces(x + start, choice, into: y + start, count: period,
                                   slopes: (slopes[0], slopes[1]), offsets: (offsets[0], offsets[1]))
                }
                return
              }
              var i = 0
              while i < a.count {
                for k in 0..<period {
                  let c = Int(choices[k])
                  out[i + k] = a[i + k] * slopes[c] + offsets[c]
                }
                i += period
              }
            }
          }
        }
      }
    }
  }

  /// The general case: pieces whose slope or offset varies over the elements (PRelu).
  @usableFromInline func piecewiseBroadcast(_ pieces: [Piece], choices: [UInt8]) -> DenseTensor {
    let tables = pieces.map { piece -> (slope: [Scalar], offset: [Scalar], broadcast: Broadcast) in
      switch piece {
      case .zero: return ([0], [0], Broadcast(scalar: 0))
      case .identity: return ([1], [0], Broadcast(scalar: 0))
      case .scaled(let b): return (Scalar.values(of: b.constant), [0], b)
      case .constant(let b): return ([0], Scalar.values(of: b.constant), b)
      }
    }
    return DenseTensor(writing: shape) { out in
      for i in 0..<elements.count {
        let table = tables[Int(choices[i % choices.count])]
        let k = table.broadcast.index(of: i)
        out[i] = elements[i] * table.slope[table.slope.count == 1 ? 0 : k] + table.offset[table.offset.count == 1 ? 0 : k]
      }
    }
  }

  @inlinable public func signs(minus threshold: Broadcast) -> [Int8] {
    let values = Scalar.values(of: threshold.constant)
    return [Int8](unsafeUninitializedCapacity: elements.count) { out, initialized in
      elements.withUnsafeBufferPointer { a in
        if values.count == 1 {
          let t = values[0]
          guard let a = a.baseAddress, let out = out.baseAddress else { return }
          Scalar.signs(a, minus: t, into: out, count: elements.count)
        } else {
          for i in 0..<a.count {
            let t = values[threshold.index(of: i)]
            out[i] = a[i] > t ? 1 : (a[i] < t ? -1 : 0)
          }
        }
      }
      initialized = elements.count
    }
  }

  @inlinable public func argmax(over windows: IndexMap, window: Int) -> (choices: [UInt8], ties: Int) {
    let blocks = elements.count / windows.inputBlock
    let outputs = windows.outputBlock / window
    var choices = [UInt8](repeating: 0, count: blocks * outputs)
    var ties = 0
    for block in 0..<blocks {
      let base = block * windows.inputBlock
      for j in 0..<outputs {
        var best = -1
        var tied = false
        for k in 0..<window {
          let index = windows.indices[j * window + k]
          guard index >= 0 else { continue }
          let value = elements[base + Int(index)]
          if best < 0 {
            best = k
            tied = false
          } else {
            let current = elements[base + Int(windows.indices[j * window + best])]
            if value > current { best = k; tied = false } else if value == current { tied = true }
          }
        }
        choices[block * outputs + j] = UInt8(max(best, 0))
        if tied { ties += 1 }
      }
    }
    return (choices, ties)
  }

  @inlinable public static func filled(with value: Broadcast, shape: [Int]) -> DenseTensor {
    let values = Scalar.values(of: value.constant)
    return DenseTensor(writing: shape) { out in
      for i in 0..<out.count { out[i] = values[value.index(of: i)] }
    }
  }
}

/// `c[n, n] = a[n, k] · a[n, k]ᵀ`, both triangles, through the symmetric rank-k update (half
/// the products of a general matrix product): the Gram matrices of the explainers' regressions.
///
/// A large one (n ≥ 128 and n²·k ≥ 10⁸) is computed in two halves of equal work on two threads:
/// the diagonal blocks of the first n/2 and the last n − n/2 rows, and the block between them.
/// Every entry is computed in the same fixed order either way.
@_specialize(where S == Float)
@_specialize(where S == Double)
public func symmetricProduct<S: DenseScalar>(_ a: UnsafePointer<S>, into c: UnsafeMutablePointer<S>, n: Int, k: Int) {
  guard n > 0 else { return }
  guard k > 0 else {
    c.update(repeating: 0, count: n * n)
    return
  }
  if n >= 128 && Double(n) * Double(n) * Double(k) >= 1e8 {
    let (p, q) = (n / 2, n - n / 2)
    let (sa, sc) = (UncheckedPointer(UnsafeMutablePointer(mutating: a)), UncheckedPointer(c))
    DispatchQueue.concurrentPerform(iterations: 2) { part in
      let (a, c) = (UnsafePointer(sa.pointer), sc.pointer)
      if part == 0 {
        S.symmetricRankK(a, lda: k, into: c, ldc: n, n: p, k: k)
        S.symmetricRankK(a + p * k, lda: k, into: c + p * n + p, ldc: n, n: q, k: k)
      } else {
        S.product(a, lda: k, a + p * k, ldb: k, into: c + p, ldc: n, m: p, n: q, k: k, adding: false)
      }
    }
  } else {
    S.symmetricRankK(a, lda: k, into: c, ldc: n, n: n, k: k)
  }
  for i in 1..<max(n, 1) {
    for j in 0..<i { c[i * n + j] = c[j * n + i] }
  }
}

/// Solves `a·x = b` for a symmetric positive definite `a` [n, n] (row-major) by Cholesky
/// factorisation and two triangular solves, in the fixed order of `CFixedOrderKernels`; `b`
/// becomes x. False, with `b` unchanged, when `a` is not positive definite in floating point.
public func solvePositiveDefinite(_ a: [Double], _ b: inout [Double], n: Int) -> Bool {
  guard n > 0 else { return true }
  precondition(a.count == n * n && b.count == n, "solvePositiveDefinite: a is not \(n)×\(n) or b has not \(n) entries")
  var factor = [Double](repeating: 0, count: n * n)
  return fixed_order_cholesky_solve(a, &factor, &b, n)
}

/// A pointer handed to concurrent work on disjoint parts of its memory.
struct UncheckedPointer<T>: @unchecked Sendable {
  let pointer: UnsafeMutablePointer<T>
  init(_ pointer: UnsafeMutablePointer<T>) { self.pointer = pointer }
}
