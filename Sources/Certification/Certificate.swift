import DataIO
import ExactArithmetic
import Foundation
import Model

/// A certificate of one OpenBox explanation: what `explaincert certify` writes and
/// `explaincert verify` re-derives from the model (never trusting the file).
///
/// Every exact number is a `"p/q"` string (q = 1 included). G and h are not stored: they are
/// large, and `verify` recomputes them from the model and the pattern.
public struct Certificate: Codable, Equatable, Sendable {
  /// One body output's affine map on the region.
  public struct AffineMap: Codable, Equatable, Sendable {
    public var output: String
    public var shape: [Int]
    /// A, one row per output element, one column per input.
    public var a: [[String]]
    public var c: [String]
    /// f(x0) evaluated exactly through the network.
    public var value: [String]
  }

  /// The choices of one pattern site: one character per element (`0`…`9`, then letters for
  /// MaxPool window positions past 9).
  public struct Site: Codable, Equatable, Sendable {
    public var node: String
    public var `operator`: String
    public var choices: String
  }

  /// Certified radii of balls around x0 inside P. With a domain box, `linf` is the radius of the
  /// largest ℓ∞ ball whose part inside the box lies in P; `l1` and the `l2` bounds are of the
  /// balls themselves (lower bounds of their in-box versions). "inf" when nothing bounds it.
  public struct Radii: Codable, Equatable, Sendable {
    public var linf: String
    public var l1: String
    public var l2Lower: String
    public var l2Upper: String
    /// The domain box, when one was given: [min, max] for every coordinate, or the n lower
    /// bounds followed by the n upper bounds (see ``InputBox``).
    public var domain: [String]?
  }

  /// A neuron whose float choice at x0 differs from its exact choice.
  public struct Flip: Codable, Equatable, Sendable {
    public var node: String
    public var element: Int
    public var floatChoice: Int
    public var exactChoice: Int
  }

  /// How far the float explanation (the float32 core's Jacobian and pattern) is from the exact one.
  public struct FloatFindings: Codable, Equatable, Sendable {
    public var maxAbsoluteError: Double
    public var maxRelativeError: Double
    public var flippedNeurons: [Flip]
  }

  public var tool: String
  public var version: String
  public var model: String
  public var modelSHA256: String
  /// x0, the body's input (embedding vectors for token models), exactly.
  public var input: [String]
  public var inputShape: [Int]
  /// Token ids when the model reads tokens.
  public var tokens: [Int]?
  public var pattern: [Site]
  public var outputs: [AffineMap]
  /// f(x0) = A·x0 + c holds as an identity of rationals.
  public var identityHolds: Bool
  /// x0 satisfies every inequality of P exactly.
  public var inputInRegion: Bool
  public var constraints: Int
  public var ties: Int
  public var radii: Radii
  public var floatFindings: FloatFindings
  public var notes: [String]

  enum CodingKeys: String, CodingKey, CaseIterable {
    case tool, version, model, modelSHA256, input, inputShape, tokens, pattern, outputs, identityHolds, inputInRegion
    case constraints, ties, radii, floatFindings, notes

    static var allNames: Set<String> { Set(allCases.map(\.rawValue)) }
  }
}

