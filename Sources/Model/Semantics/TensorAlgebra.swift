/// The primitive operations every operator's semantics is written in.
///
/// A conforming type is a tensor of real numbers in some number system: float32, float64, or
/// exact rationals. Its leading dimension counts independent copies of the network's value
/// (one input, or the unit vectors of a Jacobian); the rest is the value's ONNX shape. Operators
/// are implemented once, generically, on these primitives (see `Evaluation.swift`), so the float
/// core and the exact engine cannot drift apart.
///
/// Primitives work on *blocks*: an ``IndexMap`` or a ``Broadcast`` describes one block and is
/// repeated over all the blocks the tensor holds.
public protocol TensorAlgebra: Sendable {
  /// The dimensions, the first one counting copies.
  var shape: [Int] { get }

  /// The same elements with another shape of equal size.
  func reshaped(_ shape: [Int]) -> Self

  /// `out[block b, j] = self[block b, map.indices[j]]`, or zero where the index is negative.
  func gathered(_ map: IndexMap, shape: [Int]) -> Self

  /// For each block, the parts' blocks one after another (`blockSizes[i]` is part i's block).
  static func concatenated(_ parts: [Self], blockSizes: [Int], shape: [Int]) -> Self

  /// Contraction of the last axis with a weight matrix: `out[..., o] = Σᵢ self[..., i] · W[o, i]`.
  func multiplied(byTransposeOf weight: Constant) -> Self

  /// `multiplied(byTransposeOf: weight).shifted(by: bias)`: a dense layer's affine map, one
  /// primitive so that a backend may add the bias inside the product (the default does exactly
  /// the two steps).
  func multiplied(byTransposeOf weight: Constant, shiftedBy bias: Broadcast) -> Self

  /// Elementwise sum and difference of two tensors of the same shape.
  func adding(_ other: Self) -> Self
  func subtracting(_ other: Self) -> Self

  /// Elementwise product, quotient and sum with a broadcast constant.
  func scaled(by factor: Broadcast) -> Self
  func divided(by divisor: Broadcast) -> Self
  func shifted(by offset: Broadcast) -> Self

  /// For each element, one of the affine `pieces`, chosen by `choices` (repeated over the tensor).
  func piecewise(_ pieces: [Piece], choices: [UInt8]) -> Self

  /// For each element, the piece after as many of the ascending `breakpoints` as lie strictly
  /// below it: `piecewise(pieces, choices:)` with the choices the values make (a backend may
  /// fuse the two).
  func piecewise(_ pieces: [Piece], breakpoints: [Broadcast]) -> Self

  /// The sign (-1, 0, 1) of `self − threshold` for every element.
  func signs(minus threshold: Broadcast) -> [Int8]

  /// For each window (`window` consecutive entries of `windows.indices`, negative = padding) in
  /// each block, the position within the window of its first largest element; and how many
  /// windows hold a tie for the largest.
  func argmax(over windows: IndexMap, window: Int) -> (choices: [UInt8], ties: Int)

  /// A tensor holding a broadcast constant everywhere.
  static func filled(with value: Broadcast, shape: [Int]) -> Self
}

extension TensorAlgebra {
  public func multiplied(byTransposeOf weight: Constant, shiftedBy bias: Broadcast) -> Self {
    multiplied(byTransposeOf: weight).shifted(by: bias)
  }

  public func piecewise(_ pieces: [Piece], breakpoints: [Broadcast]) -> Self {
    piecewise(pieces, choices: Plan.choose(self, breakpoints).0)
  }
}

/// An index map from an input block to an output block, applied to every block of a tensor.
public struct IndexMap: Sendable {
  /// For each output element of a block, the input element of the same block (or -1 for zero).
  public var indices: [Int32]
  /// Number of elements in one input block.
  public var inputBlock: Int

  public init(indices: [Int32], inputBlock: Int) {
    self.indices = indices
    self.inputBlock = inputBlock
  }

  /// Number of elements in one output block.
  public var outputBlock: Int { indices.count }
}

/// A constant broadcast over a tensor: element `e` takes `values[(e / inner) % values.count]`.
public struct Broadcast: Sendable {
  public var constant: Constant
  public var inner: Int

  public init(_ constant: Constant, inner: Int = 1) {
    self.constant = constant
    self.inner = inner
  }

  /// A scalar everywhere.
  public init(scalar: Double) {
    self.init(Constant(scalar: scalar))
  }

  public var values: [Double] { constant.values }
  public var isScalar: Bool { constant.count == 1 }

  /// The value that element `e` takes.
  @inlinable public func index(of element: Int) -> Int {
    (element / inner) % constant.count
  }
}

/// One affine piece of a piecewise-linear function of one variable.
public enum Piece: Sendable {
  /// `x ↦ 0`.
  case zero
  /// `x ↦ x`.
  case identity
  /// `x ↦ slope · x`.
  case scaled(Broadcast)
  /// `x ↦ value`.
  case constant(Broadcast)
}
