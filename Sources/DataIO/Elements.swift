//===--- Elements.swift ----------------------------------------------------===//
//
// This source file is part of the ExplainCert project.
//
//===----------------------------------------------------------------------===//

extension NumericArray {
  /// The row-major storage of a `NumericArray`, tagged with its scalar type.
  public enum Elements: Equatable, Sendable {
    /// IEEE 754 binary32 values (NumPy `float32`).
    case float32([Float])
    /// IEEE 754 binary64 values (NumPy `float64`).
    case float64([Double])
    /// Signed 64-bit integers (NumPy `int64`).
    case int64([Int64])
  }
}

extension NumericArray.Elements {
  /// The number of elements.
  public var count: Int {
    switch self {
    case .float32(let values): values.count
    case .float64(let values): values.count
    case .int64(let values): values.count
    }
  }

  /// The NumPy name of the scalar type: `"float32"`, `"float64"` or `"int64"`.
  public var scalarTypeName: String {
    switch self {
    case .float32: "float32"
    case .float64: "float64"
    case .int64: "int64"
    }
  }

  /// The size of one element in bytes.
  public var itemSize: Int {
    switch self {
    case .float32: MemoryLayout<Float>.size
    case .float64: MemoryLayout<Double>.size
    case .int64: MemoryLayout<Int64>.size
    }
  }

  /// The elements converted to `Double` (exact for `float32`; `int64`
  /// values beyond 2⁵³ are rounded).
  public var asDoubles: [Double] {
    switch self {
    case .float32(let values): values.map(Double.init)
    case .float64(let values): values
    case .int64(let values): values.map(Double.init)
    }
  }

  /// The elements converted to `Float` (rounded to nearest).
  public var asFloats: [Float] {
    switch self {
    case .float32(let values): values
    case .float64(let values): values.map(Float.init)
    case .int64(let values): values.map(Float.init)
    }
  }
}
