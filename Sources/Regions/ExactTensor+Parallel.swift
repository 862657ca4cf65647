import CFLINT
import Dispatch
import Foundation

// Splitting the loops of the exact backend over the available cores.

/// A pointer to FLINT integers shared with the blocks of a parallel loop, which only read it or
/// write disjoint parts of it.
struct SharedIntegers: @unchecked Sendable {
  let base: UnsafeMutablePointer<fmpz>
  init(_ base: UnsafeMutablePointer<fmpz>) { self.base = base }
}

/// Loops with less work (in elementary integer operations) run on the calling thread.
let minimumParallelWork = 1 << 16

/// Calls `body` on consecutive ranges covering `0..<count`, concurrently (one range per core)
/// when `work` is large, else once with the whole range.
func forEachRange(_ count: Int, work: Int, _ body: @Sendable (Range<Int>) -> Void) {
  let cores = ProcessInfo.processInfo.activeProcessorCount
  let blocks = work < minimumParallelWork ? 1 : max(1, min(count, cores))
  if blocks <= 1 {
    body(0..<count)
    return
  }
  DispatchQueue.concurrentPerform(iterations: blocks) { block in
    body((block * count / blocks)..<((block + 1) * count / blocks))
  }
}
