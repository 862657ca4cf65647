import CFLINT
import CGMP

/// A dense matrix of arbitrary-precision integers, backed by a FLINT `fmpz_mat_t`.
///
/// `IntegerMatrix` is a value type with copy-on-write storage: copies share one
/// FLINT matrix until one of them is mutated (then the mutated copy duplicates
/// it first), and the FLINT memory is freed when the last copy goes away.
/// Entries of up to 62 bits are stored inline by FLINT, larger ones as GMP
/// integers; products use FLINT's multi-modular and blocked algorithms.
///
/// Exact real matrices are represented as an `IntegerMatrix` together with a
/// scale chosen by the caller, such as a shared power of two (see
/// `scaled(rows:columns:values:maximumExponent:)`) or a ``Rational``.
///
/// It is `Sendable` because a shared storage cell is never written, and FLINT
/// only reads source operands. (FLINT's integer cache is per thread; FLINT
/// supports freeing a matrix on another thread than the one that filled it.)
public struct IntegerMatrix: @unchecked Sendable {
  var storage: FmpzMatStorage
  /// The number of rows.
  public let rows: Int
  /// The number of columns.
  public let columns: Int

  init(storage: FmpzMatStorage, rows: Int, columns: Int) {
    self.storage = storage
    self.rows = rows
    self.columns = columns
  }

  /// A `rows`×`columns` zero matrix.
  public init(rows: Int, columns: Int) {
    precondition(rows >= 0 && columns >= 0, "negative matrix dimension")
    self.init(storage: .make(rows: rows, columns: columns), rows: rows, columns: columns)
  }

  /// A `rows`×`columns` matrix from its entries in row-major order.
  public init(rows: Int, columns: Int, entries: [ExactInteger]) {
    precondition(entries.count == rows * columns, "entry count does not match the shape")
    self.init(rows: rows, columns: columns)
    guard columns > 0 else { return }
    storage.with { m in
      for i in 0..<rows {
        let row = rowPointer(m, i)
        for j in 0..<columns {
          entries[i * columns + j].withMPZ { fmpz_set_mpz(row + j, $0) }
        }
      }
    }
  }

  /// A `rows`×`columns` matrix from 64-bit entries in row-major order (fast bulk fill).
  public init(rows: Int, columns: Int, int64Entries entries: [Int64]) {
    precondition(entries.count == rows * columns, "entry count does not match the shape")
    self.init(rows: rows, columns: columns)
    guard columns > 0 else { return }
    storage.with { m in
      entries.withUnsafeBufferPointer { source in
        for i in 0..<rows {
          let row = rowPointer(m, i)
          for j in 0..<columns {
            fmpz_set_si(row + j, Int(source[i * columns + j]))
          }
        }
      }
    }
  }

  /// The `n`×`n` identity matrix.
  public static func identity(_ n: Int) -> IntegerMatrix {
    make(rows: n, columns: n) { fmpz_mat_one($0) }
  }

  // MARK: Storage access

  @inline(__always)
  func withMatrix<R>(_ body: (UnsafeMutablePointer<fmpz_mat_struct>) throws -> R) rethrows -> R
  {
    try storage.with(body)
  }

  @inline(__always)
  mutating func withMutableMatrix<R>(
    _ body: (UnsafeMutablePointer<fmpz_mat_struct>) throws -> R
  ) rethrows -> R {
    if !isKnownUniquelyReferenced(&storage) {
      storage = .copy(of: storage)
    }
    return try storage.with(body)
  }

  /// A new `rows`×`columns` matrix set by `body`, which receives a zero matrix.
  @inline(__always)
  static func make(
    rows: Int, columns: Int, _ body: (UnsafeMutablePointer<fmpz_mat_struct>) throws -> Void
  ) rethrows -> IntegerMatrix {
    let result = FmpzMatStorage.make(rows: rows, columns: columns)
    try result.with(body)
    return IntegerMatrix(storage: result, rows: rows, columns: columns)
  }

  @inline(__always)
  func checkIndex(_ row: Int, _ column: Int) {
    precondition(row >= 0 && row < rows && column >= 0 && column < columns, "index out of range")
  }

  // MARK: Entries

