import DataIO
import ExactArithmetic
import Foundation
import Inference
import Model
import Testing

@testable import Regions

/// The exact tensor backend against the float64 one (same semantics, exact arithmetic), its scale
/// bookkeeping, and exact evaluation of the fixture models.
@Suite struct ExactTensorTests {
  // MARK: Helpers

  /// Small dyadic numbers (k/8, |k| ≤ 64): every float64 sum and product of a few of them is exact.
  static func dyadic(_ count: Int, _ generator: inout ExactTensorRandom) -> [Double] {
    (0..<count).map { _ in Double(Int(generator.next() % 129) - 64) / 8 }
  }

  static func pair(_ shape: [Int], seed: UInt64) throws -> (DenseTensor<Double>, ExactTensor) {
    var generator = ExactTensorRandom(seed: seed)
    let dense = DenseTensor<Double>(shape: shape, elements: dyadic(shape.reduce(1, *), &generator))
    return (dense, try ExactTensor(exactly: dense))
  }

  /// Every exact value equals the float64 one exactly.
  static func expectExactlyEqual(_ exact: ExactTensor, _ dense: DenseTensor<Double>, _ what: String,
                                 sourceLocation: SourceLocation = #_sourceLocation) throws {
    #expect(exact.shape == dense.shape, "\(what): shape", sourceLocation: sourceLocation)
    let values = exact.values
    #expect(values.count == dense.elements.count, "\(what): count", sourceLocation: sourceLocation)
    for (i, (a, b)) in zip(values, dense.elements).enumerated() {
      #expect(a == (try Rational(exactly: b)), "\(what): element \(i) is \(a), float64 says \(b)", sourceLocation: sourceLocation)
    }
    #expect(exact.roundedToDouble().elements == dense.elements, "\(what): rounded", sourceLocation: sourceLocation)
  }

  static func rational(_ p: Int, _ q: Int) -> Rational { Rational(ExactInteger(p), ExactInteger(q)) }

  /// x [m, k] times the weights [n, k] transposed equals rational arithmetic, element by element.
  static func expectProductIsExact(_ x: ExactTensor, weights: [Double], m: Int, k: Int, n: Int,
                                   sourceLocation: SourceLocation = #_sourceLocation) throws {
    let product = x.multiplied(byTransposeOf: Constant(shape: [n, k], values: weights))
    let xs = x.values
    let ws = try weights.map { try Rational(exactly: $0) }
    for i in 0..<m {
      for o in 0..<n {
        var sum = Rational()
        for j in 0..<k { sum += xs[i * k + j] * ws[o * k + j] }
        #expect(product.value(at: i * n + o) == sum, "product (\(i), \(o))", sourceLocation: sourceLocation)
      }
    }
  }

  // MARK: Primitives against DenseTensor<Double>

