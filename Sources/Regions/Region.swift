import ExactArithmetic
import Model

/// The OpenBox explanation of a piecewise-linear network around one input x0: on the closed
/// convex polyhedron P = {x : G·x ≤ h} of x0's activation pattern, every body output equals
/// the affine map A·x + c.
///
/// Generic over the number system: with `DenseTensor<Double>` it is the float explanation, with
/// ``ExactTensor`` the exact one. Matrices are stored with the input dimension first (the copies
/// of the evaluation are the unit vectors): `linear[out]` is Aᵀ, `constraints` is Gᵀ.
public struct Region<T: TensorAlgebra> {
  /// The pattern that fixes the region.
  public var pattern: ActivationPattern
  /// Per body output, Aᵀ with shape [inputs] + output shape.
  public var linear: [String: T]
  /// Per body output, c with shape [1] + output shape.
  public var constant: [String: T]
  /// The inequalities, one block per site that imposes any, in the order of ``origins``.
  public var constraintBlocks: [ConstraintBlock<T>]
  /// For each constraint, the site and element (within the site's choices) it comes from.
  public var origins: [ConstraintOrigin]

  /// Number of inequalities of P.
  public var constraintCount: Int { origins.count }

  /// Number of inputs (the dimension of x).
  public var inputCount: Int

  /// Gᵀ, shape [inputs, constraints]: every block's, concatenated (built on each use).
  public var constraints: T {
    let parts = constraintBlocks.map(\.constraints)
    return parts.isEmpty ? T.filled(with: Broadcast(scalar: 0), shape: [inputCount, 0])
      : T.concatenated(parts, blockSizes: parts.map { $0.shape[1] }, shape: [inputCount, constraintCount])
  }

  /// h, shape [1, constraints] (built on each use).
  public var bounds: T {
    let parts = constraintBlocks.map(\.bounds)
    return parts.isEmpty ? T.filled(with: Broadcast(scalar: 0), shape: [1, 0])
      : T.concatenated(parts, blockSizes: parts.map { $0.shape[1] }, shape: [1, constraintCount])
  }
}

/// The inequalities one site imposes, kept apart from the other sites' so that each keeps its own
/// scale (exactly: its own power of two) and shares the storage of the pre-activations it comes
/// from: column j of the block's Gᵀ is `signs[j]` times column j of ``unsigned``.
public struct ConstraintBlock<T: TensorAlgebra> {
  /// Gᵀ of the block up to the signs of its columns, shape [inputs, m].
  public var unsigned: T
  /// Per inequality, 1 or -1.
  public var signs: [Int8]
  /// h of the block, shape [1, m].
  public var bounds: T

  /// Gᵀ of the block, shape [inputs, m].
  public var constraints: T {
    guard signs.contains(-1) else { return unsigned }
    return unsigned.scaled(by: Broadcast(Constant(shape: [signs.count], values: signs.map(Double.init))))
  }
}

/// Where an inequality of a region comes from.
public struct ConstraintOrigin: Sendable, Hashable, Codable {
  /// Index of the site in the plan.
  public var site: Int
  /// The element (neuron) within the site's choices.
  public var element: Int
}

extension Plan {
  /// Builds x0's region for a given pattern: A and c by evaluating the pattern's affine pieces
  /// on the unit vectors (linear part) and on zero (constant part), G and h from the values
  /// each site's choice depends on.
  ///
  /// `unitVectors` must be the identity, shape [inputs] + ``inputShape``.
  @_specialize(exported: true, where T == ExactTensor)
  @_specialize(exported: true, where T == DenseTensor<Double>)
  public func region<T: TensorAlgebra>(pattern: ActivationPattern, unitVectors: T) -> Region<T> {
    var linearVisits: [SiteVisit<T>] = []
    let linear = evaluate(unitVectors, mode: .fixed(pattern), offsets: false) { linearVisits.append($0) }
    var constantVisits: [SiteVisit<T>] = []
    let zero = T.filled(with: Broadcast(scalar: 0), shape: [1] + inputShape)
    let constant = evaluate(zero, mode: .fixed(pattern), offsets: true) { constantVisits.append($0) }

    var blocks: [ConstraintBlock<T>] = []
    var origins: [ConstraintOrigin] = []
    for (l, c) in zip(linearVisits, constantVisits) {
      let rows = constraintRows(site: sites[l.site], choices: l.choices)
      guard !rows.isEmpty else { continue }
      let size = l.preActivation.shape.dropFirst().reduce(1, *)
      // Row: (z[positive] − z[negative]) · x ≤ bound − (c[positive] − c[negative]). A row of one
      // term keeps its sign apart, so that it shares the pre-activation's storage.
      let signs: [Int8] = rows.map { $0.positive < 0 ? -1 : 1 }
      let first = IndexMap(indices: rows.map { Int32($0.positive < 0 ? $0.negative! : $0.positive) }, inputBlock: size)
      let second = IndexMap(indices: rows.map { Int32($0.positive < 0 ? -1 : $0.negative ?? -1) }, inputBlock: size)
      let positive = IndexMap(indices: rows.map { Int32($0.positive) }, inputBlock: size)
      let negative = IndexMap(indices: rows.map { Int32($0.negative ?? -1) }, inputBlock: size)
      let m = rows.count
      let g = l.preActivation.reshaped([unitVectors.shape[0], size])
      let z = c.preActivation.reshaped([1, size])
      let unsigned = g.gathered(first, shape: [g.shape[0], m])
      let offsets = Constant(shape: [m], values: rows.map(\.bound))
      blocks.append(ConstraintBlock(
        unsigned: second.indices.allSatisfy { $0 < 0 } ? unsigned : unsigned.subtracting(g.gathered(second, shape: [g.shape[0], m])),
        signs: signs,
        bounds: z.gathered(negative, shape: [1, m]).subtracting(z.gathered(positive, shape: [1, m])).shifted(by: Broadcast(offsets))))
      origins += rows.map { ConstraintOrigin(site: l.site, element: l.elementOffset + $0.element) }
    }
    return Region(pattern: pattern, linear: linear.outputs, constant: constant.outputs,
                  constraintBlocks: blocks, origins: origins, inputCount: unitVectors.shape[0])
  }

