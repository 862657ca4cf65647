extension Network {
  /// The network split before its first operation that is not affine in the input: `prefix` is
  /// the chain of single-input affine operations the body starts with, holding at least one
  /// dense layer (Gemm, MatMul), and `suffix` the rest, which reads nothing of the prefix but its
  /// result. Its input has the shape the prefix computes for a body input of `inputShape`.
  ///
  /// Nil when the network does not start that way: a token model, a first operation that is not
  /// affine, no dense layer before the first nonlinearity, a later node reading inside the chain.
  public func splitAfterAffinePrefix(inputShape: [Int]) throws -> (prefix: Network, suffix: Network)? {
    guard embedding == nil else { return nil }
    var end = 0, value = inputName, sawDense = false
    chain: while end < nodes.count {
      let node = nodes[end]
      guard node.inputs == [value], node.outputs.count == 1 else { break }
      switch node.operation {
      case .dense: sawDense = true
      case .scale, .divide, .shift, .channelAffine, .reshape: break
      default: break chain
      }
      value = node.outputs[0]
      end += 1
    }
    guard sawDense, end < nodes.count else { return nil }
    // Nothing after the chain may read a value inside it.
    let inside = Set([inputName] + nodes[0..<end].flatMap(\.outputs)).subtracting([value])
    guard !nodes[end...].contains(where: { !inside.isDisjoint(with: $0.inputs) }), inside.isDisjoint(with: outputNames) else { return nil }
    var prefix = self
    prefix.nodes = Array(nodes[0..<end])
    prefix.outputNames = [value]
    guard let shape = try Plan(prefix, inputShape: inputShape).shape(of: value) else { return nil }
    var suffix = self
    suffix.nodes = Array(nodes[end...])
    suffix.inputName = value
    suffix.inputShape = shape.map { .fixed($0) }
    return (prefix, suffix)
  }
}
