import ExactArithmetic

/// A report's verdict as a whole — the one `report` and `demo` exit by (1 when `failed`) and the
/// banner the HTML page opens with. The JSON twin carries it as its top-level `verdict`.
public struct ReportVerdict: Codable, Sendable, Equatable {
  public enum Status: String, Codable, Sendable {
    /// Everything checked passed.
    case passed
    /// Nothing failed, but something tested nothing (a vacuous property case, a certificate
    /// with radius 0).
    case vacuous
    /// A certificate was not accepted, a property was violated or errored, or a recorded
    /// counterexample regressed or could not be judged.
    case failed
  }

  public var status: Status
  /// One line per kind of finding, by outcome.
  public var failed: [String]
  public var vacuous: [String]
  public var passed: [String]

  /// 1 when failed, else 0.
  public var exitCode: Int32 { status == .failed ? 1 : 0 }

  /// The verdict of everything a report holds.
  public init(_ report: AuditReport) {
    var failed: [String] = [], vacuous: [String] = [], passed: [String] = []
    if !report.examples.isEmpty {
      let regions = report.examples.compactMap(\.region)
      let certified = regions.filter(\.isCertified)
      let uncertified = report.examples.count - certified.count
      let onFacet = certified.filter(\.onFacet).count
      if uncertified > 0 { failed.append("\(uncertified) of \(report.examples.count) input(s) not certified") }
      if onFacet > 0 {
        vacuous.append("\(onFacet) certificate(s) with radius 0: x0 on a facet of P, no neighbourhood certified")
      }
      if certified.count > onFacet {
        passed.append("\(certified.count - onFacet) certificate(s) accepted with a positive radius (f(x0) = A·x0 + c exactly, re-derived by verify)")
      }
    }
    if let p = report.properties {
      if p.violated > 0 { failed.append("\(p.violated) property case(s) violated") }
      if p.errors > 0 { failed.append("\(p.errors) property case(s) failed with an error") }
      if p.vacuous > 0 { vacuous.append("\(p.vacuous) property case(s) tested nothing (vacuous)") }
      if p.held > 0 { passed.append("\(p.held) property case(s) held") }
      let statuses = Dictionary(grouping: p.counterexamples.compactMap(\.replayStatus), by: { $0 }).mapValues(\.count)
      for status in ["regressed", "unjudged", "error"] {
        if let count = statuses[status] { failed.append("\(count) recorded counterexample(s) \(status == "error" ? "could not be replayed" : status)") }
      }
      for status in ["reproduced", "fixed", "still-fails", "no-longer-fails"] {
        if let count = statuses[status] { passed.append("\(count) recorded counterexample(s) \(status.replacingOccurrences(of: "-", with: " "))") }
      }
    }
    status = !failed.isEmpty ? .failed : !vacuous.isEmpty ? .vacuous : .passed
    self.failed = failed
    self.vacuous = vacuous
    self.passed = passed
  }
}

extension RegionSummary {
  /// Accepted by verify, with f(x0) = A·x0 + c and x0 ∈ P.
  public var isCertified: Bool { verdict == "accepted" && identityHolds && inputInRegion }
  /// x0 lies on a facet of P: the ℓ∞ radius is exactly 0.
  public var onFacet: Bool { Rational(radii.linf)?.isZero ?? false }
}
