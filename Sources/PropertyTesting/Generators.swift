import Certification
import ExactArithmetic
import Explainers
import Foundation

/// How nearby inputs are drawn around x0. Every kind is a pure function of the random stream,
/// so a seed reproduces the inputs bit for bit.
public enum GeneratorKind: String, Sendable, Codable, CaseIterable {
  /// Uniform in the ball of `radius` (ℓ∞: each coordinate in [−r, r]; ℓ₂: uniform in volume).
  case uniform
  /// Gaussian steps of standard deviation r/3 per coordinate, projected back into the ball.
  case gaussian
  /// `k` randomly chosen features, each moved uniformly within [−r, r].
  case sparse
  /// Along a random ray from x0: the last point inside P and the first outside it around the
  /// exact crossing of the first facet (when it is within `radius`), then uniform points on the
  /// segment inside P.
  case ray
  /// `k` pixels, each moved by ±r.
  case pixel
  /// A square patch of `patch`×`patch` pixels (every channel) moved together by one step in [−r, r].
  case patch
  /// For token models: up to `k` tokens replaced by synonyms from the suite's synonym table.
  case synonyms
  /// The other applicable kinds in turn.
  case mixed
}

/// The radius of the ball nearby inputs are drawn from.
public enum RadiusSpec: Sendable, Equatable, CustomStringConvertible {
  /// A fixed radius.
  case absolute(Double)
  /// `scale` times x0's certified radius in the generator's norm (so the ball lies inside P).
  case certified(scale: Double)

  public var description: String {
    switch self {
    case .absolute(let r): return "\(r)"
    case .certified(let s): return s == 1 ? "certified" : "\(s)×certified"
    }
  }
}

/// Everything a generator needs besides the random stream.
public struct GeneratorSettings: Sendable, Equatable {
  public var kind: GeneratorKind = .uniform
  public var radius: RadiusSpec = .certified(scale: 1)
  public var norm: Norm = .linf
  /// Features (sparse), pixels (pixel) or tokens (synonyms) changed per sample.
  public var k: Int = 1
  /// Side of the square patch.
  public var patch: Int = 2
  /// Height and width of the image the coordinates form (default: the input's last two axes).
  public var image: [Int]? = nil
  /// The domain every coordinate is clipped to.
  public var domain: InputDomain? = nil

  public init() {}

  /// `uniform ℓ∞ r=certified` (`synonyms k=2` for token swaps): how samples are drawn, in reports.
  public var label: String {
    kind == .synonyms ? "synonyms k=\(k)" : "\(kind.rawValue) \(norm.symbol) r=\(radius)"
  }
}

/// Draws nearby inputs around one anchor.
public struct NearbyGenerator: Sendable {
  public let settings: GeneratorSettings
  public let anchor: Anchor
  /// The radius in use for this anchor.
  public let radius: Double
  let synonyms: SynonymTable?

  public init(settings: GeneratorSettings, anchor: Anchor, synonyms: SynonymTable? = nil) {
    self.settings = settings
    self.anchor = anchor
    self.synonyms = synonyms
    switch settings.radius {
    case .absolute(let r): radius = r
    case .certified(let scale):
      let r = anchor.certifiedRadius(settings.norm)
      // An unbounded region (no inequality) has no natural radius: use a unit ball.
      radius = r.isFinite ? r * scale : scale
    }
  }

  /// The kinds `mixed` cycles through for this anchor.
  var mixedKinds: [GeneratorKind] {
    var kinds: [GeneratorKind] = [.uniform, .gaussian, .sparse, .ray]
    if imageShape != nil { kinds += [.pixel, .patch] }
    if synonyms != nil && anchor.tokens != nil { kinds.append(.synonyms) }
    return kinds
  }

  /// `count` nearby inputs (flat coordinates, every one a float32 value), drawn from `random`.
  public func points(_ count: Int, random: inout SeededGenerator) throws -> [[Double]] {
    var result: [[Double]] = []
    result.reserveCapacity(count)
    var pending: [[Double]] = []
    for j in 0..<count {
      if !pending.isEmpty {
        result.append(pending.removeFirst())
        continue
      }
      let kind = settings.kind == .mixed ? mixedKinds[j % mixedKinds.count] : settings.kind
      // A generator with no room to move (a degenerate domain) draws nothing: x0 stands in, and
      // the case is reported as vacuous.
      var batch = try draw(kind, random: &random)
      result.append(batch.isEmpty ? anchor.x0.elements : batch.removeFirst())
      pending = batch
    }
    return result
  }

