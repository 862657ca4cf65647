import Foundation
import Inference
import Model

/// KernelSHAP (Lundberg & Lee 2017): Shapley values of the features (or groups of coordinates)
/// for the value function `v(S) = mean over background rows b of f(x0 on S, b elsewhere)`,
/// found as the weighted least-squares fit of `v(S) ≈ φ₀ + Σ_{i∈S} φᵢ` with the Shapley kernel
/// `k(S) = (M − 1) / (C(M, |S|)·|S|·(M − |S|))`, constrained to `φ₀ = v(∅)` and
/// `Σ φᵢ = v(all) − v(∅)` (eliminating the last φ, as the `shap` package does).
///
/// - M ≤ `exactLimit` (12): every coalition is enumerated, and the fit is the exact Shapley values.
/// - Otherwise `samples` coalitions (default 2M + 2048, as `shap`'s "auto") are drawn: a size s
///   with probability ∝ the kernel's mass on that size, (M − 1)/(s(M − s)), a uniform subset of
///   that size, and its complement with it; all drawn coalitions have equal weight.
///
/// Players: each input coordinate (tabular), a square patch of `patch` pixels (images; patch 1
/// = each pixel with its channels together), or a token position (text; an absent token takes the
/// `<pad>` embedding unless background rows are given). Background: zeros by default, or the
/// given rows (each a whole body input). The relevance of a coordinate is its player's φ divided
/// by the player's size. Diagnostics: `baseValue` φ₀ = v(∅), `outputValue` v(all),
/// `additivityError` |φ₀ + Σφ − v(all)|, `coalitions`.
public struct KernelSHAPExplainer: Explainer {
  public var background: [[Double]]?
  public var samples: Int?
  public var patch: Int
  public var exactLimit: Int
  public var target: OutputTarget
  /// When the network starts with affine layers (an MLP's first dense layer), compute their
  /// output for each coalition from that of the background row or x0 and the columns of the
  /// changed players, instead of evaluating them on every input (the same values up to rounding).
  public var firstLayerUpdates: Bool

  public init(background: [[Double]]? = nil, samples: Int? = nil, patch: Int = 1, exactLimit: Int = 12, target: OutputTarget = .logit,
              firstLayerUpdates: Bool = true) {
    self.background = background
    self.samples = samples
    self.patch = patch
    self.exactLimit = exactLimit
    self.target = target
    self.firstLayerUpdates = firstLayerUpdates
  }

  public var method: String { "kernelshap" }

  /// The players of `x0` and the background rows absent players take their values from.
  func players(_ model: ExplainedModel, at x0: DenseTensor<Double>) throws -> ([[Int]], [[Double]]) {
    let n = x0.elements.count
    let groups: [[Int]]
    var rows: [[Double]]
    switch model.inputKind(shape: x0.shape) {
    case .image: groups = FeatureGroups.patches(shape: x0.shape, size: patch)
    case .text: groups = FeatureGroups.tokenPositions(shape: x0.shape)
    case .tabular: groups = FeatureGroups.singles(count: n)
    }
    if let background {
      guard !background.isEmpty, background.allSatisfy({ $0.count == n }) else {
        throw ExplainerError("KernelSHAP background rows must each have \(n) values (the body input)")
      }
      rows = background
    } else if model.inputKind(shape: x0.shape) == .text, let pad = model.padVector {
      rows = [(0..<n).map { pad[$0 % pad.count] }]
    } else {
      rows = [[Double](repeating: 0, count: n)]
    }
    return (groups, rows)
  }

