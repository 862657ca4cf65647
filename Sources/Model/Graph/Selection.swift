/// A linear map in which every output element copies one input element or is zero: slicing,
/// padding, nearest-neighbour resizing, broadcasting, reversing. One case of ``Operation``
/// (`select`) evaluates all of them as a gather (``IndexMap``), and the backward pass of every
/// explainer runs them as the matching scatter.
public enum Selection: Sendable {
  /// ONNX Slice: per listed axis, elements `start, start + step, …` before `end` (clamped as
  /// ONNX clamps; negative indices count from the end).
  case slice(starts: [Int], ends: [Int], axes: [Int], steps: [Int])
  /// ONNX Pad: `pads` = [begin per axis…, end per axis…] (negative pads crop); `constant` pads with
  /// zeros, `reflect` mirrors without the edge, `edge` repeats it.
  case pad(pads: [Int], mode: PadMode)
  /// ONNX Resize / Upsample in nearest mode: integer upscale factors per axis (output
  /// coordinate o reads input ⌊o / factor⌋).
  case upsample(factors: [Int])
  /// ONNX Tile: the input repeated `repeats[a]` times along each axis a.
  case tile(repeats: [Int])
  /// ONNX Expand: NumPy broadcasting of the input to `shape`.
  case expand(shape: [Int])
  /// Per axis, `strides − 1` zeros between neighbouring elements, then `padsBefore`/`padsAfter`
  /// zeros at the ends (negative: cropped): a transposed convolution's input for the
  /// convolution that computes it.
  case spread(strides: [Int], padsBefore: [Int], padsAfter: [Int])
  /// The elements in reverse order along `axis` (a bidirectional RNN's backward direction).
  case reverse(axis: Int)
  /// ONNX Gather with constant indices: the given positions along `axis` (negative count from
  /// the end), the axis dropped when the indices are a scalar.
  case take(axis: Int, indices: [Int], scalar: Bool)

  public enum PadMode: String, Sendable { case constant, reflect, edge }