  /// One draw of a kind (a ray gives several points).
  func draw(_ kind: GeneratorKind, random: inout SeededGenerator) throws -> [[Double]] {
    let x0 = anchor.x0.elements
    let n = x0.count
    let r = radius
    switch kind {
    case .uniform:
      if settings.norm == .linf {
        return [place((0..<n).map { _ in -r + 2 * r * random.uniform() })]
      }
      let direction = unitDirection(n, .l2, random: &random)
      let length = r * Foundation.pow(random.uniform(), 1 / Double(n))
      return [place(direction.map { $0 * length })]
    case .gaussian:
      return [place(project((0..<n).map { _ in random.normal() * r / 3 }))]
    case .sparse:
      var step = [Double](repeating: 0, count: n)
      for i in random.sample(settings.k, from: n) { step[i] = -r + 2 * r * random.uniform() }
      return [place(project(step))]
    case .pixel:
      var step = [Double](repeating: 0, count: n)
      for i in random.sample(settings.k, from: n) { step[i] = random.next() & 1 == 0 ? r : -r }
      return [place(project(step))]
    case .patch:
      guard let (height, width) = imageShape else { return try draw(.uniform, random: &random) }
      let p = max(1, min(settings.patch, height, width))
      let top = random.integer(below: height - p + 1), left = random.integer(below: width - p + 1)
      let delta = -r + 2 * r * random.uniform()
      var step = [Double](repeating: 0, count: n)
      let plane = height * width
      for base in stride(from: 0, to: n, by: plane) {
        for y in top..<(top + p) {
          for x in left..<(left + p) { step[base + y * width + x] = delta }
        }
      }
      return [place(project(step))]
    case .ray:
      return try rayPoints(random: &random)
    case .synonyms:
      guard let synonyms, let tokens = anchor.tokens else {
        throw SuiteError(message: "the synonyms generator needs a token model and a `synonyms` table")
      }
      let substituted = synonyms.substitute(tokens, changes: settings.k, random: &random)
      return [try synonyms.bodyInput(substituted, network: anchor.subject.network, clipTo: settings.domain)]
    case .mixed:
      return try draw(mixedKinds[random.integer(below: mixedKinds.count)], random: &random)
    }
  }

  /// A step projected into the ball of the radius: coordinates clamped (ℓ∞) or the step scaled
  /// down (ℓ₂).
  func project(_ step: [Double]) -> [Double] {
    let r = radius
    if settings.norm == .linf { return step.map { min(max($0, -r), r) } }
    let length = step.reduce(0) { $0 + $1 * $1 }.squareRoot()
    return length > r ? step.map { $0 * (r / length) } : step
  }

  /// The input's image geometry, if it has one.
  var imageShape: (Int, Int)? {
    if let image = settings.image, image.count == 2, image[0] * image[1] > 0, anchor.inputCount % (image[0] * image[1]) == 0 {
      return (image[0], image[1])
    }
    let shape = anchor.x0.shape
    guard shape.count >= 2, shape[shape.count - 1] > 1, shape[shape.count - 2] > 1 else { return nil }
    return (shape[shape.count - 2], shape[shape.count - 1])
  }

  /// A random direction of unit length in a norm.
  func unitDirection(_ n: Int, _ norm: Norm, random: inout SeededGenerator) -> [Double] {
    var d = (0..<n).map { _ in random.normal() }
    let length = norm == .l2 ? d.reduce(0) { $0 + $1 * $1 }.squareRoot() : d.map(abs).max() ?? 1
    if length > 0 { d = d.map { $0 / length } }
    return d
  }

  /// x0 + step, clipped to the domain, each coordinate rounded to float32 towards x0 (so the
  /// rounded point is never farther from x0 than the real one, in any coordinate).
  public func place(_ step: [Double]) -> [Double] {
    let x0 = anchor.x0.elements
    return x0.indices.map { i in Self.towards(x0[i], x0[i] + step[i], domain: settings.domain?.range(of: i)) }
  }

  /// `value` clipped to the domain and rounded to a float32 between `origin` and it.
  public static func towards(_ origin: Double, _ value: Double, domain: ClosedRange<Double>?) -> Double {
    var v = value
    if let domain { v = min(max(v, domain.lowerBound), domain.upperBound) }
    var f = Float(v)
    if abs(Double(f) - origin) > abs(v - origin) {
      f = Double(f) > v ? f.nextDown : f.nextUp
    }
    return Double(f)
  }