extension Certificate {
  /// Reads a certificate file and checks that it is well formed — every exact number a rational
  /// `p/q` (`inf` only for a radius), the input shape positive and matching the input, every
  /// output's A, c and value of consistent sizes. A malformed file is a one-line error naming it
  /// and the field (bad input, exit 2); whether a well-formed certificate is *true* is
  /// ``Certifier/verify(_:)``'s question.
  public static func load(path: String) throws -> Certificate {
    guard let data = FileManager.default.contents(atPath: path) else { throw ModelError("\(path): cannot read the file") }
    let c: Certificate
    do {
      c = try JSONDecoder().decode(Certificate.self, from: data)
    } catch {
      throw ModelError("\(path): not a certificate (\((error as? DecodingError)?.oneLine ?? "\(error)"))")
    }
    func bad(_ field: String, _ problem: String) -> ModelError { ModelError("\(path): field '\(field)': \(problem)") }
    // A field ExplainCert does not write is not part of what the certificate claims: refuse it.
    if let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
       let unknown = Set(object.keys).subtracting(CodingKeys.allNames).sorted().first {
      throw bad(unknown, "not a field of a certificate")
    }
    func rational(_ field: String, _ text: String, infinity: Bool = false) throws {
      guard Rational(text) != nil || (infinity && text == "inf") else {
        throw bad(field, "'\(text.prefix(40))' is not a rational p/q")
      }
    }
    let count = c.inputShape.elementCount ?? -1
    guard !c.inputShape.isEmpty, c.inputShape.allSatisfy({ $0 > 0 }), count == c.input.count else {
      throw bad("inputShape", "\(c.inputShape) does not describe the \(c.input.count) input values")
    }
    for (i, text) in c.input.enumerated() { try rational("input[\(i)]", text) }
    for (k, output) in c.outputs.enumerated() {
      let m = output.c.count
      guard output.a.count == m, output.value.count == m, output.a.allSatisfy({ $0.count == count }) else {
        throw bad("outputs[\(k)]", "A must have one row of \(count) entries per entry of c and value (\(m))")
      }
      for (i, row) in output.a.enumerated() {
        for (j, text) in row.enumerated() { try rational("outputs[\(k)].a[\(i)][\(j)]", text) }
      }
      for (i, text) in output.c.enumerated() { try rational("outputs[\(k)].c[\(i)]", text) }
      for (i, text) in output.value.enumerated() { try rational("outputs[\(k)].value[\(i)]", text) }
    }
    for (field, text) in [("linf", c.radii.linf), ("l1", c.radii.l1), ("l2Lower", c.radii.l2Lower), ("l2Upper", c.radii.l2Upper)] {
      try rational("radii.\(field)", text, infinity: true)
    }
    if let domain = c.radii.domain {
      do {
        _ = try InputBox(certificateText: domain, count: count)
      } catch let error as ModelError {
        throw bad("radii.domain", error.message)
      }
    }
    guard c.constraints >= 0, c.ties >= 0 else { throw bad(c.constraints < 0 ? "constraints" : "ties", "is negative") }
    return c
  }
}

/// A box of inputs: a lower and an upper bound per input coordinate (a `--domain`, or a VNN-LIB
/// property's input constraints).
public struct InputBox: Sendable, Equatable {
  public var lower: [Double]
  public var upper: [Double]

  /// Finite bounds with lower ≤ upper per coordinate.
  public init(lower: [Double], upper: [Double]) throws {
    guard lower.count == upper.count, !lower.isEmpty else { throw ModelError("a box needs as many lower as upper bounds (\(lower.count), \(upper.count))") }
    for j in lower.indices {
      guard lower[j].isFinite, upper[j].isFinite, lower[j] <= upper[j] else {
        throw ModelError("coordinate \(j) of the box is [\(lower[j]), \(upper[j])]: bounds must be finite numbers with min ≤ max")
      }
    }
    (self.lower, self.upper) = (lower, upper)
  }

  /// The same range for each of `count` coordinates.
  public init(uniform range: ClosedRange<Double>, count: Int) throws {
    try self.init(lower: Array(repeating: range.lowerBound, count: count), upper: Array(repeating: range.upperBound, count: count))
  }

  /// As a certificate writes it: [min, max] when every coordinate has the same range, else the
  /// n lower bounds followed by the n upper bounds (each the shortest decimal of its float64).
  public var certificateText: [String] {
    if Set(lower).count == 1, Set(upper).count == 1 { return ["\(lower[0])", "\(upper[0])"] }
    return (lower + upper).map { "\($0)" }
  }

  /// Reads `certificateText` for an input of `count` coordinates.
  public init(certificateText text: [String], count: Int) throws {
    let numbers = text.compactMap(Double.init)
    guard numbers.count == text.count, text.count == 2 || text.count == 2 * count else {
      throw ModelError("must be two numbers [min, max], or \(count) lower bounds then \(count) upper bounds")
    }
    if numbers.count == 2 {
      try self.init(lower: Array(repeating: numbers[0], count: count), upper: Array(repeating: numbers[1], count: count))
    } else {
      try self.init(lower: Array(numbers[..<count]), upper: Array(numbers[count...]))
    }
  }

