import Model
import Testing

/// The float core's products follow the order `CFixedOrderKernels` documents, whatever the
/// shape, blocking or batch size: a plain Swift transcription of that order gives the same bits.
struct FixedOrderKernelTests {
  /// x · y in the documented order: eight lane sums, their tree, then the tail.
  static func dot<S: DenseScalar>(_ x: [S], _ y: [S]) -> S {
    let k8 = x.count / 8 * 8
    var lanes = [S](repeating: 0, count: 8)
    for p in stride(from: 0, to: k8, by: 8) {
      for l in 0..<8 { lanes[l] = lanes[l] + x[p + l] * y[p + l] }
    }
    var r = ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) + ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]))
    for p in k8..<x.count { r = r + x[p] * y[p] }
    return r
  }

  /// Values with many significant bits and mixed signs and magnitudes, so any other order of
  /// additions would show in the last bits.
  static func values<S: DenseScalar>(_ count: Int, seed: UInt64) -> [S] {
    var state = seed
    return (0..<count).map { _ in
      state = state &* 6364136223846793005 &+ 1442695040888963407
      let unit = Double(state >> 11) / Double(1 << 53)
      return S((unit - 0.4) * Double(1 << Int(state % 7)))
    }
  }

  func check<S: DenseScalar>(_: S.Type, m: Int, n: Int, k: Int, adding: Bool) {
    let a: [S] = Self.values(m * k, seed: 1), b: [S] = Self.values(n * k, seed: 2), start: [S] = Self.values(m * n, seed: 3)
    var c = adding ? start : [S](repeating: 0, count: m * n)
    a.withUnsafeBufferPointer { a in
      b.withUnsafeBufferPointer { b in
        c.withUnsafeMutableBufferPointer { c in
          S.multiply(a.baseAddress!, b.baseAddress!, into: c.baseAddress!, m: m, n: n, k: k, adding: adding)
        }
      }
    }
    var mismatches = 0
    for i in 0..<m {
      for j in 0..<n {
        let d = Self.dot(Array(a[(i * k)..<((i + 1) * k)]), Array(b[(j * k)..<((j + 1) * k)]))
        let expected = adding ? start[i * n + j] + d : d
        if c[i * n + j] != expected { mismatches += 1 }
      }
    }
    #expect(mismatches == 0, "\(S.self) \(m)×\(n)×\(k) adding \(adding): \(mismatches) outputs differ from the documented order")
  }

  @Test(arguments: [(1, 5, 3), (1, 7, 64), (4, 2, 8), (5, 3, 17), (9, 9, 37), (13, 6, 100), (3, 11, 7)])
  func productsFollowTheDocumentedOrder(shape: (Int, Int, Int)) {
    for adding in [false, true] {
      check(Float.self, m: shape.0, n: shape.1, k: shape.2, adding: adding)
      check(Double.self, m: shape.0, n: shape.1, k: shape.2, adding: adding)
    }
  }

  /// A row computed alone (a matrix-vector product) has the bits it has inside a batch.
  @Test func aRowAloneHasTheBitsItHasInABatch() {
    let (m, n, k) = (7, 5, 45)
    let x: [Float] = Self.values(m * k, seed: 4), w: [Float] = Self.values(n * k, seed: 5)
    var batch = [Float](repeating: 0, count: m * n)
    x.withUnsafeBufferPointer { x in
      w.withUnsafeBufferPointer { w in
        batch.withUnsafeMutableBufferPointer { y in Float.multiply(x.baseAddress!, w.baseAddress!, into: y.baseAddress!, m: m, n: n, k: k, adding: false) }
        for i in 0..<m {
          var row = [Float](repeating: 0, count: n)
          row.withUnsafeMutableBufferPointer { y in Float.multiply(x.baseAddress! + i * k, w.baseAddress!, into: y.baseAddress!, m: 1, n: n, k: k, adding: false) }
          #expect(row == Array(batch[(i * n)..<((i + 1) * n)]), "row \(i)")
        }
      }
    }
  }

  /// The symmetric products of the regressions equal the general product, both triangles, and
  /// the Cholesky solve solves.
  @Test func symmetricProductAndCholeskySolve() {
    let (n, k) = (11, 29)
    let a: [Double] = Self.values(n * k, seed: 6)
    var gram = [Double](repeating: 0, count: n * n), general = gram
    a.withUnsafeBufferPointer { a in
      gram.withUnsafeMutableBufferPointer { c in symmetricProduct(a.baseAddress!, into: c.baseAddress!, n: n, k: k) }
      general.withUnsafeMutableBufferPointer { c in Double.multiply(a.baseAddress!, a.baseAddress!, into: c.baseAddress!, m: n, n: n, k: k, adding: false) }
    }
    #expect(gram == general)
    var spd = gram
    for i in 0..<n { spd[i * n + i] += 1 }
    let x: [Double] = Self.values(n, seed: 7)
    var b = (0..<n).map { i in (0..<n).reduce(0.0) { $0 + spd[i * n + $1] * x[$1] } }
    #expect(solvePositiveDefinite(spd, &b, n: n))
    #expect(zip(b, x).allSatisfy { abs($0 - $1) <= 1e-9 * max(1, abs($1)) })
    var negative = spd
    negative[0] = -1
    var unchanged = b
    #expect(!solvePositiveDefinite(negative, &unchanged, n: n) && unchanged == b)
  }
}
