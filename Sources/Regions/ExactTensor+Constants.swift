import CFLINT
import Model
import Synchronization

/// A model constant as integers with one shared power of two: `values[k] = integers[k] · 2^exponent`.
final class IntegerConstant: Sendable {
  /// Row-major like the constant, or the transpose of a matrix (see ``ConstantLayout``).
  let integers: FmpzBuffer
  let exponent: Int
  /// Whether every value is zero.
  let isZero: Bool

  init(integers: FmpzBuffer, exponent: Int) {
    self.integers = integers
    self.exponent = exponent
    var zero = true
    for k in 0..<integers.count where integers.base[k] != 0 {
      zero = false
      break
    }
    isZero = zero
  }

  /// Converts `values` (in the given order) exactly.
  convenience init(values: [Double]) {
    let integers = FmpzBuffer(count: values.count)
    let exponent = values.withUnsafeBufferPointer { writeDyadicIntegers($0, into: integers.base) }
    self.init(integers: integers, exponent: exponent)
  }
}

/// How a cached constant's integers are laid out.
enum ConstantLayout: Int, Sendable {
  /// The constant's own row-major order.
  case rowMajor
  /// A matrix `[n, k]` stored as its transpose `[k, n]` (the right operand of a product).
  case transposed
}

/// Exact conversions of model constants, made once per constant object and process.
///
/// Small constants (a scalar made on the fly by `Broadcast(scalar:)`, say) are converted on each
/// use and never cached. Entries refer to their constant weakly, so the cache does not keep a
/// model's weights alive; an entry whose constant has gone is recognised (its identifier may have
/// been reused by a new object) and replaced, and dead entries are swept as the cache grows.
enum ConstantCache {
  /// Constants with fewer values are not cached.
  static let minimumCachedCount = 64

  final class Entry: Sendable {
    weak let constant: Constant?
    let converted: IntegerConstant

    init(constant: Constant, converted: IntegerConstant) {
      self.constant = constant
      self.converted = converted
    }
  }

  struct Key: Hashable {
    var identifier: ObjectIdentifier
    var layout: ConstantLayout
  }

  struct State: ~Copyable {
    var entries: [Key: Entry] = [:]
    /// The entry count after the last sweep of dead entries.
    var sweptAt = 0
  }

  static let state = Mutex(State())

  /// The constant's values as integers with a shared power of two, in the given layout.
  static func integers(of constant: Constant, layout: ConstantLayout = .rowMajor) -> IntegerConstant {
    guard constant.count >= minimumCachedCount else { return convert(constant, layout: layout) }
    let key = Key(identifier: ObjectIdentifier(constant), layout: layout)
    if let found = state.withLock({ $0.entries[key] }), found.constant === constant {
      return found.converted
    }
    let converted = convert(constant, layout: layout)
    return state.withLock { state in
      if let found = state.entries[key], found.constant === constant { return found.converted }
      state.entries[key] = Entry(constant: constant, converted: converted)
      if state.entries.count >= 2 * max(state.sweptAt, 32) {
        state.entries = state.entries.filter { $0.value.constant != nil }
        state.sweptAt = state.entries.count
      }
      return converted
    }
  }

  /// Forgets every cached conversion.
  static func removeAll() {
    state.withLock { state in
      state.entries = [:]
      state.sweptAt = 0
    }
  }

  static func convert(_ constant: Constant, layout: ConstantLayout) -> IntegerConstant {
    switch layout {
    case .rowMajor:
      return IntegerConstant(values: constant.values)
    case .transposed:
      precondition(constant.shape.count == 2, "a weight matrix must have two dimensions")
      let (n, k) = (constant.shape[0], constant.shape[1])
      var transposed = [Double](repeating: 0, count: n * k)
      constant.values.withUnsafeBufferPointer { w in
        for o in 0..<n {
          for i in 0..<k { transposed[i * n + o] = w[o * k + i] }
        }
      }
      return IntegerConstant(values: transposed)
    }
  }
}