  /// The entry in row `row` and column `column` (zero-based).
  public subscript(row: Int, column: Int) -> ExactInteger {
    get {
      checkIndex(row, column)
      return ExactInteger.make { z in
        withMatrix { fmpz_get_mpz(z, cflint_fmpz_mat_entry($0, row, column)) }
      }
    }
    set {
      checkIndex(row, column)
      withMutableMatrix { m in newValue.withMPZ { fmpz_set_mpz(cflint_fmpz_mat_entry(m, row, column), $0) } }
    }
  }

  /// Sets the entry in row `row` and column `column` to `value`.
  public mutating func set(row: Int, column: Int, to value: Int) {
    checkIndex(row, column)
    withMutableMatrix { fmpz_set_si(cflint_fmpz_mat_entry($0, row, column), value) }
  }

  /// Sets the entry to the integer `value / 2^exponent`, the dyadic's mantissa
  /// shifted into a matrix whose real entries are `entry · 2^exponent`.
  /// `value` must be zero or have `value.exponent ≥ exponent`.
  public mutating func set(row: Int, column: Int, to value: Dyadic, exponent: Int) {
    checkIndex(row, column)
    precondition(
      value.isZero || value.exponent >= exponent,
      "the dyadic is not an integer multiple of 2^exponent")
    let shift = value.isZero ? 0 : UInt(value.exponent - exponent)
    withMutableMatrix { m in
      let entry = cflint_fmpz_mat_entry(m, row, column)
      value.mantissa.withMPZ { fmpz_set_mpz(entry, $0) }
      if shift > 0 { fmpz_mul_2exp(entry, entry, shift) }
    }
  }

  /// -1, 0 or 1: the sign of one entry (no allocation).
  public func sign(row: Int, column: Int) -> Int {
    checkIndex(row, column)
    return Int(withMatrix { fmpz_sgn(cflint_fmpz_mat_entry($0, row, column)) })
  }

  /// The sign (-1, 0 or 1) of every entry, in row-major order.
  public func entrySigns() -> [Int8] {
    guard columns > 0 else { return [] }
    return withMatrix { m in
      var signs = [Int8]()
      signs.reserveCapacity(rows * columns)
      for i in 0..<rows {
        let row = rowPointer(m, i)
        for j in 0..<columns { signs.append(Int8(fmpz_sgn(row + j))) }
      }
      return signs
    }
  }

  /// The largest bit length of the absolute value of any entry (0 for a zero matrix).
  public var maxEntryBitLength: Int {
    Int(withMatrix { fmpz_mat_max_bits($0) }.magnitude)
  }

  /// Whether every entry is zero.
  public var isZero: Bool {
    withMatrix { fmpz_mat_is_zero($0) != 0 }
  }

  /// All entries in row-major order.
  public var entries: [ExactInteger] {
    var result = [ExactInteger]()
    result.reserveCapacity(rows * columns)
    for i in 0..<rows {
      for j in 0..<columns { result.append(self[i, j]) }
    }
    return result
  }

  /// The entries of row `i`.
  public func row(_ i: Int) -> [ExactInteger] {
    precondition(i >= 0 && i < rows, "row out of range")
    return (0..<columns).map { self[i, $0] }
  }

  /// The entries of column `j`.
  public func column(_ j: Int) -> [ExactInteger] {
    precondition(j >= 0 && j < columns, "column out of range")
    return (0..<rows).map { self[$0, j] }
  }
}

extension IntegerMatrix: Equatable {
  public static func == (lhs: IntegerMatrix, rhs: IntegerMatrix) -> Bool {
    guard lhs.rows == rhs.rows && lhs.columns == rhs.columns else { return false }
    return lhs.storage === rhs.storage
      || lhs.withMatrix { a in rhs.withMatrix { b in fmpz_mat_equal(a, b) != 0 } }
  }
}

extension IntegerMatrix: CustomStringConvertible {
  /// The rows as nested lists: `[[1, 2], [3, 4]]`.
  public var description: String {
    let body = (0..<rows).map { i in
      "[" + row(i).map(\.description).joined(separator: ", ") + "]"
    }
    return "[" + body.joined(separator: ", ") + "]"
  }
}
