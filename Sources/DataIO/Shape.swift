extension Array where Element == Int {
  /// The number of elements of a tensor of this shape, or nil when a dimension is negative or
  /// the product overflows: the one size computation every untrusted shape goes through.
  public var elementCount: Int? {
    var count = 1
    for d in self {
      guard d >= 0 else { return nil }
      let (product, overflow) = count.multipliedReportingOverflow(by: d)
      guard !overflow else { return nil }
      count = product
    }
    return count
  }
}
