import Model

/// The windows of a 2-D convolution or pooling over one NCHW input, resolved for a concrete size.
///
/// This mirrors the float core's window geometry (explicit pads, `auto_pad`, strides, dilations,
/// `ceil_mode`), which the Model module keeps internal; the tests check every convolution and
/// pooling layer this computes against the float core's own outputs.
struct WindowMap {
  var height, width: Int
  var outHeight, outWidth: Int
  /// For each output position, the window's input elements (channel-major within the window),
  /// as indices into a block of `channels` planes; -1 where the window reads padding.
  var indices: [Int]
  /// Elements per window.
  var size: Int

  var positions: Int { outHeight * outWidth }

  /// One window covering a whole plane (global average pooling).
  init(wholePlane height: Int, _ width: Int) {
    self.height = height
    self.width = width
    (outHeight, outWidth) = (1, 1)
    size = height * width
    indices = Array(0..<size)
  }

  init(_ window: Window, height: Int, width: Int, channels: Range<Int>) throws {
    guard window.kernel.count == 2, window.strides.count == 2, window.dilations.count == 2, window.pads.count == 4 else {
      throw ModelError("unsupported window: kernel \(window.kernel), strides \(window.strides) (2-D windows only)")
    }
    var pads = window.pads
    let sizes = [height, width]
    var outs = [0, 0]
    for axis in 0..<2 {
      let extent = window.dilations[axis] * (window.kernel[axis] - 1) + 1
      switch window.autoPad {
      case .sameUpper, .sameLower:
        let out = (sizes[axis] + window.strides[axis] - 1) / window.strides[axis]
        let total = max(0, (out - 1) * window.strides[axis] + extent - sizes[axis])
        let small = total / 2
        pads[axis] = window.autoPad == .sameUpper ? small : total - small
        pads[axis + 2] = total - pads[axis]
        outs[axis] = out
      case .valid:
        pads[axis] = 0
        outs[axis] = (sizes[axis] - extent) / window.strides[axis] + 1
      case .notSet:
        let span = sizes[axis] + pads[axis] + pads[axis + 2] - extent
        guard span >= 0 else { break }
        outs[axis] = (window.ceilMode ? (span + window.strides[axis] - 1) / window.strides[axis] : span / window.strides[axis]) + 1
        if window.ceilMode, (outs[axis] - 1) * window.strides[axis] >= sizes[axis] + pads[axis] { outs[axis] -= 1 }
      }
    }
    guard outs[0] >= 1, outs[1] >= 1 else { throw ModelError("window \(window.kernel) does not fit \(height)×\(width)") }
    self.height = height
    self.width = width
    (outHeight, outWidth) = (outs[0], outs[1])
    let (kh, kw) = (window.kernel[0], window.kernel[1])
    size = channels.count * kh * kw
    let plane = height * width
    var indices: [Int] = []
    indices.reserveCapacity(outs[0] * outs[1] * size)
    for oy in 0..<outs[0] {
      for ox in 0..<outs[1] {
        for c in channels {
          for ky in 0..<kh {
            let y = oy * window.strides[0] - pads[0] + ky * window.dilations[0]
            for kx in 0..<kw {
              let x = ox * window.strides[1] - pads[1] + kx * window.dilations[1]
              indices.append(y >= 0 && y < height && x >= 0 && x < width ? c * plane + y * width + x : -1)
            }
          }
        }
      }
    }
    self.indices = indices
  }
}

/// Row-major strides of a shape.
func rowMajorStrides(_ shape: [Int]) -> [Int] {
  var result = [Int](repeating: 1, count: shape.count)
  var stride = 1
  for axis in shape.indices.reversed() {
    result[axis] = stride
    stride *= shape[axis]
  }
  return result
}

/// For each output element of a transpose, the input element it reads.
func transposeSources(_ shape: [Int], _ permutation: [Int]) -> [Int] {
  let rank = shape.count
  let perm = permutation.isEmpty ? Array((0..<rank).reversed()) : permutation
  let out = perm.map { shape[$0] }
  let inStrides = rowMajorStrides(shape)
  let outStrides = rowMajorStrides(out)
  let count = shape.reduce(1, *)
  return (0..<count).map { o in
    var source = 0
    for axis in 0..<rank { source += ((o / outStrides[axis]) % out[axis]) * inStrides[perm[axis]] }
    return source
  }
}
