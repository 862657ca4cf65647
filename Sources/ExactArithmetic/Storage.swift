import CFLINT
import CGMP

// Heap cells for the C values behind the public value types.
//
// Each cell is a `ManagedBuffer` subclass whose single tail-allocated element is
// the C struct itself, so a number costs one Swift allocation (plus the limbs
// that GMP or FLINT allocate) and the struct never moves while the cell lives.
// Cells are created initialized and cleared in `deinit`, so a C value is
// released exactly once, when the last value that shares it goes away.
//
// Pointers handed to C are only used inside `with(_:)`, which keeps the cell
// alive for the duration of the call.

/// One initialized GMP integer (`mpz_t`).
final class MPZStorage: ManagedBuffer<Void, __mpz_struct> {
  /// A new cell holding zero.
  static func make() -> MPZStorage {
    let cell = unsafeDowncast(
      MPZStorage.create(minimumCapacity: 1) { _ in }, to: MPZStorage.self)
    cell.withUnsafeMutablePointerToElements { __gmpz_init($0) }
    return cell
  }

  deinit {
    withUnsafeMutablePointerToElements { __gmpz_clear($0) }
  }

  @inline(__always)
  func with<R>(_ body: (UnsafeMutablePointer<__mpz_struct>) throws -> R) rethrows -> R {
    try withUnsafeMutablePointerToElements(body)
  }
}

/// One initialized, canonical GMP rational (`mpq_t`).
final class MPQStorage: ManagedBuffer<Void, __mpq_struct> {
  /// A new cell holding 0/1.
  static func make() -> MPQStorage {
    let cell = unsafeDowncast(
      MPQStorage.create(minimumCapacity: 1) { _ in }, to: MPQStorage.self)
    cell.withUnsafeMutablePointerToElements { __gmpq_init($0) }
    return cell
  }

  deinit {
    withUnsafeMutablePointerToElements { __gmpq_clear($0) }
  }

  @inline(__always)
  func with<R>(_ body: (UnsafeMutablePointer<__mpq_struct>) throws -> R) rethrows -> R {
    try withUnsafeMutablePointerToElements(body)
  }
}

/// One initialized FLINT integer matrix (`fmpz_mat_t`).
final class FmpzMatStorage: ManagedBuffer<Void, fmpz_mat_struct> {
  /// A new cell holding a `rows`×`columns` zero matrix.
  static func make(rows: Int, columns: Int) -> FmpzMatStorage {
    let cell = unsafeDowncast(
      FmpzMatStorage.create(minimumCapacity: 1) { _ in }, to: FmpzMatStorage.self)
    cell.withUnsafeMutablePointerToElements { fmpz_mat_init($0, rows, columns) }
    return cell
  }

  /// A new cell holding a copy of `other`'s matrix.
  static func copy(of other: FmpzMatStorage) -> FmpzMatStorage {
    let cell = unsafeDowncast(
      FmpzMatStorage.create(minimumCapacity: 1) { _ in }, to: FmpzMatStorage.self)
    cell.withUnsafeMutablePointerToElements { target in
      other.withUnsafeMutablePointerToElements { source in fmpz_mat_init_set(target, source) }
    }
    return cell
  }

  deinit {
    withUnsafeMutablePointerToElements { fmpz_mat_clear($0) }
  }

  @inline(__always)
  func with<R>(_ body: (UnsafeMutablePointer<fmpz_mat_struct>) throws -> R) rethrows -> R {
    try withUnsafeMutablePointerToElements(body)
  }
}

/// Pointer to the first entry of row `i` of a FLINT matrix that has at least one
/// column (FLINT leaves row pointers null when there are no columns).
@inline(__always)
func rowPointer(_ m: UnsafeMutablePointer<fmpz_mat_struct>, _ i: Int) -> UnsafeMutablePointer<fmpz> {
  cflint_fmpz_mat_row(m, i)!
}
