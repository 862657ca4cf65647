import Foundation
import Model

extension OutputLink {
  /// Applies the link in floating point (it is not piecewise linear, so it has no exact form).
  /// `x` has a leading copies dimension before the value's own axes.
  public func apply<Scalar: DenseScalar>(to x: DenseTensor<Scalar>) -> DenseTensor<Scalar> {
    switch self {
    case .sigmoid:
      return DenseTensor(shape: x.shape, elements: x.elements.map { 1 / (1 + Scalar(Foundation.exp(-Double($0)))) })
    case .softmax(let axis), .logSoftmax(let axis):
      let rank = x.shape.count - 1
      let a = (axis < 0 ? axis + rank : axis) + 1
      let inner = x.shape[(a + 1)...].reduce(1, *)
      let size = x.shape[a]
      let outer = x.elements.count / (inner * size)
      var out = x.elements
      for o in 0..<outer {
        for i in 0..<inner {
          let base = o * size * inner + i
          var largest = -Double.infinity
          for k in 0..<size { largest = max(largest, Double(x.elements[base + k * inner])) }
          var total = 0.0
          for k in 0..<size { total += Foundation.exp(Double(x.elements[base + k * inner]) - largest) }
          for k in 0..<size {
            let shifted = Double(x.elements[base + k * inner]) - largest
            out[base + k * inner] = Scalar(self == .sigmoid ? 0 : (isLog ? shifted - Foundation.log(total) : Foundation.exp(shifted) / total))
          }
        }
      }
      return DenseTensor(shape: x.shape, elements: out)
    }
  }

  private var isLog: Bool {
    if case .logSoftmax = self { return true }
    return false
  }
}