  /// For each output element, the input element it copies (-1 for zero), and the output shape.
  public func map(for shape: [Int]) throws -> (IndexMap, [Int]) {
    let rank = shape.count
    func axis(_ a: Int) throws -> Int {
      let normalized = a < 0 ? a + rank : a
      guard normalized >= 0, normalized < rank else { throw ModelError("axis \(a) is out of range for shape \(shape)") }
      return normalized
    }
    // Per output axis, the source coordinate of each output coordinate (-1: zero).
    var sources: [[Int]] = shape.map { Array(0..<$0) }
    var out = shape
    switch self {
    case .slice(let starts, let ends, let axes, let steps):
      guard starts.count == ends.count, axes.count == starts.count, steps.count == starts.count else {
        throw ModelError("slice starts \(starts), ends \(ends), axes \(axes) and steps \(steps) differ in length")
      }
      for (i, a) in try axes.map(axis).enumerated() {
        let (size, step) = (shape[a], steps[i])
        guard step != 0 else { throw ModelError("slice step 0 on axis \(a)") }
        func clamp(_ index: Int, _ low: Int, _ high: Int) -> Int {
          let resolved = index < 0 ? index.addingReportingOverflow(size).partialValue : index
          return Swift.min(Swift.max(resolved, low), high)
        }
        var picked: [Int] = []
        if step > 0 {
          var k = clamp(starts[i], 0, size)
          let end = clamp(ends[i], 0, size)
          while k < end { picked.append(k); k += step }
        } else {
          var k = clamp(starts[i], 0, size - 1)
          let end = clamp(ends[i], -1, size - 1)
          while k > end { picked.append(k); k += step }
        }
        sources[a] = picked
        out[a] = picked.count
      }
    case .pad(let pads, let mode):
      guard pads.count == 2 * rank else { throw ModelError("pads \(pads) do not fit a \(rank)-D input") }
      for a in 0..<rank {
        let (begin, end, size) = (pads[a], pads[a + rank], shape[a])
        let count = size + begin + end
        guard count >= 0 else { throw ModelError("pads \(pads) crop more than the \(size) elements of axis \(a)") }
        if mode == .reflect, begin >= size || end >= size, begin > 0 || end > 0 {
          throw ModelError("reflect padding of \(Swift.max(begin, end)) needs more than \(size) elements on axis \(a)")
        }
        sources[a] = (0..<count).map { o in
          let i = o - begin
          if i >= 0 && i < size { return i }
          switch mode {
          case .constant: return -1
          case .edge: return i < 0 ? 0 : size - 1
          case .reflect: return i < 0 ? -i : 2 * (size - 1) - i
          }
        }
        out[a] = count
      }
    case .upsample(let factors):
      guard factors.count == rank, factors.allSatisfy({ $0 >= 1 }) else {
        throw ModelError("upsampling factors \(factors) do not fit a \(rank)-D input")
      }
      for a in 0..<rank {
        let (count, overflow) = shape[a].multipliedReportingOverflow(by: factors[a])
        guard !overflow, count <= Plan.maximumElements else { throw ModelError("upsampling \(shape) by \(factors) is too large") }
        sources[a] = (0..<count).map { $0 / factors[a] }
        out[a] = count
      }
    case .tile(let repeats):
      guard repeats.count == rank, repeats.allSatisfy({ $0 >= 0 }) else { throw ModelError("tile repeats \(repeats) do not fit a \(rank)-D input") }
      for a in 0..<rank {
        let (count, overflow) = shape[a].multipliedReportingOverflow(by: repeats[a])
        guard !overflow, count <= Plan.maximumElements else { throw ModelError("tiling \(shape) by \(repeats) is too large") }
        sources[a] = (0..<count).map { $0 % shape[a] }
        out[a] = count
      }
    case .expand(let target):
      let outRank = Swift.max(rank, target.count)
      let aligned = Array(repeating: 1, count: outRank - rank) + shape
      let wanted = Array(repeating: 1, count: outRank - target.count) + target
      sources = Array(repeating: [0], count: outRank - rank) + sources
      out = aligned
      for a in 0..<outRank {
        let (have, want) = (aligned[a], wanted[a])
        guard have == want || have == 1 || want == 1 else { throw ModelError("cannot expand shape \(shape) to \(target)") }
        if have == 1 && want != 1 {
          sources[a] = Array(repeating: 0, count: want)
          out[a] = want
        }
      }
      return try Self.gather(sources, inputShape: aligned, outputShape: out)
    case .spread(let steps, let before, let after):
      guard steps.count == rank, before.count == rank, after.count == rank, steps.allSatisfy({ $0 >= 1 }) else {
        throw ModelError("spreading by \(steps) with pads \(before), \(after) does not fit a \(rank)-D input")
      }
      for a in 0..<rank {
        let count = (shape[a] - 1) * steps[a] + 1 + before[a] + after[a]
        guard shape[a] >= 1, count >= 1, count <= Plan.maximumElements else {
          throw ModelError("spreading axis \(a) of shape \(shape) by \(steps[a]) with pads \(before[a]), \(after[a]) leaves no elements")
        }
        sources[a] = (0..<count).map { o in
          let t = o - before[a]
          return t >= 0 && t % steps[a] == 0 && t / steps[a] < shape[a] ? t / steps[a] : -1
        }
        out[a] = count
      }
    case .reverse(let a):
      let a = try axis(a)
      sources[a].reverse()
    case .take(let a, let indices, let scalar):
      let a = try axis(a)
      sources[a] = try indices.map { i in
        let j = i < 0 ? i + shape[a] : i
        guard j >= 0, j < shape[a] else { throw ModelError("index \(i) is out of range for axis \(a) of shape \(shape)") }
        return j
      }
      out[a] = indices.count
      let (map, gathered) = try Self.gather(sources, inputShape: shape, outputShape: out)
      return (map, scalar ? gathered.enumerated().filter { $0.offset != a }.map(\.element) : gathered)
    }
    return try Self.gather(sources, inputShape: shape, outputShape: out)
  }

  /// The index map picking, per output element, the input element at the per-axis sources.
  private static func gather(_ sources: [[Int]], inputShape: [Int], outputShape: [Int]) throws -> (IndexMap, [Int]) {
    guard let count = outputShape.elementCount, count <= Plan.maximumElements else {
      throw ModelError("the output shape \(outputShape) is too large")
    }
    let inStrides = strides(of: inputShape)
    let outStrides = strides(of: outputShape)
    var indices = [Int32](repeating: -1, count: count)
    for o in 0..<count {
      var source = 0
      for a in outputShape.indices {
        let s = sources[a][(o / outStrides[a]) % outputShape[a]]
        if s < 0 { source = -1; break }
        source += s * inStrides[a]
      }
      indices[o] = Int32(source)
    }
    return (IndexMap(indices: indices, inputBlock: inputShape.reduce(1, *)), outputShape)
  }
}