  @Test func conversionRoundTripsAndRejectsNonFinite() throws {
    let values: [Double] = [0, -0.0, 1, -3.5, 0x1p-1074, 0x1.fffffffffffffp1023, 0x1.8p-1030, 1e300, 0.1, -2.2250738585072014e-308]
    let dense = DenseTensor<Double>(shape: [2, 5], elements: values)
    let exact = try ExactTensor(exactly: dense)
    #expect(exact.roundedToDouble().elements.map(\.bitPattern) == values.map { $0 == 0 ? 0 : $0.bitPattern })
    for (i, v) in values.enumerated() { #expect(exact.value(at: i) == (try Rational(exactly: v))) }
    #expect(exact.isDyadic)
    let floats = DenseTensor<Float>(shape: [3], elements: [0.1, -7, .leastNonzeroMagnitude])
    #expect(try ExactTensor(exactly: floats).roundedToDouble().elements == floats.elements.map(Double.init))
    #expect(throws: NonFiniteValueError.self) { try ExactTensor(exactly: DenseTensor<Double>(shape: [2], elements: [1, .nan])) }
    #expect(throws: NonFiniteValueError.self) { try ExactTensor(exactly: DenseTensor<Float>(shape: [1], elements: [-.infinity])) }
  }

  @Test func reshapeGatherAndConcatenate() throws {
    let (dense, exact) = try Self.pair([2, 3, 4], seed: 1)
    try Self.expectExactlyEqual(exact.reshaped([2, 12]), dense.reshaped([2, 12]), "reshape")
    let map = IndexMap(indices: [3, -1, 0, 11, 5, 5, -1], inputBlock: 12)
    try Self.expectExactlyEqual(exact.gathered(map, shape: [2, 7]), dense.gathered(map, shape: [2, 7]), "gather")
    // Parts of different scales.
    let (d2, e2) = try Self.pair([2, 5], seed: 2)
    let big = DenseTensor<Double>(shape: [2, 2], elements: [1024, -4096, 2048, 0])
    let parts = [dense.reshaped([2, 12]), d2, big]
    let exactParts = [exact.reshaped([2, 12]), e2, try ExactTensor(exactly: big)]
    let sizes = [12, 5, 2]
    try Self.expectExactlyEqual(ExactTensor.concatenated(exactParts, blockSizes: sizes, shape: [2, 19]),
                                DenseTensor.concatenated(parts, blockSizes: sizes, shape: [2, 19]), "concatenate")
  }

  @Test func productWithWeights() throws {
    let (dense, exact) = try Self.pair([3, 2, 5], seed: 3)
    var generator = ExactTensorRandom(seed: 4)
    for (n, k) in [(4, 5), (13, 5), (1, 5)] where k == 5 {
      let weight = Constant(shape: [n, k], values: Self.dyadic(n * k, &generator))
      try Self.expectExactlyEqual(exact.multiplied(byTransposeOf: weight), dense.multiplied(byTransposeOf: weight), "product \(n)×\(k)")
    }
  }

  /// Large enough for FLINT's dense product split over the cores (m·k·n ≥ 2^20), with and without
  /// zero columns (which the product drops), and sparse enough for the row-by-row path.
  @Test func largeProductDenseSparseAndPruned() throws {
    var generator = ExactTensorRandom(seed: 5)
    let (m, k, n) = (200, 96, 96)
    let weight = Constant(shape: [n, k], values: Self.dyadic(n * k, &generator))
    var elements = Self.dyadic(m * k, &generator).map { $0 == 0 ? 0.125 : $0 }
    let full = DenseTensor<Double>(shape: [m, k], elements: elements)
    try Self.expectExactlyEqual(try ExactTensor(exactly: full).multiplied(byTransposeOf: weight), full.multiplied(byTransposeOf: weight), "dense")
    // Zero every third column.
    for i in 0..<m { for j in stride(from: 0, to: k, by: 3) { elements[i * k + j] = 0 } }
    let pruned = DenseTensor<Double>(shape: [m, k], elements: elements)
    try Self.expectExactlyEqual(try ExactTensor(exactly: pruned).multiplied(byTransposeOf: weight), pruned.multiplied(byTransposeOf: weight), "dense, pruned")
    // Sparse rows, at most two nonzeros each, with integer entries 1, -1 and others (scale 1/2).
    var sparse = [Double](repeating: 0, count: m * k)
    for i in 0..<m {
      sparse[i * k + i % k] = [0.5, -0.5, 1.5, -2, 0][i % 5]
      sparse[i * k + (7 * i + 1) % k] = i % 2 == 0 ? 0.5 : -0.5
    }
    let sparseDense = DenseTensor<Double>(shape: [m, k], elements: sparse)
    try Self.expectExactlyEqual(try ExactTensor(exactly: sparseDense).multiplied(byTransposeOf: weight), sparseDense.multiplied(byTransposeOf: weight), "sparse")
  }

  /// Products of integers of several machine words (FLINT's multi-word algorithms), checked
  /// against rational arithmetic.
  @Test func productOfBigIntegers() throws {
    var generator = ExactTensorRandom(seed: 12)
    let (m, k, n) = (24, 20, 16)
    let small = Self.dyadic(m * k, &generator)
    let large = Self.dyadic(m * k, &generator).map { $0 * 0x1p120 }
    let x = try ExactTensor(exactly: DenseTensor<Double>(shape: [m, k], elements: small))
      .adding(try ExactTensor(exactly: DenseTensor<Double>(shape: [m, k], elements: large)))
    let wValues = Self.dyadic(n * k, &generator).map { $0 * 0x1p-70 + 0x1p-3 }
    try Self.expectProductIsExact(x, weights: wValues, m: m, k: k, n: n)
    // Huge entries in a small product: (2^100 + 1) · 3.
    let huge = try ExactTensor(exactly: DenseTensor<Double>(shape: [1, 2], elements: [0x1p100, 1]))
    let w = Constant(shape: [1, 2], values: [3, 3])
    #expect(huge.multiplied(byTransposeOf: w).value(at: 0) == Rational(ExactInteger(3) * ((ExactInteger(1) << 100) + ExactInteger(1))))
  }

  /// Integers of mixed widths (zero, inline, one to several machine words, both signs): the sum
  /// of dyadic tensors scaled by 2^0, 2^`wide` and 2^`wider`.
  static func mixedWidths(_ shape: [Int], wide: Double, wider: Double, _ generator: inout ExactTensorRandom) throws -> ExactTensor {
    let count = shape.reduce(1, *)
    var sum = try ExactTensor(exactly: DenseTensor<Double>(shape: shape, elements: dyadic(count, &generator)))
    for scale in [wide, wider] {
      let part = dyadic(count, &generator).map { generator.next() % 3 == 0 ? 0 : $0 * scale }
      sum = sum.adding(try ExactTensor(exactly: DenseTensor<Double>(shape: shape, elements: part)))
    }
    return sum
  }

  /// Products large enough to go through the digit products on BLAS (and, with very wide
  /// entries, back to FLINT) equal rational arithmetic exactly; so do the column norms and the
  /// combinations of rows built on them.
  @Test(arguments: [(40, 40, 24, 0x1p61, 0x1p150), (64, 600, 2, 0x1p40, 0x1p90), (30, 300, 8, 0x1p64, 0x1p127), (12, 64, 48, 0x1p200, 0x1p400)])
  func digitProductsAndNormsAreExact(m: Int, k: Int, n: Int, wide: Double, wider: Double) throws {
    var generator = ExactTensorRandom(seed: UInt64(m * k * n))
    let x = try Self.mixedWidths([m, k], wide: wide, wider: wider, &generator)
    let wValues = Self.dyadic(n * k, &generator).map { $0 * 0x1p-40 + ($0 < 0 ? -0x1p-3 : 0x1p5) }
    try Self.expectProductIsExact(x, weights: wValues, m: m, k: k, n: n)
    let xs = x.values
    let norms = x.columnNorms()
    for j in 0..<k {
      let column = (0..<m).map { xs[$0 * k + j] }
      #expect(norms[j].l1 == column.reduce(Rational()) { $0 + $1.magnitude }, "l1 of column \(j)")
      #expect(norms[j].maxAbs == column.map(\.magnitude).max()!, "max of column \(j)")
      #expect(norms[j].squaredL2 == column.reduce(Rational()) { $0 + $1 * $1 }, "squares of column \(j)")
    }
    #expect(x.roundedToDouble().elements == xs.map { Double($0) }, "rounded")
    #expect(x.fractionStrings == xs.map(\.fractionString), "text")
    let coefficients = (0..<m).map { Self.rational($0 % 7 - 3, 1 + $0 % 5) }
    let combined = x.combiningRows(with: coefficients)
    for j in 0..<k {
      #expect(combined[j] == (0..<m).reduce(Rational()) { $0 + coefficients[$1] * xs[$1 * k + j] }, "combination of column \(j)")
    }
  }

  /// A wrong BLAS digit product (one entry off by one, or every entry scaled) is caught by the
  /// exact check and recomputed by FLINT: the product stays exact.
  @Test(arguments: [0, 1])
  func wrongBLASProductsAreCaughtAndRecomputed(corruption: Int) throws {
    var generator = ExactTensorRandom(seed: 99)
    let (m, k, n) = (40, 40, 24)
    let x = try Self.mixedWidths([m, k], wide: 0x1p61, wider: 0x1p150, &generator)
    let wValues = Self.dyadic(n * k, &generator).map { $0 * 0x1p-40 + 0x1p5 }
    let failedBefore = DigitProductChecks.failed.count
    ExactTensor.faultInjection = corruption == 0 ? { $0[$0.count / 2] += 1 } : { p in for i in p.indices { p[i] *= 2 } }
    defer { ExactTensor.faultInjection = nil }
    try Self.expectProductIsExact(x, weights: wValues, m: m, k: k, n: n)
    #expect(DigitProductChecks.failed.count > failedBefore)
  }

  @Test func addAndSubtract() throws {
    let (d1, e1) = try Self.pair([4, 6], seed: 6)
    let (d2, e2) = try Self.pair([4, 6], seed: 7)
    try Self.expectExactlyEqual(e1.adding(e2), d1.adding(d2), "add")
    try Self.expectExactlyEqual(e1.subtracting(e2), d1.subtracting(d2), "subtract")
    // Different power-of-two scales.
    let coarse = DenseTensor<Double>(shape: [4, 6], elements: (0..<24).map { Double($0 - 12) * 4096 })
    try Self.expectExactlyEqual(e1.adding(try ExactTensor(exactly: coarse)), d1.adding(coarse), "add, scales 2^-3 and 2^12")
    try Self.expectExactlyEqual(try ExactTensor(exactly: coarse).subtracting(e1), coarse.subtracting(d1), "subtract, scales 2^12 and 2^-3")
  }

  @Test func broadcastOperations() throws {
    let (dense, exact) = try Self.pair([2, 3, 4], seed: 8)
    let perChannel = Broadcast(Constant(shape: [3], values: [0.5, -3, 0.125]), inner: 4)
    let perColumn = Broadcast(Constant(shape: [4], values: [2, 0.25, -1, 1024]))
    let scalar = Broadcast(scalar: -0.75)
    for (name, b) in [("channel", perChannel), ("column", perColumn), ("scalar", scalar)] {
      try Self.expectExactlyEqual(exact.scaled(by: b), dense.scaled(by: b), "scale \(name)")
      try Self.expectExactlyEqual(exact.shifted(by: b), dense.shifted(by: b), "shift \(name)")
      #expect(exact.signs(minus: b) == dense.signs(minus: b), "signs \(name)")
      try Self.expectExactlyEqual(ExactTensor.filled(with: b, shape: [2, 3, 4]), DenseTensor.filled(with: b, shape: [2, 3, 4]), "fill \(name)")
    }
    // Division by powers of two stays on the dyadic fast path.
    let halves = Broadcast(Constant(shape: [4], values: [2, -0.5, 4, 1]))
    let divided = exact.divided(by: halves)
    try Self.expectExactlyEqual(divided, dense.divided(by: halves), "divide by powers of two")
    #expect(divided.isDyadic)
    #expect(exact.signs(minus: Broadcast(scalar: 0)) == dense.signs(minus: Broadcast(scalar: 0)))
  }

  @Test func piecewiseFunctions() throws {
    let (dense, exact) = try Self.pair([3, 2, 4], seed: 9)
    let choices = (0..<8).map { UInt8($0 % 3 == 0 ? 1 : 0) }
    try Self.expectExactlyEqual(exact.piecewise([.zero, .identity], choices: choices), dense.piecewise([.zero, .identity], choices: choices), "relu")
    let all = [UInt8](repeating: 1, count: 8)
    try Self.expectExactlyEqual(exact.piecewise([.zero, .identity], choices: all), dense, "all identity")
    // LeakyReLU with a float32 slope, PReLU with per-channel slopes, Clip with constants.
    let leaky = Piece.scaled(Broadcast(scalar: Double(Float(0.01))))
    let prelu = Piece.scaled(Broadcast(Constant(shape: [2], values: [0.25, -0.5]), inner: 4))
    let low = Piece.constant(Broadcast(scalar: -1.5))
    let high = Piece.constant(Broadcast(Constant(shape: [4], values: [3, 2.5, 0.125, 1])))
    let mixed = (0..<8).map { UInt8($0 % 4) }
    for (name, pieces, chosen) in [("leaky", [leaky, .identity], choices), ("prelu", [prelu, .identity], choices),
                                   ("clip", [low, .identity, high], mixed.map { min($0, 2) }),
                                   ("four", [low, prelu, .identity, high], mixed), ("zero", [.zero, low], choices)] {
      // Exact in float64 too: 0.01f · x needs at most 24 + 7 bits for these x.
      try Self.expectExactlyEqual(exact.piecewise(pieces, choices: chosen), dense.piecewise(pieces, choices: chosen), name)
    }
  }

  @Test func argmaxWithTies() throws {
    let dense = DenseTensor<Double>(shape: [2, 6], elements: [1, 3, 3, -2, 0.5, 0.5, -1, -1, 7, 0, 0, -0.0])
    let exact = try ExactTensor(exactly: dense)
    let windows = IndexMap(indices: [0, 1, 2, 3, 4, 5, -1, 0, 3, -1, -1, -1], inputBlock: 6)
    let (choices, ties) = exact.argmax(over: windows, window: 3)
    let expected = dense.argmax(over: windows, window: 3)
    #expect(choices == expected.choices)
    #expect(ties == expected.ties)
    #expect(ties >= 3)
  }

  // MARK: Non-dyadic scales

  @Test func averageOfThreeIsExactlyAThird() throws {
    let x = try ExactTensor(exactly: DenseTensor<Double>(shape: [2, 3], elements: [1, 2, 4, 0.5, 0.25, -1]))
    let ones = Constant(shape: [1, 3], values: [1, 1, 1])
    let mean = x.multiplied(byTransposeOf: ones).divided(by: Broadcast(scalar: 3))
    #expect(mean.values == [Self.rational(7, 3), Self.rational(-1, 12)])
    #expect(!mean.isDyadic)
    #expect(mean.scale == Self.rational(1, 12))
    #expect(mean.roundedToDouble().elements == [7.0 / 3.0, -1.0 / 12.0])
    // Mixed with dyadic tensors: 7/3 + 1/2 = 17/6, -1/12 - 1/2 = -7/12.
    let half = try ExactTensor(exactly: DenseTensor<Double>(shape: [2, 1], elements: [0.5, -0.5]))
    #expect(mean.adding(half).values == [Self.rational(17, 6), Self.rational(-7, 12)])
    #expect(half.subtracting(mean).values == [Self.rational(-11, 6), Self.rational(-5, 12)])
    #expect(mean.shifted(by: Broadcast(scalar: 0.25)).values == [Self.rational(31, 12), Self.rational(1, 6)])
    #expect(mean.scaled(by: Broadcast(scalar: 6)).values == [Self.rational(14, 1), Self.rational(-1, 2)])
    #expect(mean.signs(minus: Broadcast(scalar: 2.25)) == [1, -1])
    #expect(mean.signs(minus: Broadcast(scalar: -0.0625)) == [1, -1])
    #expect(mean.piecewise([.zero, .identity], choices: [1, 0]).values == [Self.rational(7, 3), Rational()])
  }

  @Test func perElementDivisorsAndMixedRationalScales() throws {
    // Pooling counts at borders: 9, 6, 4.
    let x = try ExactTensor(exactly: DenseTensor<Double>(shape: [2, 3], elements: [1, 1, 1, 18, 3, -2]))
    let counts = Broadcast(Constant(shape: [3], values: [9, 6, 4]))
    let y = x.divided(by: counts)
    #expect(y.values == [Self.rational(1, 9), Self.rational(1, 6), Self.rational(1, 4), Self.rational(2, 1), Self.rational(1, 2), Self.rational(-1, 2)])
    // A third plus a fifth: common scale 1/15.
    let thirds = x.divided(by: Broadcast(scalar: 3))
    let fifths = x.divided(by: Broadcast(scalar: -5))
    let sum = thirds.adding(fifths)
    #expect(sum.values == [Self.rational(2, 15), Self.rational(2, 15), Self.rational(2, 15), Self.rational(12, 5), Self.rational(2, 5), Self.rational(-4, 15)])
    #expect(sum.scale == Self.rational(1, 15))
    // Concatenating a ninth-scaled, a third-scaled and a dyadic tensor.
    let parts = [y, thirds, try ExactTensor(exactly: DenseTensor<Double>(shape: [2, 1], elements: [0.125, 8]))]
    let joined = ExactTensor.concatenated(parts, blockSizes: [3, 3, 1], shape: [2, 7])
    var expected: [Rational] = Array(y.values[0..<3])
    expected += thirds.values[0..<3]
    expected.append(Self.rational(1, 8))
    expected += y.values[3..<6]
    expected += thirds.values[3..<6]
    expected.append(Rational(8))
    #expect(joined.values == expected)
    // Division by 0.75 = 3/4 multiplies by 4/3.
    #expect(x.divided(by: Broadcast(scalar: 0.75)).value(at: 3) == Rational(24))
    // Equality is by value, whatever the scales.
    #expect(x.divided(by: Broadcast(scalar: 4)).scaled(by: Broadcast(scalar: 4)) == x)
    #expect(thirds.scaled(by: Broadcast(scalar: 3)) == x)
    #expect(thirds != x)
  }

  @Test func correctRounding() throws {
    let one = try ExactTensor(exactly: DenseTensor<Double>(shape: [5], elements: [1, 1, 1, 1, -1]))
    let tiny = try ExactTensor(exactly: DenseTensor<Double>(shape: [5], elements: [0x1p-60, 0x1p-53, 0x1.8p-52, 0x1p-52 + 0x1p-60, -0x1p-53]))
    let sum = one.adding(tiny)
    // 1 + 2^-60 → 1; 1 + 2^-53 (tie) → 1 (even); 1 + 3·2^-53 (tie) → 1 + 2^-51 (even);
    // 1 + 2^-52 + 2^-60 → 1 + 2^-52; -1 - 2^-53 (tie) → -1.
    let expected: [Double] = [1, 1, 1 + 0x1p-51, 1 + 0x1p-52, -1]
    #expect(sum.roundedToDouble().elements == expected)
    let third = one.divided(by: Broadcast(scalar: 3))
    let thirdOfOne: Double = 1.0 / 3
    let thirds: [Double] = [thirdOfOne, thirdOfOne, thirdOfOne, thirdOfOne, -thirdOfOne]
    #expect(third.roundedToDouble().elements == thirds)
    // Integers of one to three words: exact ties go to even, anything beyond a tie rounds up.
    let unit = ExactInteger(1)
    let integers: [ExactInteger] = [
      (unit << 100) + (unit << 47), (unit << 100) + (unit << 47) + unit, (ExactInteger(3) << 100) + (unit << 48),
      -((unit << 130) - unit), (unit << 63) + (unit << 10) + unit,
    ]
    let wide = ExactTensor.make(shape: [5], unit: .powerOfTwo(0)) { entries, _ in
      for (i, value) in integers.enumerated() { setFmpz(entries + i, value) }
    }
    #expect(wide.roundedToDouble().elements == [0x1p100, 0x1p100 + 0x1p48, 0x1.8p101, -0x1p130, 0x1p63 + 0x1p11])
    // Below the normal range: 3 · 2^-1076 is 0.75 of the smallest subnormal, which it rounds to.
    let sub = try ExactTensor(exactly: DenseTensor<Double>(shape: [1], elements: [0x1p-1074])).divided(by: Broadcast(scalar: 4)).scaled(by: Broadcast(scalar: 3))
    #expect(sub.roundedToDouble().elements == [0x1p-1074])
  }

  // MARK: Certificate helpers

  @Test func certificateHelpers() throws {
    // 3 rows × 2 columns: rows [1, -2], [0.5, 4], [-3, 0].
    let m = try ExactTensor(exactly: DenseTensor<Double>(shape: [3, 1, 2], elements: [1, -2, 0.5, 4, -3, 0]))
    let c = [Self.rational(1, 3), Rational(2), Self.rational(-1, 4)]
    // Column 0: 1/3 + 1 + 3/4 = 25/12; column 1: -2/3 + 8 = 22/3.
    #expect(m.combiningRows(with: c) == [Self.rational(25, 12), Self.rational(22, 3)])
    #expect(m.combiningRows(with: [Rational(), Rational(), Rational()]) == [Rational(), Rational()])
    let norms = m.columnNorms()
    #expect(norms.count == 2)
    #expect(norms[0].l1 == Self.rational(9, 2) && norms[0].maxAbs == Rational(3) && norms[0].squaredL2 == Self.rational(41, 4))
    #expect(norms[1].l1 == Rational(6) && norms[1].maxAbs == Rational(4) && norms[1].squaredL2 == Rational(20))
    #expect(m.column(1) == [Rational(-2), Rational(4), Rational()])
    #expect(m.row(1) == [Self.rational(1, 2), Rational(4)])
    #expect(m.sign(at: 1) == -1 && m.sign(at: 5) == 0 && m.sign(at: 3) == 1)
    #expect(m.elementCount == 6)
    // With a non-dyadic scale: the same matrix divided by 3.
    let third = m.divided(by: Broadcast(scalar: 3))
    #expect(third.combiningRows(with: c) == [Self.rational(25, 36), Self.rational(22, 9)])
    let thirdNorms = third.columnNorms()
    #expect(thirdNorms[0].l1 == Self.rational(3, 2) && thirdNorms[0].maxAbs == Rational(1) && thirdNorms[0].squaredL2 == Self.rational(41, 36))
    // Large coefficients (more than 64 bits) and entries.
    let big = Rational(ExactInteger(1) << 80) + Self.rational(1, 3)
    #expect(m.combiningRows(with: [big, Rational(), Rational()]) == [big, big * Rational(-2)])
  }

  @Test func identityCopies() {
    let identity = ExactTensor.identity(count: 6, shape: [2, 3])
    #expect(identity.shape == [6, 2, 3])
    for j in 0..<6 {
      #expect(identity.row(j) == (0..<6).map { $0 == j ? Rational(1) : Rational() })
    }
    let empty = ExactTensor.filled(with: Broadcast(scalar: 0), shape: [4, 0])
    #expect(empty.elementCount == 0 && empty.columnNorms().isEmpty && empty.combiningRows(with: Array(repeating: Rational(1), count: 4)).isEmpty)
    #expect(ExactTensor.concatenated([empty, empty], blockSizes: [0, 0], shape: [4, 0]).elementCount == 0)
  }

  @Test func constantsAreConvertedOnce() {
    let weight = Constant(shape: [10, 10], values: (0..<100).map { Double($0) / 64 })
    let first = ConstantCache.integers(of: weight, layout: .transposed)
    let second = ConstantCache.integers(of: weight, layout: .transposed)
    #expect(first === second)
    #expect(ConstantCache.integers(of: weight) !== first)
    #expect(first.exponent == -6)
    // Small constants are not cached.
    let scalar = Constant(scalar: 2)
    #expect(ConstantCache.integers(of: scalar) !== ConstantCache.integers(of: scalar))
  }

  @Test func concurrentUse() async throws {
    let (dense, exact) = try Self.pair([64, 40], seed: 10)
    var generator = ExactTensorRandom(seed: 11)
    let weight = Constant(shape: [50, 40], values: Self.dyadic(2000, &generator))
    let expected = dense.multiplied(byTransposeOf: weight).elements
    let results = await withTaskGroup(of: [Double].self) { group in
      for _ in 0..<8 {
        group.addTask { exact.multiplied(byTransposeOf: weight).piecewise([.zero, .identity], choices: [1, 0]).roundedToDouble().elements }
      }
      return await group.reduce(into: []) { $0.append($1) }
    }
    let relu = expected.enumerated().map { $0.offset % 2 == 0 ? $0.element : 0 }
    for result in results { #expect(result == relu) }
  }

  // MARK: Models

  static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path + "/Fixtures"

  static let models: [(model: String, data: String)] = [
    ("tiny_abs", "tiny_inputs"), ("tiny_clip", "tiny_inputs"), ("tiny_leaky", "tiny_inputs"),
    ("tiny_mixed", "tiny_inputs"), ("tiny_prelu", "tiny_inputs"), ("digits_mlp", "digits_test"),
    ("digits_cnn", "digits_test_images"), ("digits_rnn", "digits_test_rows"), ("text_rnn", "text_test_ids"),
    (pool3, "digits_test_images"),
  ]

  /// digits_cnn with its 2×2 average pool (which divides by 4, a power of two) replaced by a 3×3
  /// one with stride 2, padding 1 and count_include_pad = 0 (same output size), which divides by
  /// 4, 6 or 9: scales that are not powers of two.
  static let pool3 = "digits_cnn+avgpool3x3"

  static func load(_ model: String, _ data: String) throws -> (Network, BoundInput) {
    var network = try Network.load(contentsOf: "\(fixtures)/models/\(model == pool3 ? "digits_cnn" : model).onnx")
    if model == pool3 {
      var replaced = 0
      for i in network.nodes.indices {
        if case .averagePool(var window, _) = network.nodes[i].operation {
          window.kernel = [3, 3]
          window.strides = [2, 2]
          window.pads = [1, 1, 1, 1]
          network.nodes[i].operation = .averagePool(window, countIncludePad: false)
          replaced += 1
        }
      }
      #expect(replaced == 1)
    }
    let path = "\(fixtures)/data/\(data).npy"
    return (network, try network.bind(try NumericArray.load(path: path), file: path))
  }

  /// Input `index` of a fixture's batch (the models' batch axis is `N`), without a copies dimension.
  static func single(_ model: String, _ bound: BoundInput, index: Int = 0) -> DenseTensor<Double> {
    let shape = bound.valueShape
    let axis = model.hasSuffix("_rnn") ? 1 : 0
    let outer = shape[..<axis].reduce(1, *), batch = shape[axis], inner = shape[(axis + 1)...].reduce(1, *)
    var elements: [Double] = []
    for o in 0..<outer {
      let start = (o * batch + index) * inner
      elements += bound.tensor.elements[start..<(start + inner)]
    }
    var one = shape
    one[axis] = 1
    return DenseTensor(shape: one, elements: elements)
  }

  static func close(_ a: Double, _ b: Double) -> Bool {
    abs(a - b) <= 1e-9 * max(1, abs(b))
  }

  /// Exact evaluation (recording the pattern) agrees with float64 evaluation.
  @Test(arguments: models.map(\.model))
  func exactEvaluationOfFixture(_ model: String) throws {
    let (network, bound) = try Self.load(model, Self.models.first { $0.model == model }!.data)
    let plan = try Plan(network, inputShape: bound.valueShape)
    let input = bound.tensor
    let float = plan.evaluate(input)
    let exact = plan.evaluate(try ExactTensor(exactly: input))
    #expect(exact.pattern.choices == float.pattern.choices, "\(model): pattern")
    #expect(exact.outputs.keys.sorted() == float.outputs.keys.sorted())
    var compared = 0
    for (name, value) in exact.outputs {
      let rounded = value.roundedToDouble().elements
      let expected = float.outputs[name]!.elements
      #expect(rounded.count == expected.count)
      for (a, b) in zip(rounded, expected) {
        #expect(Self.close(a, b), "\(model) \(name): exact \(a), float64 \(b)")
        compared += 1
      }
    }
    #expect(compared > 0)
    // The 3×3 average pool (and tiny_mixed's Div by a constant) leave the dyadic fast path; the
    // 2×2 pool and dense layers do not.
    let dyadic = exact.outputs.values.allSatisfy(\.isDyadic)
    if [Self.pool3, "tiny_mixed"].contains(model) {
      #expect(!dyadic, "\(model): scales")
    } else {
      #expect(dyadic, "\(model): scales")
    }
  }

  /// The unit-vector copies under x0's pattern, linear parts only, give the float Jacobian.
  @Test(arguments: models.map(\.model))
  func identityEvaluationIsTheJacobian(_ model: String) throws {
    let (network, bound) = try Self.load(model, Self.models.first { $0.model == model }!.data)
    let x0 = Self.single(model, bound)
    let jacobians = try FloatCore<Double>(network).jacobian(at: x0)
    let plan = try Plan(network, inputShape: x0.shape)
    let pattern = plan.evaluate(x0.reshaped([1] + x0.shape)).pattern
    let n = plan.inputCount
    let columns = plan.evaluate(ExactTensor.identity(count: n, shape: x0.shape), mode: .fixed(pattern), offsets: false).outputs
    #expect(columns.keys.sorted() == jacobians.keys.sorted())
    for (name, value) in columns {
      let jacobian = jacobians[name]!
      let outputs = jacobian.shape[0]
      let rounded = value.roundedToDouble().elements
      #expect(rounded.count == outputs * n)
      for j in 0..<n {
        for i in 0..<outputs {
          #expect(Self.close(rounded[j * outputs + i], jacobian.elements[i * n + j]), "\(model) \(name) ∂\(i)/∂\(j)")
        }
      }
    }
  }

  /// f(x0) evaluated exactly equals A·x0 + c, with A from the unit vectors and c from zero.
  @Test(arguments: ["digits_cnn", pool3, "digits_rnn"])
  func affineIdentity(_ model: String) throws {
    let (network, bound) = try Self.load(model, Self.models.first { $0.model == model }!.data)
    let x0 = Self.single(model, bound, index: 3)
    let plan = try Plan(network, inputShape: x0.shape)
    let exactX0 = try ExactTensor(exactly: x0.reshaped([1] + x0.shape))
    let value = plan.evaluate(exactX0)
    let linear = plan.evaluate(ExactTensor.identity(count: plan.inputCount, shape: x0.shape), mode: .fixed(value.pattern), offsets: false)
    let constant = plan.evaluate(ExactTensor.filled(with: Broadcast(scalar: 0), shape: [1] + x0.shape), mode: .fixed(value.pattern))
    for (name, fx) in value.outputs {
      let ax = linear.outputs[name]!.combiningRows(with: exactX0.values)
      let c = constant.outputs[name]!.values
      #expect(fx.values == zip(ax, c).map { $0 + $1 }, "\(name)")
    }
  }
}

/// A small deterministic generator (SplitMix64).
struct ExactTensorRandom {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}