  /// The inequalities `z[positive] − z[negative] ≤ bound` a site's choices impose, with indices
  /// into the visited chunk of pre-activations.
  func constraintRows(site: PatternSite, choices: ArraySlice<UInt8>) -> [ConstraintRow] {
    var rows: [ConstraintRow] = []
    let base = choices.startIndex
    switch site.kind {
    case .elementwise(let breakpoints, _, _):
      for (offset, choice) in choices.enumerated() {
        let c = Int(choice)
        let element = base + offset
        // Lower breakpoint: z ≥ b  ⇔  −z ≤ −b, written with the sign folded into the gather.
        if c > 0 {
          let b = breakpoints[c - 1]
          rows.append(ConstraintRow(positive: -1, negative: offset, bound: -b.values[b.index(of: element)], element: offset))
        }
        if c < breakpoints.count {
          let b = breakpoints[c]
          rows.append(ConstraintRow(positive: offset, negative: nil, bound: b.values[b.index(of: element)], element: offset))
        }
      }
    case .maxPool(let windows, let window):
      let outputs = windows.outputBlock / window
      for (offset, choice) in choices.enumerated() {
        let plane = offset / outputs, j = offset % outputs
        let base = plane * windows.inputBlock
        let chosen = base + Int(windows.indices[j * window + Int(choice)])
        for k in 0..<window where k != Int(choice) {
          let index = windows.indices[j * window + k]
          guard index >= 0 else { continue }
          rows.append(ConstraintRow(positive: base + Int(index), negative: chosen, bound: 0, element: offset))
        }
      }
    }
    return rows
  }
}

/// One inequality `z[positive] − z[negative] ≤ bound` over a site's pre-activations
/// (a negative index stands for zero).
struct ConstraintRow {
  var positive: Int
  var negative: Int?
  var bound: Double
  var element: Int
}

extension Region where T == ExactTensor {
  /// G·x, exactly, block by block (each with its own scale; signs applied).
  public func constraintValues(at x: [Rational]) -> [Rational] {
    constraintBlocks.flatMap { block in
      zip(block.unsigned.combiningRows(with: x), block.signs).map { $1 < 0 ? -$0 : $0 }
    }
  }

  /// G·x and every inequality's norms (those of its row of G), in one pass over each block.
  public func constraintValuesAndNorms(at x: [Rational]) -> (values: [Rational], norms: [ColumnNorms]) {
    var values: [Rational] = [], norms: [ColumnNorms] = []
    for block in constraintBlocks {
      let (combination, blockNorms) = block.unsigned.columnSummaries(combining: x)
      values += zip(combination, block.signs).map { $1 < 0 ? -$0 : $0 }
      norms += blockNorms
    }
    return (values, norms)
  }

  /// Row `i` of G (the coefficients of inequality i).
  public func constraintRow(_ i: Int) -> [Rational] {
    var offset = 0
    for block in constraintBlocks {
      if i < offset + block.signs.count {
        let column = block.unsigned.column(i - offset)
        return block.signs[i - offset] < 0 ? column.map { -$0 } : column
      }
      offset += block.signs.count
    }
    preconditionFailure("inequality \(i) out of range (\(constraintCount) inequalities)")
  }

  /// The radii of the largest balls around x inside P, from the slacks h − G·x and the norms of
  /// G's rows (nil: unbounded); r₂ as an interval, from 64-bit square-root bounds.
  public static func ballRadii(slacks: [Rational], norms: [ColumnNorms]) -> BallRadii {
    var radii = BallRadii()
    func lower(_ current: Rational?, _ candidate: Rational) -> Rational { current.map { min($0, candidate) } ?? candidate }
    for (slack, norm) in zip(slacks, norms) where !norm.l1.isZero {
      radii.linf = lower(radii.linf, slack / norm.l1)
      radii.l1 = lower(radii.l1, slack / norm.maxAbs)
      let (sqrtLow, sqrtHigh) = norm.squaredL2.squareRootBounds(fractionalBits: 64)
      radii.l2Lower = lower(radii.l2Lower, slack / sqrtHigh)
      if !sqrtLow.isZero { radii.l2Upper = lower(radii.l2Upper, slack / sqrtLow) }
    }
    return radii
  }
}

/// Radii of the largest balls around a point inside a polyhedron, exactly (nil: unbounded).
public struct BallRadii: Sendable {
  public var linf: Rational?
  public var l1: Rational?
  /// r₂ lies in [l2Lower, l2Upper].
  public var l2Lower: Rational?
  public var l2Upper: Rational?
}
