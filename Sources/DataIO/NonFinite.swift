//===--- NonFinite.swift ---------------------------------------------------===//
//
// This source file is part of the ExplainCert project.
//
//===----------------------------------------------------------------------===//

extension NumericArray {
  /// Whether any element is NaN or infinite (always `false` for `int64`).
  public var hasNonFinite: Bool { firstNonFiniteIndex != nil }

  /// The row-major (flat) index of the first NaN or infinite element, or
  /// `nil` if every element is finite. Use `multiIndex(ofFlatIndex:)` to
  /// turn it into a position.
  public var firstNonFiniteIndex: Int? {
    switch elements {
    case .float32(let values): values.firstIndex { !$0.isFinite }
    case .float64(let values): values.firstIndex { !$0.isFinite }
    case .int64: nil
    }
  }
}