  /// The centre of the box, rounded to the nearest float64 per coordinate (inside the box).
  public var centre: [Double] { zip(lower, upper).map { $0 + ($1 - $0) / 2 } }
}

/// Where inputs may lie: one range for every coordinate, or a box per coordinate. Radii are
/// certified inside it, and property tests clip their samples to it.
public enum InputDomain: Sendable, Equatable {
  case uniform(ClosedRange<Double>)
  case box(InputBox)

  /// Reads `MIN,MAX`, or a file with a box per coordinate: a VNN-LIB property's input box, or an
  /// array of shape [2, …input] (`.npy`, `.csv`, `.json`: lower bounds, then upper bounds). Errors
  /// name the file.
  public init(parsing text: String) throws {
    let lowered = text.lowercased()
    if lowered.hasSuffix(".vnnlib") {
      let property = try VNNLIBProperty.load(path: text)
      self = .box(try InputBox(lower: property.lower, upper: property.upper))
    } else if [".npy", ".csv", ".json"].contains(where: lowered.hasSuffix) {
      let bounds = try NumericArray.load(path: text)
      guard bounds.shape.first == 2, bounds.count >= 2 else {
        throw ModelError("\(text): a box file has shape [2, …input]: the lower bounds, then the upper bounds; got \(bounds.shape)")
      }
      let values = bounds.asDoubles
      do {
        self = .box(try InputBox(lower: Array(values[..<(values.count / 2)]), upper: Array(values[(values.count / 2)...])))
      } catch let error as ModelError {
        throw ModelError("\(text): \(error.message)")
      }
    } else {
      let parts = text.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
      guard parts.count == 2, let lo = parts[0], let hi = parts[1], lo <= hi, lo.isFinite, hi.isFinite else {
        throw ModelError("--domain must be MIN,MAX with MIN ≤ MAX, or a box file (.vnnlib, .npy, .csv, .json), got '\(text)'")
      }
      self = .uniform(lo...hi)
    }
  }

  /// Reads the numbers a counterexample or a certificate stores: [min, max], or the n lower
  /// bounds followed by the n upper bounds.
  public init(values: [Double]) throws {
    if values.count == 2 {
      guard values[0].isFinite, values[1].isFinite, values[0] <= values[1] else { throw ModelError("domain [\(values[0]), \(values[1])] is not a range") }
      self = .uniform(values[0]...values[1])
    } else {
      guard values.count >= 2, values.count % 2 == 0 else { throw ModelError("a domain holds [min, max] or n lower then n upper bounds, not \(values.count) numbers") }
      self = .box(try InputBox(lower: Array(values[..<(values.count / 2)]), upper: Array(values[(values.count / 2)...])))
    }
  }

  /// The numbers `init(values:)` reads.
  public var values: [Double] {
    switch self {
    case .uniform(let range): return [range.lowerBound, range.upperBound]
    case .box(let box): return box.lower + box.upper
    }
  }

  /// The box for an input of `count` coordinates.
  public func box(count: Int) throws -> InputBox {
    switch self {
    case .uniform(let range): return try InputBox(uniform: range, count: count)
    case .box(let box):
      guard box.lower.count == count else { throw ModelError("the domain box has \(box.lower.count) coordinates, the input \(count)") }
      return box
    }
  }

  /// The range of coordinate `i` (the box must fit the input).
  public func range(of i: Int) -> ClosedRange<Double> {
    switch self {
    case .uniform(let range): return range
    case .box(let box): return box.lower[i]...box.upper[i]
    }
  }

  /// `0,1`, or `a box per coordinate`: for settings and reports.
  public var summary: String {
    switch self {
    case .uniform(let range): return "\(range.lowerBound),\(range.upperBound)"
    case .box(let box): return "a box per coordinate (\(box.lower.count) coordinates)"
    }
  }
}
