import ExactArithmetic
import Foundation
import Inference
import Model
import Regions

/// Certifies OpenBox explanations of one network, and verifies certificates.
public struct Certifier: Sendable {
  public let network: Network
  public let modelPath: String
  public let modelSHA256: String
  /// The float core the certificate compares against.
  public let core: FloatCore<Float>

  /// Loads the model (and its external data) and hashes its bytes.
  public init(modelPath: String) throws {
    network = try Network.load(contentsOf: modelPath)
    self.modelPath = modelPath
    modelSHA256 = network.sha256
    core = FloatCore(network)
  }

  /// The certificate of the explanation at `x0` (one body input, exact float values), with radii
  /// optionally intersected with the box `domain` (bounds per input coordinate).
  public func certify(_ x0: DenseTensor<Double>, tokens: [Int]? = nil, domain: InputBox? = nil) throws -> Certificate {
    if let domain, domain.lower.count != x0.elements.count {
      throw ModelError("the domain box has \(domain.lower.count) coordinates, the input \(x0.elements.count)")
    }
    let plan = try core.plan(for: x0.shape)
    let n = plan.inputCount
    try checkMemory(plan)
    // The float Jacobian (float work, one thread) is computed while the exact engine runs.
    let floatJacobian = FloatJacobian(core, at: x0.float32)
    let exactInput = try ExactTensor(exactly: x0.reshaped([1] + x0.shape))
    // The exact pattern and value at x0, and the float core's.
    let exact = plan.evaluate(exactInput)
    let floatRun = try core.run(x0.float32.reshaped([1] + x0.shape))
    let region = plan.region(pattern: exact.pattern, unitVectors: ExactTensor.identity(count: n, shape: x0.shape))
    let x = exactInput.values

    var outputs: [Certificate.AffineMap] = []
    var identityHolds = true
    var maxAbs = 0.0, maxRel = 0.0
    let floatA = try floatJacobian.value()
    for name in plan.bodyOutputNames {
      let aT = region.linear[name]!, c = region.constant[name]!.values
      let value = exact.outputs[name]!.values
      let ax = aT.combiningRows(with: x)
      identityHolds = identityHolds && zip(zip(ax, c), value).allSatisfy { $0.0 + $0.1 == $1 }
      let m = c.count
      // Aᵀ is [n, m]: entry (j, i) is A[i][j].
      let strings = aT.fractionStrings
      outputs.append(.init(output: name, shape: Array(plan.shape(of: name)!),
                           a: (0..<m).map { i in (0..<n).map { strings[$0 * m + i] } },
                           c: c.map(\.fractionString), value: value.map(\.fractionString)))
      let exactA = aT.roundedToDouble().elements
      let floatA = floatA[name]!.elements
      for i in 0..<m {
        for j in 0..<n {
          let exactValue = exactA[j * m + i]
          let error = abs(Double(floatA[i * n + j]) - exactValue)
          maxAbs = max(maxAbs, error)
          if exactValue != 0 { maxRel = max(maxRel, error / abs(exactValue)) }
        }
      }
    }

    let flips = exact.pattern.differences(from: floatRun.pattern).map { site, element in
      Certificate.Flip(node: plan.sites[site].node, element: element,
                       floatChoice: Int(floatRun.pattern.choices[site][element]), exactChoice: Int(exact.pattern.choices[site][element]))
    }
    guard maxAbs.isFinite, maxRel.isFinite else {
      throw ModelError("\(modelPath): the float32 explanation at this input overflows (its Jacobian is not finite): the model's weights leave float32's range")
    }
    let (radii, inRegion) = Self.radii(region, x: x, domain: domain)
    return Certificate(
      tool: "explaincert", version: Certifier.version, model: (modelPath as NSString).lastPathComponent, modelSHA256: modelSHA256,
      input: x.map(\.fractionString), inputShape: x0.shape, tokens: tokens,
      pattern: zip(plan.sites, exact.pattern.texts).map { site, choices in
        Certificate.Site(node: site.node, operator: site.operatorName, choices: choices)
      },
      outputs: outputs, identityHolds: identityHolds, inputInRegion: inRegion,
      constraints: region.constraintCount, ties: exact.ties.reduce(0, +), radii: radii,
      floatFindings: .init(maxAbsoluteError: maxAbs, maxRelativeError: maxRel, flippedNeurons: flips),
      notes: notes)
  }

  /// The most memory a certificate may take, in bytes (`--memory-limit`): by default half of the
  /// machine's physical memory.
  public nonisolated(unsafe) static var memoryLimit = Int(ProcessInfo.processInfo.physicalMemory / 2)

  /// The exact region holds one row of n rationals per pattern element and output (A and the
  /// rows of G); refuses, naming the sizes and the way out, before allocating any of it.
  func checkMemory(_ plan: Plan) throws {
    let rows = plan.sites.reduce(0) { $0 + $1.count }
      + plan.bodyOutputNames.reduce(0) { $0 + (plan.shape(of: $1)?.reduce(1, *) ?? 0) }
    let bytesPerEntry = 24.0
    let needed = Double(plan.inputCount) * Double(rows) * bytesPerEntry
    guard needed <= Double(Self.memoryLimit) else {
      func gib(_ bytes: Double) -> String {
        let (unit, scale) = bytes >= 0x1p30 ? ("GiB", 0x1p30) : bytes >= 0x1p20 ? ("MiB", 0x1p20) : ("KiB", 0x1p10)
        return String(format: "%.3g", bytes / scale) + " " + unit
      }
      throw ModelError("\(modelPath): certifying one input needs about \(gib(needed)) for its exact region (\(plan.inputCount) inputs × \(rows) neurons and outputs), more than the memory limit of \(gib(Double(Self.memoryLimit))); certify a smaller input or model, or raise --memory-limit")
    }
  }

