import Inference
import Model

/// Occlusion (Zeiler & Fergus 2014), as Captum's `Occlusion`: slide a window over the input,
/// replace what it covers by a baseline, and give every covered coordinate the drop of the
/// output, `f(x0) − f(x0 occluded)`, averaged over the windows that cover it.
///
/// Windows: `patch`×`patch` pixels (all channels) moved by `stride` for images; `patch`
/// consecutive tokens for text (an occluded token takes the `<pad>` embedding unless a
/// `baseline` value is set); `patch` consecutive coordinates otherwise. `stride` defaults to
/// `patch`; the last window of a row ends at the border. Baseline: 0 by default.
public struct OcclusionExplainer: Explainer {
  public var patch: Int
  public var stride: Int?
  public var baseline: Double?
  public var target: OutputTarget

  public init(patch: Int = 1, stride: Int? = nil, baseline: Double? = nil, target: OutputTarget = .logit) {
    self.patch = patch
    self.stride = stride
    self.baseline = baseline
    self.target = target
  }

  public var method: String { "occlusion" }

  public func explain(_ model: ExplainedModel, at x0: DenseTensor<Double>, output: Int, seed: UInt64) throws -> Explanation {
    guard patch >= 1, (stride ?? 1) >= 1 else { throw ExplainerError("occlusion needs patch ≥ 1 and stride ≥ 1") }
    let n = x0.elements.count
    let step = stride ?? patch
    var replacement = [Double](repeating: baseline ?? 0, count: n)
    var windows: [[Int]] = []
    let kind = model.inputKind(shape: x0.shape)
    switch kind {
    case .image:
      let (b, c, h, w) = (x0.shape[0], x0.shape[1], x0.shape[2], x0.shape[3])
      for bi in 0..<b {
        for ys in FeatureGroups.windows(count: h, size: patch, stride: step) {
          for xs in FeatureGroups.windows(count: w, size: patch, stride: step) {
            windows.append((0..<c).flatMap { ch in ys.flatMap { y in xs.map { x in ((bi * c + ch) * h + y) * w + x } } })
          }
        }
      }
    case .text:
      let tokens = FeatureGroups.tokenPositions(shape: x0.shape)
      if baseline == nil, let pad = model.padVector {
        for p in tokens { for (k, i) in p.enumerated() { replacement[i] = pad[k] } }
      }
      windows = FeatureGroups.windows(count: tokens.count, size: patch, stride: step).map { $0.flatMap { tokens[$0] } }
    case .tabular:
      windows = FeatureGroups.windows(count: n, size: patch, stride: step)
    }
    var inputs = x0.elements
    for window in windows {
      var x = x0.elements
      for i in window { x[i] = replacement[i] }
      inputs += x
    }
    let outputs = try model.outputs(inputs, shape: x0.shape, output: output, target: target)
    var total = [Double](repeating: 0, count: n), covered = [Double](repeating: 0, count: n)
    for (k, window) in windows.enumerated() {
      let drop = outputs[0] - outputs[k + 1]
      for i in window {
        total[i] += drop
        covered[i] += 1
      }
    }
    let relevance = zip(total, covered).map { $1 == 0 ? 0 : $0 / $1 }
    return Explanation(method: method, output: output, inputShape: x0.shape, relevance: relevance,
                       settings: ["queries": model.queryPrecision.rawValue, "patch": "\(patch)", "stride": "\(step)", "windows": "\(windows.count)", "target": target.rawValue,
                                  "baseline": baseline.map { "\($0)" } ?? (kind == .text ? "<pad> embedding" : "0")],
                       diagnostics: ["outputValue": outputs[0]])
  }
}

