import ExactArithmetic
import Foundation
import Inference
import Model
import Regions

/// Whether a point lies in a certificate's region P = {x : G·x ≤ h}, decided exactly.
public struct Membership: Sendable, Codable, Equatable {
  /// One inequality of P that the point violates.
  public struct Violation: Sendable, Codable, Equatable {
    /// The inequality's index in P, and the pattern site and element it comes from.
    public var inequality: Int
    public var node: String
    public var element: Int
    /// g·x − h > 0, exactly (`p/q`) and rounded.
    public var excess: String
    public var excessApprox: Double
  }

  public var inside: Bool
  /// Every violated inequality, the largest excess first.
  public var violations: [Violation]
}

/// G and h of a certificate's region, exactly (`certify --region` writes them beside it).
public struct RegionFile: Sendable, Codable, Equatable {
  public static let formatName = "explaincert-region/1"
  public var format: String
  public var modelSHA256: String
  /// x0, as in the certificate.
  public var input: [String]
  /// One row of G per inequality (`p/q`), h, and the site and element each comes from.
  public var g: [[String]]
  public var h: [String]
  public var origins: [String]
}

extension Certifier {
  /// The exact region of a certificate: verified first (a certificate that does not hold has no
  /// region to speak of), then re-derived from the model at its input.
  func verifiedRegion(of certificate: Certificate) throws -> (plan: Plan, region: Region<ExactTensor>) {
    if case .rejected(let field, let detail) = try verify(certificate) {
      throw ModelError("the certificate does not hold for this model (\(field): \(detail))")
    }
    let values = certificate.input.compactMap { Rational($0).map { Double($0) } }
    let x0 = DenseTensor<Double>(shape: certificate.inputShape, elements: values)
    let plan = try core.plan(for: x0.shape)
    let exact = plan.evaluate(try ExactTensor(exactly: x0.reshaped([1] + x0.shape)))
    return (plan, plan.region(pattern: exact.pattern, unitVectors: ExactTensor.identity(count: plan.inputCount, shape: x0.shape)))
  }

  /// Decides, exactly, whether each point (body inputs of the certificate's shape) lies in the
  /// certificate's region, and which inequalities it violates and by how much.
  public func membership(of points: [DenseTensor<Double>], in certificate: Certificate) throws -> [Membership] {
    let (plan, region) = try verifiedRegion(of: certificate)
    let h = region.bounds.values
    return try points.enumerated().map { k, point in
      guard point.shape == certificate.inputShape else {
        throw ModelError("point \(k) has shape \(point.shape), the certificate's input \(certificate.inputShape)")
      }
      let x = try point.elements.map { try Rational(exactly: $0) }
      let violations = zip(region.constraintValues(at: x), h).enumerated().compactMap { i, pair -> Membership.Violation? in
        let excess = pair.0 - pair.1
        guard excess.signum() > 0 else { return nil }
        let origin = region.origins[i]
        return .init(inequality: i, node: plan.sites[origin.site].node, element: origin.element,
                     excess: excess.fractionString, excessApprox: Double(excess))
      }.sorted { $0.excessApprox > $1.excessApprox }
      return Membership(inside: violations.isEmpty, violations: violations)
    }
  }

  /// G and h of a certificate's region (verified first).
  public func regionFile(of certificate: Certificate) throws -> RegionFile {
    let (plan, region) = try verifiedRegion(of: certificate)
    return RegionFile(
      format: RegionFile.formatName, modelSHA256: modelSHA256, input: certificate.input,
      g: (0..<region.constraintCount).map { region.constraintRow($0).map(\.fractionString) },
      h: region.bounds.values.map(\.fractionString),
      origins: region.origins.map { "\(plan.sites[$0.site].node)[\($0.element)]" })
  }
}