  /// The version written into certificates.
  public static let version = "0.1.0"

  var notes: [String] {
    var notes = [
      "Certified semantics (explaincert-semantics/1, docs/certificate-schema.md): the real-number evaluation of the network whose parameters are the stored floats, converted exactly.",
      "Ties (a value exactly at a breakpoint) take the lower piece; MaxPool takes the first largest element.",
      "Constants the runtime computes when it loads the model (Gemm's β·C, Clip's bounds, folded constant subgraphs) are rounded once to float32, then used exactly.",
      "r₂ is bracketed by square roots bounded to 64 fractional bits; r∞ and r₁ are exact.",
    ]
    if network.nodes.contains(where: { $0.sourceOperator == "BatchNormalization" }) {
      notes.append("BatchNormalization is folded as the runtime folds it: s = γ/sqrt(var+ε), t = β−μ·s, rounded once to float32, then used exactly.")
    }
    if !network.links.isEmpty {
      notes.append("Output links (\(Set(network.links.map(\.link.name)).sorted().joined(separator: ", "))) are not piecewise linear: A and c describe their inputs.")
    }
    if network.embedding != nil {
      notes.append("The input space is the sequence of embedding vectors of the given tokens.")
    }
    return notes
  }

  /// Slack of every inequality at x0 and the radii of the largest balls inside P.
  static func radii(_ region: Region<ExactTensor>, x: [Rational], domain: InputBox?) -> (Certificate.Radii, Bool) {
    let (gx, norms) = region.constraintValuesAndNorms(at: x)
    let slacks = zip(region.bounds.values, gx).map { $0 - $1 }
    var radii = Region<ExactTensor>.ballRadii(slacks: slacks, norms: norms)
    if let domain, let lo = try? domain.lower.map(Rational.init(exactly:)), let hi = try? domain.upper.map(Rational.init(exactly:)) {
      radii.linf = boxedLinfRadius(region, x: x, slack: slacks, lo: lo, hi: hi)
    }
    let unbounded = "inf"
    return (Certificate.Radii(linf: radii.linf?.fractionString ?? unbounded, l1: radii.l1?.fractionString ?? unbounded,
                              l2Lower: radii.l2Lower?.fractionString ?? unbounded, l2Upper: radii.l2Upper?.fractionString ?? unbounded,
                              domain: domain?.certificateText),
            slacks.allSatisfy { $0.signum() >= 0 })
  }

  /// The largest r such that every x with ‖x − x0‖∞ ≤ r inside the box ∏ [loⱼ, hiⱼ] lies in P
  /// (nil: no such bound, the box stays inside P).
  ///
  /// For an inequality g·x ≤ h with slack S at x0, the largest increase of g·x over the ball ∩ box
  /// is φ(r) = Σⱼ |gⱼ|·min(r, bⱼ), where bⱼ is the room towards the box face gⱼ points at; φ is
  /// concave and piecewise linear, so the r with φ(r) = S is found by walking the breakpoints bⱼ
  /// in increasing order. Exact rationals throughout.
  static func boxedLinfRadius(_ region: Region<ExactTensor>, x: [Rational], slack: [Rational], lo: [Rational], hi: [Rational]) -> Rational? {
    let zero = Rational()
    let up = x.indices.map { max(hi[$0] - x[$0], zero) }, down = x.indices.map { max(x[$0] - lo[$0], zero) }
    // Every coordinate's two rooms, sorted once: (room, coordinate, direction is up).
    let rooms = (x.indices.map { (up[$0], $0, true) } + x.indices.map { (down[$0], $0, false) }).sorted { $0.0 < $1.0 }
    var best: Rational?
    for i in slack.indices {
      let g = region.constraintRow(i)
      var remaining = g.reduce(zero) { $0 + $1.magnitude }
      guard !remaining.isZero else { continue }
      var saturated = zero
      var radius: Rational?
      for (room, j, isUp) in rooms where !g[j].isZero && (g[j].signum() > 0) == isUp {
        let a = g[j].magnitude
        if saturated + remaining * room >= slack[i] {
          radius = (slack[i] - saturated) / remaining
          break
        }
        saturated += a * room
        remaining -= a
      }
      if let radius { best = best.map { min($0, radius) } ?? radius }
    }
    return best
  }
}

/// The float core's Jacobian at one input, computed on its own thread from creation on.
private final class FloatJacobian: @unchecked Sendable {
  private var result: Result<[String: DenseTensor<Float>], any Error>?
  private let done = DispatchSemaphore(value: 0)

  init(_ core: FloatCore<Float>, at x0: DenseTensor<Float>) {
    Thread.detachNewThread { [self] in
      result = Result { try core.jacobian(at: x0) }
      done.signal()
    }
  }

  /// Waits for the Jacobian.
  func value() throws -> [String: DenseTensor<Float>] {
    done.wait()
    defer { done.signal() }
    return try result!.get()
  }
}
