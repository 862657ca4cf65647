/// A constant tensor of the model: an initializer, a `Constant` node, or a value derived from them.
///
/// Values are kept as `Double`, which represents every stored float32 and float64 exactly;
/// `float32` holds the same values rounded once to the model's float type for the float core.
public final class Constant: Sendable {
  /// The tensor's dimensions (empty for a scalar).
  public let shape: [Int]
  /// The exact values, in C (row-major) order.
  public let values: [Double]
  /// The values as float32, the precision of the float inference core.
  public let float32: [Float]

  public init(shape: [Int], values: [Double]) {
    precondition(shape.reduce(1, *) == values.count, "constant shape does not match its values")
    self.shape = shape
    self.values = values
    self.float32 = values.map { Float($0) }
  }

  /// A constant whose values are float32 numbers (kept exactly).
  public convenience init(shape: [Int], float32 values: [Float]) {
    self.init(shape: shape, values: values.map(Double.init))
  }

  /// A scalar constant.
  public convenience init(scalar: Double) {
    self.init(shape: [], values: [scalar])
  }

  /// Number of elements.
  public var count: Int { values.count }

  /// The values as integers (for shapes, axes and indices stored as tensors), truncated, and
  /// saturated at the ends of `Int` (exporters write `INT64_MAX` for "to the end").
  public var integers: [Int] { values.map { $0 >= 0x1p63 ? Int.max : $0 <= -0x1p63 ? Int.min : Int($0) } }

  /// The same values with another shape of equal size.
  public func reshaped(_ shape: [Int]) -> Constant {
    Constant(shape: shape, values: values)
  }

  /// The values negated (exact).
  public func negated() -> Constant {
    Constant(shape: shape, values: values.map { -$0 })
  }
}