  // MARK: Rays

  /// Where a ray from x0 leaves P.
  public struct Crossing: Sendable {
    /// The direction (unit length in the generator's norm).
    public var direction: [Double]
    /// The exact distance t* along the direction to the first facet crossed (nil: never leaves).
    public var distance: Rational?
    /// The inequality of that facet.
    public var facet: Int?
    /// The exact crossing point x0 + t*·d.
    public var point: [Rational]?
    /// The float32 point closest to the crossing (along the ray) still in P, and the first one
    /// outside P.
    public var inside: [Double]
    public var outside: [Double]?
  }

  /// The exact crossing of a ray with the boundary of P, computed with rationals from G and h.
  public func crossing(direction d: [Double]) throws -> Crossing {
    let dr = try d.map { try Rational(exactly: $0) }
    let gd = anchor.region.constraintValues(at: dr)
    let gx = anchor.region.constraintValues(at: anchor.exactX0)
    var best: Rational?, facet: Int?
    for i in gd.indices where gd[i].signum() > 0 {
      let t = (anchor.bounds[i] - gx[i]) / gd[i]
      if best.map({ t < $0 }) ?? true { best = t; facet = i }
    }
    guard let tStar = best else {
      return Crossing(direction: d, distance: nil, facet: nil, point: nil, inside: place(d.map { $0 * radius }), outside: nil)
    }
    let point = zip(anchor.exactX0, dr).map { $0 + tStar * $1 }
    // Bisect on t for the float32 points along the ray, p(t) = x0 + t·d rounded towards x0,
    // testing the crossed facet's inequality exactly (cheap: one row of G), then confirm the
    // last point inside with every inequality (rounding off the ray may cross another facet).
    let row = anchor.region.constraintRow(facet!)
    let bound = anchor.bounds[facet!]
    func at(_ t: Double) -> [Double] { place(d.map { $0 * t }) }
    func belowFacet(_ x: [Double]) throws -> Bool {
      var sum = Rational()
      for (g, v) in zip(row, x) where !g.isZero && v != 0 { sum += g * (try Rational(exactly: v)) }
      return sum <= bound
    }
    var lo = 0.0
    var hi = max(Double(tStar, rounding: .up), Double.leastNonzeroMagnitude)
    var grow = 0
    while try belowFacet(at(hi)) {
      hi = hi * 2 + Double.leastNonzeroMagnitude
      grow += 1
      if grow > 64 || !hi.isFinite { return Crossing(direction: d, distance: tStar, facet: facet, point: point, inside: at(lo), outside: nil) }
    }
    func bisect(_ inside: ([Double]) throws -> Bool) rethrows {
      for _ in 0..<80 {
        let mid = lo + (hi - lo) / 2
        if mid <= lo || mid >= hi || at(mid) == at(lo) || at(mid) == at(hi) { break }
        if try inside(at(mid)) { lo = mid } else { hi = mid }
      }
    }
    try bisect(belowFacet)
    if try !anchor.membership(at(lo)).inside {
      // Another inequality is violated first: bisect again with all of them.
      hi = lo
      lo = 0
      try bisect { try anchor.membership($0).inside }
    }
    return Crossing(direction: d, distance: tStar, facet: facet, point: point, inside: at(lo), outside: at(hi))
  }

  /// A ray's points: just inside and (within the radius) just outside the first facet, and a
  /// uniform point of the segment from x0 to it.
  func rayPoints(random: inout SeededGenerator) throws -> [[Double]] {
    let d = unitDirection(anchor.inputCount, settings.norm, random: &random)
    let c = try crossing(direction: d)
    let limit = c.distance.map { min(Double($0), radius) } ?? radius
    var points = [c.inside]
    if let outside = c.outside, let t = c.distance, Double(t) <= radius { points.append(outside) }
    points.append(place(d.map { $0 * limit * random.uniform() }))
    // Keep the draw within the ball: the inside point may lie beyond the radius (the segment
    // point never does).
    return points.filter { distance($0) <= radius }
  }

  /// Distance of a point from x0 in the generator's norm.
  public func distance(_ x: [Double]) -> Double {
    Self.distance(x, from: anchor.x0.elements, settings.norm)
  }

  public static func distance(_ x: [Double], from x0: [Double], _ norm: Norm) -> Double {
    switch norm {
    case .linf: return zip(x, x0).reduce(0) { max($0, abs($1.0 - $1.1)) }
    case .l2: return zip(x, x0).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot()
    }
  }
}
