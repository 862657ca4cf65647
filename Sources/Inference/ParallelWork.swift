import Foundation

/// `body(0..<count)` on `jobs` threads, results in index order.
///
/// The threads get a large stack (16 MiB), as exact evaluation of deep networks needs; indices
/// are handed out in order, one at a time. `progress` is called after each finished index with
/// how many are done, the index and its result, never by two threads at once.
public func parallelMap<T: Sendable, E: Error>(
  _ count: Int, jobs: Int,
  progress: (@Sendable (_ done: Int, _ index: Int, _ result: Result<T, E>) -> Void)? = nil,
  _ body: @escaping @Sendable (Int) throws(E) -> T
) -> [Result<T, E>] {
  let state = ParallelWork<T, E>(count)
  let group = DispatchGroup()
  for _ in 0..<max(1, min(jobs, count)) {
    group.enter()
    let thread = Thread {
      while let k = state.next() {
        let result = Result<T, E> { () throws(E) -> T in try body(k) }
        state.finish(k, result) { done in progress?(done, k, result) }
      }
      group.leave()
    }
    thread.stackSize = 16 << 20
    thread.start()
  }
  group.wait()
  return state.results.map { $0! }
}

/// Indices handed out and results collected under a lock; progress reported under another.
private final class ParallelWork<T, E: Error>: @unchecked Sendable {
  var results: [Result<T, E>?]
  private var taken = 0, done = 0
  private let lock = NSLock()
  private let progressLock = NSLock()

  init(_ count: Int) { results = Array(repeating: nil, count: count) }

  func next() -> Int? {
    lock.withLock {
      guard taken < results.count else { return nil }
      taken += 1
      return taken - 1
    }
  }

  func finish(_ k: Int, _ result: Result<T, E>, report: (Int) -> Void) {
    progressLock.withLock {
      let done = lock.withLock {
        results[k] = result
        self.done += 1
        return self.done
      }
      report(done)
    }
  }
}
