import Inference
import Model

/// Groups of input coordinates that perturbation explainers switch on and off together:
/// image patches, tokens, single features.
public enum FeatureGroups {
  /// Square `size`×`size` grid patches of an NCHW input (all channels of a patch together; the
  /// last row and column of patches are smaller when the size does not divide the image). One
  /// set of patches per leading index.
  public static func patches(shape: [Int], size: Int) -> [[Int]] {
    let (n, c, h, w) = (shape[0], shape[1], shape[2], shape[3])
    let s = max(size, 1)
    var groups: [[Int]] = []
    for b in 0..<n {
      for py in stride(from: 0, to: h, by: s) {
        for px in stride(from: 0, to: w, by: s) {
          var group: [Int] = []
          for ch in 0..<c {
            for y in py..<min(py + s, h) {
              for x in px..<min(px + s, w) { group.append(((b * c + ch) * h + y) * w + x) }
            }
          }
          groups.append(group)
        }
      }
    }
    return groups
  }

  /// The embedding vector of each token position of a [T, batch, width] body input.
  public static func tokenPositions(shape: [Int]) -> [[Int]] {
    let width = shape.last ?? 1
    let positions = shape.dropLast().reduce(1, *)
    return (0..<positions).map { p in Array((p * width)..<((p + 1) * width)) }
  }

  /// Each coordinate on its own.
  public static func singles(count: Int) -> [[Int]] {
    (0..<count).map { [$0] }
  }

  /// Windows of `size` consecutive coordinates moved by `stride` (the last window ends at the end).
  public static func windows(count: Int, size: Int, stride step: Int) -> [[Int]] {
    let s = min(max(size, 1), count)
    var starts = Array(Swift.stride(from: 0, through: count - s, by: max(step, 1)))
    if let last = starts.last, last + s < count { starts.append(count - s) }
    return starts.map { Array($0..<($0 + s)) }
  }
}

extension ExplainedModel {
  /// The token id of each position of a body input of a token model: the first row of the
  /// embedding table equal to the position's vector (nil when the model has no embedding or a
  /// vector is not a row of the table).
  public func tokenIDs(of x0: DenseTensor<Double>) -> [Int]? {
    guard let embedding = network.embedding else { return nil }
    let width = embedding.width
    let table = embedding.table.values
    return tokenPositionsOrNil(x0, width: width).flatMap { positions in
      var ids: [Int] = []
      for p in positions {
        let vector = Array(x0.elements[(p * width)..<((p + 1) * width)])
        guard let id = (0..<embedding.vocabularySize).first(where: { Array(table[($0 * width)..<(($0 + 1) * width)]) == vector }) else { return nil }
        ids.append(id)
      }
      return ids
    }
  }

  private func tokenPositionsOrNil(_ x0: DenseTensor<Double>, width: Int) -> Range<Int>? {
    guard x0.shape.last == width else { return nil }
    return 0..<(x0.elements.count / width)
  }

  /// The embedding vector of token id 0 (`<pad>`), which stands for a removed token.
  public var padVector: [Double]? {
    guard let embedding = network.embedding else { return nil }
    return Array(embedding.table.values[0..<embedding.width])
  }

  /// How perturbation explainers see an input: text (token model), image (NCHW with height and
  /// width above 1) or tabular — a [1, 1, 1, 5] input such as ACAS Xu's is a row of 5 features.
  public func inputKind(shape: [Int]) -> InputKind {
    if network.embedding != nil { return .text }
    if shape.count == 4 && shape[2] > 1 && shape[3] > 1 { return .image }
    return .tabular
  }
}

/// The kind of input a perturbation explainer perturbs.
public enum InputKind: String, Sendable, CaseIterable {
  case tabular, image, text
}
