import Inference
import Model
import Testing

@Suite struct SemanticsTests {
  @Test func broadcastPerChannel() throws {
    let c = Constant(shape: [3, 1, 1], values: [1, 2, 3])
    let b = try broadcast(c, to: [2, 3, 4, 4])
    #expect(b.inner == 16)
    #expect(b.values == [1, 2, 3])
    #expect(b.index(of: 16) == 1)
  }

  @Test func broadcastExpandsInnerOnes() throws {
    let c = Constant(shape: [2, 1, 3], values: [1, 2, 3, 4, 5, 6])
    let b = try broadcast(c, to: [2, 2, 3])
    #expect(b.inner == 1)
    #expect(b.values == [1, 2, 3, 1, 2, 3, 4, 5, 6, 4, 5, 6])
  }

  @Test func broadcastRejectsMismatch() {
    #expect(throws: ModelError.self) { try broadcast(Constant(shape: [4], values: [1, 2, 3, 4]), to: [2, 3]) }
  }

  @Test func reshapeRules() throws {
    #expect(try ShapeRule.reshape([0, -1], allowZero: false).outputShape(for: [2, 3, 4]) == [2, 12])
    #expect(try ShapeRule.flatten(axis: 1).outputShape(for: [2, 3, 4]) == [2, 12])
    #expect(try ShapeRule.squeeze([1]).outputShape(for: [2, 1, 4]) == [2, 4])
    #expect(try ShapeRule.unsqueeze([0, 3]).outputShape(for: [2, 4]) == [1, 2, 4, 1])
    #expect(throws: ModelError.self) { try ShapeRule.reshape([5, -1], allowZero: false).outputShape(for: [2, 3]) }
  }

  /// The Jacobian of the region's affine map agrees with central finite differences in float64.
  @Test(arguments: ["digits_mlp", "digits_cnn", "digits_rnn", "tiny_clip", "tiny_mixed"])
  func jacobianMatchesFiniteDifferences(_ name: String) throws {
    let network = try Network.load(contentsOf: "\(Paths.fixtures)/models/\(name).onnx")
    let core = FloatCore<Double>(network)
    var shape = network.inputShape.map { d -> Int in if case .fixed(let n) = d { return n } else { return 1 } }
    if name == "digits_rnn" { shape = [8, 1, 8] }
    let n = shape.reduce(1, *)
    var generator = SplitMix(seed: 11)
    let x0 = DenseTensor<Double>(shape: shape, elements: (0..<n).map { _ in generator.unit() })
    let jacobian = try core.jacobian(at: x0).values.first!
    let outputs = jacobian.shape[0]
    let h = 1e-7
    for j in stride(from: 0, to: n, by: max(1, n / 7)) {
      var plus = x0.elements, minus = x0.elements
      plus[j] += h
      minus[j] -= h
      let fPlus = try core.run(DenseTensor(shape: [1] + shape, elements: plus)).logits.values.first!.elements
      let fMinus = try core.run(DenseTensor(shape: [1] + shape, elements: minus)).logits.values.first!.elements
      for i in 0..<outputs {
        let numeric = (fPlus[i] - fMinus[i]) / (2 * h)
        #expect(abs(numeric - jacobian.elements[i * n + j]) < 1e-5, "\(name) ∂\(i)/∂\(j)")
      }
    }
  }

  @Test func vectorJacobianProductIsGradientOfDotProduct() throws {
    let network = try Network.load(contentsOf: "\(Paths.fixtures)/models/digits_mlp.onnx")
    let core = FloatCore<Double>(network)
    let x0 = DenseTensor<Double>(shape: [1, 64], elements: (0..<64).map { Double($0 % 7) / 7 })
    let jacobian = try core.jacobian(at: x0)["logits"]!
    let v = (0..<10).map { Double($0) - 4.5 }
    let vjp = try core.vectorJacobianProduct(at: x0, output: "logits", vector: v)
    for j in 0..<64 {
      let expected = (0..<10).reduce(0.0) { $0 + v[$1] * jacobian.elements[$1 * 64 + j] }
      #expect(abs(vjp[j] - expected) < 1e-12)
    }
  }

  /// The Gram matrices of the explainers' regressions: both triangles of a·aᵀ, through the
  /// one-thread path (5 × 7) and the two-thread split (300 × 1200: n ≥ 128 and n²k ≥ 10⁸), and
  /// exact in float32 for entries −1, 0, 1 (KernelSHAP's coalition rows): integer sums below 2²⁴
  /// are never rounded.
  @Test(arguments: [(5, 7), (300, 1200)])
  func symmetricProductIsTheGramMatrix(_ size: (n: Int, k: Int)) {
    let (n, k) = size
    var random = SplitMix(seed: UInt64(n))
    let a = (0..<(n * k)).map { _ in Double(Int(random.next() % 3) - 1) }
    var doubles = [Double](repeating: .nan, count: n * n)
    var floats = [Float](repeating: .nan, count: n * n)
    symmetricProduct(a, into: &doubles, n: n, k: k)
    symmetricProduct(a.map(Float.init), into: &floats, n: n, k: k)
    #expect(zip(doubles, floats).allSatisfy { $0 == Double($1) })
    // Entries checked against the sum itself: all of the small case, 400 of the large one.
    let entries = n * n <= 400 ? Array(0..<(n * n)) : (0..<400).map { _ in Int(random.next() % UInt64(n * n)) }
    for entry in entries {
      let (i, j) = (entry / n, entry % n)
      let expected = (0..<k).reduce(0.0) { $0 + a[i * k + $1] * a[j * k + $1] }
      #expect(doubles[entry] == expected, "(\(i), \(j))")
    }
  }
}
/// A small deterministic generator for tests.
struct SplitMix {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
  mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}
