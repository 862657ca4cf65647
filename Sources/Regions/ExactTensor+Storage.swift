import CFLINT
import Foundation
import ExactArithmetic

// The integers behind an `ExactTensor`, and the conversions between FLINT integers, floats and
// the ExactArithmetic value types.

/// A contiguous array of FLINT integers (`fmpz`), zero when created.
///
/// A buffer is filled only by the code that creates it, before it is stored in a tensor; from
/// then on it is only read. That is why it is `@unchecked Sendable`: concurrent readers of an
/// unchanging `fmpz` array are safe (FLINT functions only read their source operands), and FLINT
/// allows an `fmpz` that one thread promoted to a GMP integer to be cleared on another thread.
///
/// A buffer either owns its integers (and clears them in `deinit`), or *shares* the GMP
/// integers of other buffers, its `owners`: then each of its words is zero, a small integer
/// stored inline, or a copy of a word of an owner (the same GMP integer, not a copy of it), so
/// selecting elements (ReLU's zero/identity pieces, gathers, dropping unused columns) copies
/// machine words instead of big integers. A sharing buffer keeps its owners alive, is never
/// written through FLINT (which would treat a shared GMP integer as its own), and frees only its
/// array of words.
final class FmpzBuffer: @unchecked Sendable {
  /// Number of integers.
  let count: Int
  /// The first integer. At least one integer is allocated, so this is never null.
  let base: UnsafeMutablePointer<fmpz>
  /// The buffers whose GMP integers this one shares; empty when it owns its integers.
  let owners: [FmpzBuffer]

  /// `count` zeros.
  init(count: Int) {
    precondition(count >= 0, "negative element count")
    FlintThreadCache.register()
    self.count = count
    base = _fmpz_vec_init(max(count, 1))!
    owners = []
  }

  /// `count` zeros, to be set to words of `owners` (or small inline integers) only.
  init(count: Int, sharingWith owners: [FmpzBuffer]) {
    precondition(count >= 0, "negative element count")
    FlintThreadCache.register()
    precondition(!owners.isEmpty, "a sharing buffer needs an owner")
    self.count = count
    base = _fmpz_vec_init(max(count, 1))!
    self.owners = owners
  }

  /// Where the GMP integers of an arena-backed buffer live (see ``attachArena(integers:limbs:)``).
  private(set) var arena: MpzArena?

  /// Gives this fresh buffer an arena for `integers` GMP integers of up to `limbs` limbs each:
  /// its large entries are then written with ``MpzArena/store(_:into:slot:)`` only, never by
  /// FLINT, and freed all at once with the buffer.
  func attachArena(integers: Int, limbs: Int) -> MpzArena {
    precondition(arena == nil && owners.isEmpty, "a buffer gets at most one arena, and only if it owns its integers")
    let arena = MpzArena(integers: integers, limbs: limbs)
    self.arena = arena
    return arena
  }

  /// Undoes ``attachArena(integers:limbs:)`` on a buffer whose entries were written from it:
  /// every entry becomes 0 (plain words) and the arena is released, so FLINT may write them.
  func discardArena() {
    guard arena != nil else { return }
    base.update(repeating: 0, count: max(count, 1))
    arena = nil
  }

  deinit {
    if arena != nil {
      // Every GMP integer is the arena's (freed with it); the words are plain memory.
      flint_free(base)
    } else if owners.isEmpty {
      _fmpz_vec_clear(base, max(count, 1))
    } else {
      flint_free(base)
    }
  }

  /// Calls `body` with the integers, keeping the buffer alive for the call.
  @inline(__always)
  func with<R>(_ body: (UnsafeMutablePointer<fmpz>) throws -> R) rethrows -> R {
    try withExtendedLifetime(self) { try body(base) }
  }

  /// A buffer holding one integer.
  static func scalar(_ value: ExactInteger) -> FmpzBuffer {
    let buffer = FmpzBuffer(count: 1)
    setFmpz(buffer.base, value)
    return buffer
  }
}

/// FLINT keeps a per-thread cache of GMP integers that it frees only when asked to
/// (`flint_cleanup`), so every thread that works with FLINT integers (dispatch workers, the
/// threads of a parallel map) asks when it exits, through a pthread key's destructor.
enum FlintThreadCache {
  private static let key: pthread_key_t = {
    var key = pthread_key_t()
    pthread_key_create(&key) { _ in flint_cleanup() }
    return key
  }()

  /// Makes the calling thread release FLINT's cache when it exits.
  @inline(__always)
  static func register() {
    if pthread_getspecific(key) == nil { pthread_setspecific(key, UnsafeRawPointer(bitPattern: 1)) }
  }
}

/// GMP integers of a fixed capacity in one allocation, for the results of a large exact product:
/// one slot (an `mpz` and its limbs) per entry, so that writing n wide entries costs no
/// allocation and freeing them costs one. GMP and FLINT only ever read these integers (their
/// buffer is never written by FLINT), so they never try to grow or free one.
final class MpzArena: @unchecked Sendable {
  private let integers: UnsafeMutablePointer<__mpz_struct>
  private let limbs: UnsafeMutablePointer<mp_limb_t>
  private let capacity: Int

  init(integers count: Int, limbs capacity: Int) {
    integers = .allocate(capacity: max(count, 1))
    limbs = .allocate(capacity: max(count * capacity, 1))
    self.capacity = capacity
  }

  deinit {
    integers.deallocate()
    limbs.deallocate()
  }