  public func explain(_ model: ExplainedModel, at x0: DenseTensor<Double>, output: Int, seed: UInt64) throws -> Explanation {
    let (groups, rows) = try players(model, at: x0)
    let m = groups.count
    guard m >= 1 else { throw ExplainerError("KernelSHAP needs at least one feature") }
    // Coalitions as bit vectors with their regression weights.
    var coalitions: [[Bool]] = []
    var weights: [Double] = []
    let exact = m <= exactLimit
    if exact {
      if m >= 2 {
        for mask in 1..<((1 << m) - 1) {
          let members = (0..<m).map { mask & (1 << $0) != 0 }
          let s = members.filter { $0 }.count
          coalitions.append(members)
          weights.append(Double(m - 1) / (Self.binomial(m, s) * Double(s) * Double(m - s)))
        }
      }
    } else {
      var generator = SeededGenerator(seed: seed)
      let budget = max(samples ?? (2 * m + 2048), 2)
      let mass = (1..<m).map { s in Double(m - 1) / (Double(s) * Double(m - s)) }
      let total = mass.reduce(0, +)
      let probabilities = mass.map { $0 / total }
      let sizes = (1..<m).map(Double.init)
      while coalitions.count < budget {
        let s = Int(generator.choice(sizes, probabilities: probabilities))
        var members = [Bool](repeating: false, count: m)
        for j in generator.sample(s, from: m) { members[j] = true }
        coalitions.append(members)
        coalitions.append(members.map { !$0 })
        weights += [1, 1]
      }
    }
    // v(S) for every coalition, ∅ and the full set, averaging over the background rows.
    let all = [[Bool](repeating: false, count: m), [Bool](repeating: true, count: m)] + coalitions
    // Each (coalition, background row) input: the row, with x0's values on the present players
    // (written as x0 with the row's values on the absent players when those are fewer). When the
    // network starts with affine layers P, the suffix is queried at P of each input instead,
    // P(start) + Σ J[:, i]·(change of coordinate i), from P at the background rows and x0.
    let n = x0.elements.count
    let flatRows = rows.flatMap { $0 }
    let prefix = firstLayerUpdates ? try model.affinePrefixes.prefix(of: model, shape: x0.shape) : nil
    let width = prefix?.width ?? n
    let starts = prefix.map { $0.values(flatRows + x0.elements) } ?? (flatRows + x0.elements)
    let build = (all: all, groups: groups, background: flatRows, rows: rows.count, x0: x0.elements, starts: starts,
                 jacobian: prefix?.transposedJacobian, width: width)
    // Built in the precision the network is queried in (no conversion pass, half the memory
    // in float32).
    let queried = prefix?.suffix ?? model
    let shape = prefix?.suffixShape ?? x0.shape
    let outputs = switch model.queryPrecision {
    case .float32: try queried.outputs(Self.queries(build) as [Float], shape: shape, outputs: [output], target: target)[0]
    case .float64: try queried.outputs(Self.queries(build) as [Double], shape: shape, outputs: [output], target: target)[0]
    }
    let values = (0..<all.count).map { c in outputs[(c * rows.count)..<((c + 1) * rows.count)].reduce(0, +) / Double(rows.count) }
    let (empty, full) = (values[0], values[1])
    let phi = Self.solve(coalitions: coalitions, weights: weights, values: Array(values.dropFirst(2)), empty: empty, full: full, players: m)
    var relevance = [Double](repeating: 0, count: x0.elements.count)
    for (j, group) in groups.enumerated() {
      for i in group { relevance[i] += phi[j] / Double(group.count) }
    }
    let kind = model.inputKind(shape: x0.shape)
    return Explanation(
      method: method, output: output, inputShape: x0.shape, relevance: relevance,
      surrogate: LinearSurrogate(weights: phi, intercept: empty, features: .presence, interpretation: .groups(groups, reference: x0.elements)),
      seed: exact ? nil : seed,
      settings: ["queries": model.queryPrecision.rawValue, "players": kind == .image ? "patches of \(patch)×\(patch) pixels" : kind == .text ? "token positions" : "features",
                 "background": background == nil ? (kind == .text ? "<pad> embedding" : "zeros") : "\(rows.count) rows",
                 "enumeration": exact ? "exact" : "sampled", "coalitions": "\(coalitions.count)", "target": target.rawValue,
                 "firstLayers": prefix == nil ? "evaluated" : "updated per coalition"],
      diagnostics: ["baseValue": empty, "outputValue": full, "coalitions": Double(coalitions.count),
                    "additivityError": abs(empty + phi.reduce(0, +) - full)])
  }

  /// What the queries of every (coalition, background row) are built from: the coalitions (∅ and
  /// the full set first), the players' coordinates, the background rows (one after another), x0,
  /// what each query starts from (each row's and then x0's input, or P's value at them), and J's
  /// rows when P is updated rather than evaluated.
  typealias QueryParts = (all: [[Bool]], groups: [[Int]], background: [Double], rows: Int, x0: [Double], starts: [Double],
                          jacobian: [Double]?, width: Int)

