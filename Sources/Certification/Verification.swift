import ExactArithmetic
import Inference
import Model
import Regions

/// The outcome of checking a certificate against the model.
public enum Verdict: Equatable, Sendable {
  case accepted
  /// The first field that disagrees, and how.
  case rejected(field: String, detail: String)
}

extension Certifier {
  /// Re-derives the certificate from the model and the certificate's input, and compares every
  /// field, metadata included (`tool`, `version` of the semantics' writer, `model`: the model
  /// file's name); nothing in the file is trusted.
  public func verify(_ certificate: Certificate) throws -> Verdict {
    guard certificate.modelSHA256 == modelSHA256 else {
      return .rejected(field: "modelSHA256", detail: "the certificate is for a model with hash \(certificate.modelSHA256), this model's is \(modelSHA256)")
    }
    var values: [Double] = []
    for (i, text) in certificate.input.enumerated() {
      guard let value = Rational(text) else { return .rejected(field: "input[\(i)]", detail: "'\(text)' is not a rational number") }
      let rounded = Double(value)
      guard (try? Rational(exactly: rounded)) == value else {
        return .rejected(field: "input[\(i)]", detail: "\(text) is not a float the model can be evaluated at")
      }
      values.append(rounded)
    }
    guard certificate.inputShape.reduce(1, *) == values.count, !certificate.inputShape.isEmpty else {
      return .rejected(field: "inputShape", detail: "\(certificate.inputShape) does not hold \(values.count) values")
    }
    // A token model's input is the embedding of the certificate's tokens, and only a token
    // model's certificate names tokens.
    if let embedding = network.embedding {
      guard let tokens = certificate.tokens, tokens.count * embedding.width == values.count else {
        return .rejected(field: "tokens", detail: "the model reads token ids: the certificate must list one per \(embedding.width) input values")
      }
      for (i, id) in tokens.enumerated() {
        guard (0..<embedding.vocabularySize).contains(id) else {
          return .rejected(field: "tokens[\(i)]", detail: "\(id) is outside the vocabulary of \(embedding.vocabularySize)")
        }
        let row = Array(embedding.table.values[(id * embedding.width)..<((id + 1) * embedding.width)])
        guard Array(values[(i * embedding.width)..<((i + 1) * embedding.width)]) == row else {
          return .rejected(field: "input", detail: "the input is not the embedding of token \(i) (id \(id))")
        }
      }
    } else if certificate.tokens != nil {
      return .rejected(field: "tokens", detail: "the model reads no token ids")
    }
    let x0 = DenseTensor<Double>(shape: certificate.inputShape, elements: values)
    let expected: Certificate
    do {
      expected = try certify(x0, tokens: certificate.tokens, domain: try domain(of: certificate))
    } catch {
      return .rejected(field: "inputShape", detail: "the model cannot be evaluated at the certificate's input: \(error)")
    }
    return Self.compare(certificate, expected)
  }

  func domain(of certificate: Certificate) throws -> InputBox? {
    guard let bounds = certificate.radii.domain else { return nil }
    return try InputBox(certificateText: bounds, count: certificate.input.count)
  }

  /// The first field where a certificate differs from the re-derived one.
  static func compare(_ given: Certificate, _ derived: Certificate) -> Verdict {
    func differ<T: Equatable>(_ field: String, _ a: T, _ b: T) -> Verdict? {
      a == b ? nil : .rejected(field: field, detail: "certificate has \(a), the model gives \(b)")
    }
    if let v = differ("input", given.input, derived.input) { return v }
    if let v = differ("tokens", given.tokens, derived.tokens) { return v }
    guard given.pattern.count == derived.pattern.count else {
      return .rejected(field: "pattern", detail: "\(given.pattern.count) sites, the model has \(derived.pattern.count)")
    }
    for (i, (a, b)) in zip(given.pattern, derived.pattern).enumerated() where a != b {
      let position = zip(a.choices, b.choices).enumerated().first { $0.element.0 != $0.element.1 }?.offset
      return .rejected(field: "pattern[\(i)] (\(b.node))", detail: position.map { "choice \($0) differs" } ?? "differs")
    }
    guard given.outputs.count == derived.outputs.count else {
      return .rejected(field: "outputs", detail: "\(given.outputs.count) outputs, the model has \(derived.outputs.count)")
    }
    for (k, (a, b)) in zip(given.outputs, derived.outputs).enumerated() {
      if let v = differ("outputs[\(k)].output", a.output, b.output) { return v }
      if let v = differ("outputs[\(k)].shape", a.shape, b.shape) { return v }
      guard a.a.count == b.a.count else { return .rejected(field: "outputs[\(k)].a", detail: "\(a.a.count) rows, expected \(b.a.count)") }
      for (i, (ra, rb)) in zip(a.a, b.a).enumerated() {
        guard ra.count == rb.count else { return .rejected(field: "outputs[\(k)].a[\(i)]", detail: "\(ra.count) columns, expected \(rb.count)") }
        for (j, (x, y)) in zip(ra, rb).enumerated() where Rational(x) != Rational(y) {
          return .rejected(field: "outputs[\(k)].a[\(i)][\(j)]", detail: "certificate has \(x), the model gives \(y)")
        }
      }
      for (name, xs, ys) in [("c", a.c, b.c), ("value", a.value, b.value)] {
        guard xs.count == ys.count else { return .rejected(field: "outputs[\(k)].\(name)", detail: "\(xs.count) entries, expected \(ys.count)") }
        for (i, (x, y)) in zip(xs, ys).enumerated() where Rational(x) != Rational(y) {
          return .rejected(field: "outputs[\(k)].\(name)[\(i)]", detail: "certificate has \(x), the model gives \(y)")
        }
      }
    }
    if let v = differ("identityHolds", given.identityHolds, derived.identityHolds) { return v }
    if let v = differ("inputInRegion", given.inputInRegion, derived.inputInRegion) { return v }
    if let v = differ("constraints", given.constraints, derived.constraints) { return v }
    if let v = differ("ties", given.ties, derived.ties) { return v }
    for (name, x, y) in [("radii.linf", given.radii.linf, derived.radii.linf), ("radii.l1", given.radii.l1, derived.radii.l1),
                         ("radii.l2Lower", given.radii.l2Lower, derived.radii.l2Lower), ("radii.l2Upper", given.radii.l2Upper, derived.radii.l2Upper)]
    where x != y && (Rational(x) == nil || Rational(x) != Rational(y)) {
      return .rejected(field: name, detail: "certificate has \(x), the model gives \(y)")
    }
    if let v = differ("floatFindings.flippedNeurons", given.floatFindings.flippedNeurons, derived.floatFindings.flippedNeurons) { return v }
    // The float core computes in a fixed order, so its findings are the same bits everywhere.
    if let v = differ("floatFindings.maxAbsoluteError", given.floatFindings.maxAbsoluteError, derived.floatFindings.maxAbsoluteError) { return v }
    if let v = differ("floatFindings.maxRelativeError", given.floatFindings.maxRelativeError, derived.floatFindings.maxRelativeError) { return v }
    if let v = differ("notes", given.notes, derived.notes) { return v }
    if let v = differ("tool", given.tool, derived.tool) { return v }
    if let v = differ("version", given.version, derived.version) { return v }
    if let v = differ("model", given.model, derived.model) { return v }
    // A certificate is only worth accepting when it proves what it says.
    guard derived.identityHolds, derived.inputInRegion else {
      return .rejected(field: "identityHolds", detail: "the model's region does not reproduce f(x0)")
    }
    return .accepted
  }
}
