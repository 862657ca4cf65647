/// The output size and the padding of a window sliding over the spatial axes of one plane
/// (1-D, 2-D or 3-D alike: NCL, NCHW, NCDHW).
struct WindowGeometry {
  var window: Window
  /// The input's spatial sizes, the padding before each axis, and the output's spatial sizes.
  var spatial: [Int]
  var padsBefore: [Int]
  var outSpatial: [Int]

  /// For each output position, the window's input elements (channel-major within the window,
  /// then kernel positions in row-major order), as indices into a block of `channelCount`
  /// planes; -1 where the window reads padding.
  func patches(channels: Range<Int>, channelCount: Int) -> IndexMap {
    let plane = spatial.reduce(1, *)
    let inStrides = strides(of: spatial)
    let kernelCount = window.kernel.reduce(1, *)
    let positions = outSpatial.reduce(1, *)
    let (outStrides, kernelStrides) = (strides(of: outSpatial), strides(of: window.kernel))
    var indices: [Int32] = []
    indices.reserveCapacity(positions * channels.count * kernelCount)
    for position in 0..<positions {
      for c in channels {
        for k in 0..<kernelCount {
          var index = c * plane
          for axis in spatial.indices {
            let o = (position / outStrides[axis]) % outSpatial[axis]
            let kk = (k / kernelStrides[axis]) % window.kernel[axis]
            let i = o * window.strides[axis] - padsBefore[axis] + kk * window.dilations[axis]
            guard i >= 0, i < spatial[axis] else { index = -1; break }
            index += i * inStrides[axis]
          }
          indices.append(Int32(index))
        }
      }
    }
    return IndexMap(indices: indices, inputBlock: channelCount * plane)
  }
}

extension Window {
  /// Resolves padding (explicit or `auto_pad`) and the output size for the spatial sizes of a
  /// plane.
  func geometry(spatial sizes: [Int]) throws -> WindowGeometry {
    let rank = sizes.count
    guard rank >= 1, kernel.count == rank, strides.count == rank, dilations.count == rank, pads.count == 2 * rank,
          kernel.allSatisfy({ $0 >= 1 }), strides.allSatisfy({ $0 >= 1 }), dilations.allSatisfy({ $0 >= 1 }), pads.allSatisfy({ $0 >= 0 })
    else { throw ModelError("unsupported window for \(rank) spatial axes: kernel \(kernel), strides \(strides), dilations \(dilations), pads \(pads)") }
    var pads = self.pads
    var outs = [Int](repeating: 0, count: rank)
    for axis in 0..<rank {
      let extent = dilations[axis] * (kernel[axis] - 1) + 1
      switch autoPad {
      case .sameUpper, .sameLower:
        let out = (sizes[axis] + strides[axis] - 1) / strides[axis]
        let total = max(0, (out - 1) * strides[axis] + extent - sizes[axis])
        let small = total / 2
        pads[axis] = autoPad == .sameUpper ? small : total - small
        pads[axis + rank] = total - pads[axis]
        outs[axis] = out
      case .valid:
        pads[axis] = 0
        pads[axis + rank] = 0
        outs[axis] = sizes[axis] >= extent ? (sizes[axis] - extent) / strides[axis] + 1 : 0
      case .notSet:
        let span = sizes[axis] + pads[axis] + pads[axis + rank] - extent
        guard span >= 0 else { break }
        outs[axis] = (ceilMode ? (span + strides[axis] - 1) / strides[axis] : span / strides[axis]) + 1
        if ceilMode, (outs[axis] - 1) * strides[axis] >= sizes[axis] + pads[axis] { outs[axis] -= 1 }
      }
    }
    guard outs.allSatisfy({ $0 >= 1 }) else {
      throw ModelError("window \(kernel) does not fit an input of \(sizes.map(String.init).joined(separator: "×"))")
    }
    return WindowGeometry(window: self, spatial: sizes, padsBefore: Array(pads[..<rank]), outSpatial: outs)
  }

  /// The windows over one plane of the given spatial sizes, padded as the operator says: for
  /// each output position, the window's input elements (channel-major) as indices into a block
  /// of `channelCount` planes, -1 where the window reads padding; and the output's spatial sizes.
  public func windows(spatial: [Int], channels: Range<Int>, channelCount: Int) throws -> (map: IndexMap, outSpatial: [Int]) {
    let geometry = try geometry(spatial: spatial)
    return (geometry.patches(channels: channels, channelCount: channelCount), geometry.outSpatial)
  }
}