  /// Writes the two's complement `value` (overwritten; `capacity` limbs) into `target`: inline
  /// when it fits in a word, else as the GMP integer of `slot`.
  func store(_ value: UnsafeMutableBufferPointer<UInt>, into target: UnsafeMutablePointer<fmpz>, slot: Int) {
    let (negative, used) = signAndMagnitude(value)
    if used == 0 { target.pointee = 0; return }
    if used == 1 && value[0] <= UInt(cflint_coeff_max()) {
      target.pointee = negative ? -Int(value[0]) : Int(value[0])
      return
    }
    precondition(used <= capacity, "an arena slot holds \(capacity) limbs, not \(used)")
    let storage = limbs + slot * capacity
    for l in 0..<used { storage[l] = mp_limb_t(value[l]) }
    integers[slot] = __mpz_struct(_mp_alloc: Int32(capacity), _mp_size: Int32(negative ? -used : used), _mp_d: storage)
    target.pointee = cflint_ptr_to_coeff(integers + slot)
  }
}

// MARK: Conversions between fmpz and ExactInteger

/// Sets `target` to `value`. (ExactArithmetic does not expose its GMP integers, so large values
/// go through decimal text; tensors convert integers only per tensor or per column, never per
/// element in the hot paths.)
func setFmpz(_ target: UnsafeMutablePointer<fmpz>, _ value: ExactInteger) {
  if let small = Int(exactly: value) {
    fmpz_set_si(target, small)
  } else {
    let status = fmpz_set_str(target, value.description, 10)
    precondition(status == 0, "FLINT could not read an integer")
  }
}

/// The value of a FLINT integer.
func exactInteger(_ source: UnsafePointer<fmpz>) -> ExactInteger {
  if fmpz_fits_si(source) != 0 {
    return ExactInteger(fmpz_get_si(source))
  }
  let text = fmpz_get_str(nil, 10, source)!
  defer { flint_free(text) }
  return ExactInteger(String(cString: text))!
}

// MARK: Floats

/// The exact value of a finite double as `±significand · 2^exponent`, from its bit pattern.
@inline(__always)
func decompose(_ value: Double) -> (negative: Bool, significand: UInt64, exponent: Int) {
  let biased = Int(value.exponentBitPattern)
  var significand = value.significandBitPattern
  let exponent: Int
  if biased == 0 {
    exponent = 1 - 1023 - 52  // subnormal or zero
  } else {
    significand |= UInt64(1) << 52
    exponent = biased - 1023 - 52
  }
  return (value.sign == .minus && significand != 0, significand, exponent)
}

/// Writes integers `m_k` with `values[k] = m_k · 2^e` into `target` (which must hold zeros) and
/// returns `e`: the largest such exponent (0 when every value is zero). The values must be finite.
func writeDyadicIntegers(_ values: UnsafeBufferPointer<Double>, into target: UnsafeMutablePointer<fmpz>) -> Int {
  var exponent = Int.max
  for value in values {
    precondition(value.isFinite, "a non-finite value has no exact value")
    let (_, significand, e) = decompose(value)
    if significand != 0 { exponent = min(exponent, e + significand.trailingZeroBitCount) }
  }
  if exponent == .max { return 0 }
  for (k, value) in values.enumerated() {
    let (negative, raw, rawExponent) = decompose(value)
    if raw == 0 { continue }
    // Drop the trailing zero bits first: then the shift to the shared exponent is nonnegative.
    let zeros = raw.trailingZeroBitCount
    let significand = raw >> UInt64(zeros)
    let shift = rawExponent + zeros - exponent
    let bits = 64 - significand.leadingZeroBitCount + shift
    if bits <= 62 {
      let magnitude = Int(significand << UInt64(shift))
      fmpz_set_si(target + k, negative ? -magnitude : magnitude)
    } else {
      fmpz_set_ui(target + k, UInt(significand))
      fmpz_mul_2exp(target + k, target + k, UInt(shift))
      if negative { fmpz_neg(target + k, target + k) }
    }
  }
  return exponent
}

/// `entry · 2^exponent` rounded once to the nearest double (ties to even).
func roundedDouble(_ entry: UnsafePointer<fmpz>, exponent: Int) -> Double {
  let word = entry.pointee
  var negative = word < 0
  var significand: UInt
  var shift: Int
  if cflint_coeff_is_mpz(word) == 0 {
    if word == 0 { return 0 }
    significand = word.magnitude
    shift = 0
  } else {
    // The top 64 bits, with the lowest one set if any bit below them is (round to odd): one
    // rounding of that to 53 bits is the rounding of the whole integer.
    let integer = cflint_coeff_to_ptr(word)!.pointee
    let size = Int(integer._mp_size.magnitude)
    negative = integer._mp_size < 0
    let limbs = integer._mp_d!
    let top = UInt(limbs[size - 1])
    if size == 1 {
      significand = top
      shift = 0
    } else {
      let spare = top.leadingZeroBitCount
      let next = UInt(limbs[size - 2])
      significand = spare == 0 ? top : (top << UInt(spare)) | (next >> UInt(64 - spare))
      var sticky = spare == 0 ? next != 0 : next << UInt(spare) != 0
      for l in 0..<(size - 2) where !sticky { sticky = limbs[l] != 0 }
      if sticky { significand |= 1 }
      shift = (size - 1) * 64 - spare
    }
  }
  let bits = UInt.bitWidth - significand.leadingZeroBitCount
  let scale = exponent + shift
  // One rounding (Double(UInt) rounds to nearest even) is exact for normal results.
  if scale + bits - 1 >= -1022 && scale + bits <= 1023 {
    return Double(sign: negative ? .minus : .plus, exponent: scale, significand: Double(significand))
  }
  return Double(Dyadic(mantissa: exactInteger(entry), exponent: exponent))
}
