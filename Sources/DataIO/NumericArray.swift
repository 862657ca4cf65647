//===--- NumericArray.swift ------------------------------------------------===//
//
// This source file is part of the ExplainCert project.
//
//===----------------------------------------------------------------------===//

/// A dense array of numbers with a shape, stored in row-major (C) order.
///
/// The number of elements equals the product of `shape`; an empty shape
/// denotes a scalar holding exactly one element, and any zero extent gives
/// an empty array. Every reader in this module produces arrays that satisfy
/// this invariant, and every writer checks it (see `isConsistent`) and
/// throws rather than writing a malformed file.
///
/// Equality is element-wise, so arrays containing NaN never compare equal.
public struct NumericArray: Equatable, Sendable {
  /// The dimensions of the array, outermost first.
  public var shape: [Int]

  /// The elements in row-major order, tagged with their scalar type.
  public var elements: Elements

  /// Creates an array from a shape and row-major elements.
  ///
  /// The caller is responsible for `elements.count` matching the product
  /// of `shape`; use `isConsistent` to check.
  public init(shape: [Int], elements: Elements) {
    self.shape = shape
    self.elements = elements
  }
}

extension NumericArray {
  /// The number of elements.
  public var count: Int { elements.count }

  /// The number of dimensions (0 for a scalar).
  public var rank: Int { shape.count }

  /// The NumPy name of the scalar type: `"float32"`, `"float64"` or `"int64"`.
  public var scalarTypeName: String { elements.scalarTypeName }

  /// The elements converted to `Double` (exact for `float32`; `int64`
  /// values beyond 2⁵³ are rounded).
  public var asDoubles: [Double] { elements.asDoubles }

  /// The elements converted to `Float` (rounded to nearest).
  public var asFloats: [Float] { elements.asFloats }

  /// Whether every extent is non-negative and their product equals `count`.
  public var isConsistent: Bool {
    NumericArray.elementCount(ofShape: shape) == count
  }

  /// The number of elements a shape describes, or `nil` if an extent is
  /// negative or the product overflows `Int`.
  public static func elementCount(ofShape shape: [Int]) -> Int? { shape.elementCount }

  /// The multi-dimensional index of the element at `flatIndex` in
  /// row-major order, or `nil` if `flatIndex` is out of range or the array
  /// is not consistent.
  public func multiIndex(ofFlatIndex flatIndex: Int) -> [Int]? {
    guard isConsistent, flatIndex >= 0, flatIndex < count else { return nil }
    var index = [Int](repeating: 0, count: shape.count)
    var remainder = flatIndex
    for axis in shape.indices.reversed() {
      index[axis] = remainder % shape[axis]
      remainder /= shape[axis]
    }
    return index
  }
}

/// Formats a multi-index the way errors in this module name positions,
/// e.g. `[3][1]`; the empty index (the whole array) is `[]`.
func indexPathDescription(_ path: [Int]) -> String {
  path.isEmpty ? "[]" : path.map { "[\($0)]" }.joined()
}
