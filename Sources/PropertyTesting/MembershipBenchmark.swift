#if canImport(Glibc)
import Glibc
#endif
import ExactArithmetic
import Explainers
import Foundation
import Inference
import Model
import Regions

/// Region-membership checks per second, float and exact, on one or more threads.
///
/// One *float check* decides G·x ≤ h in float64 (G·x as one BLAS product per batch) and compares
/// the float32 core's pattern at x with its pattern at x0. One *exact check* is a sample of the
/// `region-membership` property: G·x ≤ h with exact rationals and the exact pattern at x
/// (batched exact evaluation) compared with σ0 up to ties. Points are drawn before the clock
/// starts; the regions are extracted before it too.
public enum MembershipBenchmark {
  public struct Measurement: Codable, Sendable {
    public var kind: String
    public var jobs: Int
    public var checks: Int
    public var seconds: Double
    /// CPU seconds the process got meanwhile (user + system): cpuSeconds / seconds is how many
    /// cores it actually had (less than `jobs` on a busy machine).
    public var cpuSeconds: Double
    public var perSecond: Double { Double(checks) / seconds }
    public var coresUsed: Double { cpuSeconds / seconds }
  }

  /// User + system CPU seconds of this process so far.
  public static func processCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
    return seconds(usage.ru_utime) + seconds(usage.ru_stime)
  }

  /// The work of one example: its anchor, its float region and its points.
  struct Work {
    var anchor: Anchor
    var floatG: Constant
    var floatH: [Double]
    var floatPattern: ActivationPattern
    var points: [[Double]]
  }

  static func prepare(subject: Subject, examples: [Int], samples: Int, radius: Double, seed: UInt64) throws -> [Work] {
    try examples.map { e in
      let anchor = try subject.anchor(e)
      let n = anchor.inputCount
      let x0 = anchor.x0
      let floatPattern = try subject.floatCore.run(x0.float32.reshaped([1] + x0.shape)).pattern
      let identity = DenseTensor<Double>(shape: [n] + x0.shape) { out in for j in 0..<n { out[j * n + j] = 1 } }
      let region = anchor.plan.region(pattern: floatPattern, unitVectors: identity)
      let gT = region.constraints.elements
      let m = region.bounds.elements.count
      var g = [Double](repeating: 0, count: m * n)
      for j in 0..<n { for i in 0..<m { g[i * n + j] = gT[j * m + i] } }
      var settings = GeneratorSettings()
      settings.radius = .absolute(radius)
      let generator = NearbyGenerator(settings: settings, anchor: anchor)
      var random = SeededGenerator(seed: seed, key: "bench \(e)")
      return Work(anchor: anchor, floatG: Constant(shape: [m, n], values: g), floatH: region.bounds.elements,
                  floatPattern: floatPattern, points: try generator.points(samples, random: &random))
    }
  }

  /// Float checks of a batch; returns how many were inside P (so the work is not optimized away).
  static func floatChecks(_ work: Work, _ points: ArraySlice<[Double]>) throws -> Int {
    let anchor = work.anchor
    let batch = DenseTensor<Double>(shape: [points.count, anchor.inputCount], elements: points.flatMap { $0 })
    let gx = batch.multiplied(byTransposeOf: work.floatG).elements
    let m = work.floatH.count
    let patterns = anchor.plan.splitPattern(
      try anchor.subject.floatCore.run(DenseTensor<Double>(shape: [points.count] + anchor.x0.shape, elements: batch.elements).float32).pattern,
      copies: points.count)
    var agree = 0
    for k in 0..<points.count {
      var inside = true
      for i in 0..<m where gx[k * m + i] > work.floatH[i] { inside = false; break }
      if inside == (patterns[k] == work.floatPattern) { agree += 1 }
    }
    return agree
  }

  /// Exact checks of a batch (the region-membership property itself).
  static func exactChecks(_ work: Work, _ points: ArraySlice<[Double]>) throws -> Int {
    let anchor = work.anchor
    let evaluations = try anchor.exactEvaluation(Array(points), outputs: false)
    var agree = 0
    for (x, evaluation) in zip(points, evaluations) {
      let membership = try anchor.membership(x)
      let holds = membership.inside ? anchor.differsOnlyAtTies(evaluation.pattern, tight: membership.tight) : evaluation.pattern != anchor.pattern
      if holds { agree += 1 }
    }
    return agree
  }

  /// Times `kind` ("float" or "exact") checks of every prepared point on `jobs` threads.
  static func measure(_ work: [Work], exact: Bool, jobs: Int) throws -> Measurement {
    let batch = exact ? 16 : 256
    var list: [(Int, Range<Int>)] = []
    for (w, item) in work.enumerated() {
      for start in stride(from: 0, to: item.points.count, by: batch) { list.append((w, start..<min(start + batch, item.points.count))) }
    }
    let tasks = list
    let next = Counter()
    let failures = Counter()
    let cpuStart = processCPUSeconds()
    let start = Date()
    let group = DispatchGroup()
    for _ in 0..<jobs {
      group.enter()
      let thread = Thread {
        while let t = next.take(below: tasks.count) {
          let (w, range) = tasks[t]
          do {
            let points = work[w].points[range]
            _ = exact ? try exactChecks(work[w], points) : try floatChecks(work[w], points)
          } catch {
            _ = failures.take(below: Int.max)
          }
        }
        group.leave()
      }
      thread.stackSize = 16 << 20
      thread.start()
    }
    group.wait()
    let seconds = Date().timeIntervalSince(start)
    let cpu = processCPUSeconds() - cpuStart
    if failures.value > 0 { throw SuiteError(message: "benchmark: \(failures.value) batch(es) failed") }
    return Measurement(kind: exact ? "exact" : "float", jobs: jobs, checks: work.reduce(0) { $0 + $1.points.count }, seconds: seconds, cpuSeconds: cpu)
  }

  /// Best of `repeats` runs for float and exact checks with each job count.
  public static func run(subject: Subject, examples: [Int], floatSamples: Int, exactSamples: Int, radius: Double,
                         jobs: [Int], repeats: Int = 3, seed: UInt64 = 1) throws -> [Measurement] {
    let floatWork = try prepare(subject: subject, examples: examples, samples: floatSamples, radius: radius, seed: seed)
    let exactWork = try prepare(subject: subject, examples: examples, samples: exactSamples, radius: radius, seed: seed)
    _ = try measure(floatWork, exact: false, jobs: 1)  // warm-up: plans, constant caches
    _ = try measure(exactWork, exact: true, jobs: 1)
    var result: [Measurement] = []
    for exact in [false, true] {
      for j in jobs {
        var best: Measurement?
        for _ in 0..<repeats {
          let m = try measure(exact ? exactWork : floatWork, exact: exact, jobs: j)
          if best.map({ m.seconds < $0.seconds }) ?? true { best = m }
        }
        result.append(best!)
      }
    }
    return result
  }
}

/// A shared counter handing out indices.
final class Counter: @unchecked Sendable {
  private let lock = NSLock()
  private(set) var value = 0
  func take(below limit: Int) -> Int? {
    lock.lock()
    defer { lock.unlock() }
    guard value < limit else { return nil }
    value += 1
    return value - 1
  }
}