  /// The queries, coalition by coalition and row by row, built concurrently in fixed chunks of
  /// coalitions (each writes its own rows).
  @_specialize(where Q == Float)
  @_specialize(where Q == Double)
  static func queries<Q: DenseScalar>(_ parts: QueryParts) -> [Q] {
    let (m, n, width, rows) = (parts.all.first?.count ?? 0, parts.x0.count, parts.width, parts.rows)
    let block = rows * width
    let starts = parts.starts.map { Q($0) }
    let jacobian = parts.jacobian?.map { Q($0) } ?? []
    let updating = parts.jacobian != nil
    return [Q](unsafeUninitializedCapacity: parts.all.count * block) { out, initialized in
      let target = SendablePointer(out.baseAddress!)
      let chunk = 64
      DispatchQueue.concurrentPerform(iterations: (parts.all.count + chunk - 1) / chunk) { part in
        parts.background.withUnsafeBufferPointer { background in
          parts.x0.withUnsafeBufferPointer { x0 in
            starts.withUnsafeBufferPointer { starts in
              jacobian.withUnsafeBufferPointer { jacobian in
                var changed: [Int] = []
                for c in (part * chunk)..<min(parts.all.count, (part + 1) * chunk) {
                  let members = parts.all[c]
                  let fromRow = 2 * members.count(where: \.self) <= m
                  changed.removeAll(keepingCapacity: true)
                  for (j, present) in members.enumerated() where present == fromRow { changed += parts.groups[j] }
                  for r in 0..<rows {
                    let query = target.pointer + c * block + r * width
                    let row = background.baseAddress! + r * n
                    let (base, other) = fromRow ? (row, x0.baseAddress!) : (x0.baseAddress!, row)
                    query.initialize(from: starts.baseAddress! + (fromRow ? r : rows) * width, count: width)
                    if updating {
                      for i in changed where other[i] != base[i] {
                        let (change, column) = (Q(other[i] - base[i]), jacobian.baseAddress! + i * width)
                        for k in 0..<width { query[k] += change * column[k] }
                      }
                    } else {
                      for i in changed { query[i] = Q(other[i]) }
                    }
                  }
                }
              }
            }
          }
        }
      }
      initialized = parts.all.count * block
    }
  }

  /// The constrained weighted least-squares fit: φ_M = Δ − Σ_{i<M} φ_i eliminated.
  ///
  /// (XᵀWX) φ = XᵀW y without an intercept: row r of X is (z_j − z_M) for j < M, y_r is
  /// v(S) − v(∅) − z_M·Δ. X's entries are −1, 0 and 1, so with equal weights (the sampled
  /// coalitions) XᵀX is a matrix of integers, computed exactly in float32 (at twice BLAS's
  /// float64 speed; below 2²⁴ rows no sum is rounded) and scaled by the weight once. Other
  /// weights go through BLAS in float64 on √w-scaled rows.
  static func solve(coalitions: [[Bool]], weights: [Double], values: [Double], empty: Double, full: Double, players m: Int) -> [Double] {
    let delta = full - empty
    if m == 1 { return [delta] }
    let (k, rows) = (m - 1, coalitions.count)
    var moment = [Double](repeating: 0, count: k)
    for (r, members) in coalitions.enumerated() {
      let last = members[m - 1] ? 1.0 : 0.0
      let target = weights[r] * (values[r] - empty - last * delta)
      for j in 0..<k { moment[j] += ((members[j] ? 1 : 0) - last) * target }
    }
    let gram: [Double]
    if let w = weights.first, weights.allSatisfy({ $0 == w }), rows < 1 << 24 {
      gram = Self.gram(coalitions, players: m) { _ in Float(1) }.map { w * Double($0) }
    } else {
      gram = Self.gram(coalitions, players: m) { weights[$0].squareRoot() }
    }
    var phi = SymmetricSolver.solve(gram, moment, size: k)
    phi.append(delta - phi.reduce(0, +))
    return phi
  }

  /// XᵀX for the rows (z_j − z_M)·scale(r), j < M, of the coalitions, in S through BLAS.
  static func gram<S: DenseScalar>(_ coalitions: [[Bool]], players m: Int, scale: (Int) -> S) -> [S] {
    let (k, rows) = (m - 1, coalitions.count)
    var x = [S](repeating: 0, count: k * rows)  // transposed, [k, rows]
    x.withUnsafeMutableBufferPointer { out in
      for (r, members) in coalitions.enumerated() {
        let (root, last): (S, S) = (scale(r), members[m - 1] ? 1 : 0)
        for j in 0..<k { out[j * rows + r] = ((members[j] ? 1 : 0) - last) * root }
      }
    }
    var gram = [S](repeating: 0, count: k * k)
    x.withUnsafeBufferPointer { x in
      gram.withUnsafeMutableBufferPointer { c in symmetricProduct(x.baseAddress!, into: c.baseAddress!, n: k, k: rows) }
    }
    return gram
  }

  static func binomial(_ n: Int, _ k: Int) -> Double {
    var result = 1.0
    for i in 0..<min(k, n - k) { result = result * Double(n - i) / Double(i + 1) }
    return result
  }
}