/// Grad-CAM (Selvaraju et al. 2017) for convolutional models: at a 4-D (NCHW) value A of the
/// network — by default the last convolution's output after the activations that follow it
/// (before pooling) — the channel weights are the spatial
/// means of ∂f/∂A, the map is ReLU(Σ_c α_c A_c), and it is resized to the input's height and
/// width by bilinear interpolation (half-pixel centres, as `align_corners=False`); every input
/// channel of a pixel gets the pixel's value. Setting `layer` names the value.
public struct GradCAMExplainer: Explainer {
  public var layer: String?

  public init(layer: String? = nil) {
    self.layer = layer
  }

  public var method: String { "grad-cam" }

  public func explain(_ model: ExplainedModel, at x0: DenseTensor<Double>, output: Int, seed: UInt64) throws -> Explanation {
    guard x0.shape.count == 4 else { throw ExplainerError("grad-cam needs a convolutional model with an NCHW input, got shape \(x0.shape)") }
    let trace = try model.trace(x0)
    let nodes = trace.plan.network.nodes
    let candidates = nodes.flatMap(\.outputs).filter { trace.shape(of: $0).count == 4 && trace.values[$0] != nil }
    // The last convolution's output, after the activations and affine maps that follow it.
    let convolutional = nodes.filter { node in
      switch node.operation {
      case .conv, .relu, .leakyRelu, .prelu, .clip, .abs, .channelAffine, .scale, .shift, .divide: return true
      default: return false
      }
    }.flatMap(\.outputs).filter(candidates.contains)
    guard let name = layer ?? convolutional.last ?? candidates.last else { throw ExplainerError("grad-cam found no 4-D (NCHW) value in the network") }
    guard candidates.contains(name) else {
      throw ExplainerError("grad-cam layer '\(name)' is not a 4-D value of the network (candidates: \(candidates.joined(separator: ", ")))")
    }
    let (_, value, _, kept) = try model.backward(x0, output: output, rules: .gradient, keeping: [name])
    let shape = trace.shape(of: name)
    let (channels, h, w) = (shape[1], shape[2], shape[3])
    let activations = trace.values[name]!
    let gradient = kept[name] ?? [Double](repeating: 0, count: activations.count)
    var map = [Double](repeating: 0, count: h * w)
    for c in 0..<channels {
      let alpha = (0..<(h * w)).reduce(0) { $0 + gradient[c * h * w + $1] } / Double(h * w)
      for p in 0..<(h * w) { map[p] += alpha * activations[c * h * w + p] }
    }
    map = map.map { max($0, 0) }
    let (ih, iw) = (x0.shape[2], x0.shape[3])
    var relevance = [Double](repeating: 0, count: x0.elements.count)
    for y in 0..<ih {
      for x in 0..<iw {
        let v = Self.bilinear(map, h, w, y: (Double(y) + 0.5) * Double(h) / Double(ih) - 0.5, x: (Double(x) + 0.5) * Double(w) / Double(iw) - 0.5)
        for b in 0..<x0.shape[0] {
          for c in 0..<x0.shape[1] { relevance[((b * x0.shape[1] + c) * ih + y) * iw + x] = v }
        }
      }
    }
    return Explanation(method: method, output: output, inputShape: x0.shape, relevance: relevance,
                       settings: ["layer": name, "layerShape": shape.map(String.init).joined(separator: "x")],
                       diagnostics: ["outputValue": value])
  }

  static func bilinear(_ map: [Double], _ h: Int, _ w: Int, y: Double, x: Double) -> Double {
    let cy = min(max(y, 0), Double(h - 1)), cx = min(max(x, 0), Double(w - 1))
    let y0 = Int(cy.rounded(.down)), x0 = Int(cx.rounded(.down))
    let y1 = min(y0 + 1, h - 1), x1 = min(x0 + 1, w - 1)
    let fy = cy - Double(y0), fx = cx - Double(x0)
    let top = map[y0 * w + x0] * (1 - fx) + map[y0 * w + x1] * fx
    let bottom = map[y1 * w + x0] * (1 - fx) + map[y1 * w + x1] * fx
    return top * (1 - fy) + bottom * fy
  }
}
