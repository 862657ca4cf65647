/// The output size and the padding of a window sliding over one H×W plane.
struct WindowGeometry {
  var window: Window
  var height, width: Int
  var padTop, padLeft: Int
  var outHeight, outWidth: Int

  /// For each output position, the window's input elements (channel-major within the window),
  /// as indices into a block of `channelCount` planes; -1 where the window reads padding.
  func patches(channels: Range<Int>, channelCount: Int) -> IndexMap {
    let (kh, kw) = (window.kernel[0], window.kernel[1])
    let plane = height * width
    var indices: [Int32] = []
    indices.reserveCapacity(outHeight * outWidth * channels.count * kh * kw)
    for oy in 0..<outHeight {
      for ox in 0..<outWidth {
        for c in channels {
          for ky in 0..<kh {
            let y = oy * window.strides[0] - padTop + ky * window.dilations[0]
            for kx in 0..<kw {
              let x = ox * window.strides[1] - padLeft + kx * window.dilations[1]
              indices.append(y >= 0 && y < height && x >= 0 && x < width ? Int32(c * plane + y * width + x) : -1)
            }
          }
        }
      }
    }
    return IndexMap(indices: indices, inputBlock: channelCount * plane)
  }
}

extension Window {
  /// Resolves padding (explicit or `auto_pad`) and the output size for an input plane.
  func geometry(height: Int, width: Int) throws -> WindowGeometry {
    guard kernel.count == 2, strides.count == 2, dilations.count == 2, pads.count == 4,
          kernel.allSatisfy({ $0 >= 1 }), strides.allSatisfy({ $0 >= 1 }), dilations.allSatisfy({ $0 >= 1 })
    else { throw ModelError("unsupported window: kernel \(kernel), strides \(strides), dilations \(dilations), pads \(pads) (2-D windows only)") }
    var pads = self.pads
    let sizes = [height, width]
    var outs = [0, 0]
    for axis in 0..<2 {
      let extent = dilations[axis] * (kernel[axis] - 1) + 1
      switch autoPad {
      case .sameUpper, .sameLower:
        let out = (sizes[axis] + strides[axis] - 1) / strides[axis]
        let total = max(0, (out - 1) * strides[axis] + extent - sizes[axis])
        let small = total / 2
        pads[axis] = autoPad == .sameUpper ? small : total - small
        pads[axis + 2] = total - pads[axis]
        outs[axis] = out
      case .valid:
        pads[axis] = 0
        pads[axis + 2] = 0
        outs[axis] = (sizes[axis] - extent) / strides[axis] + 1
      case .notSet:
        let span = sizes[axis] + pads[axis] + pads[axis + 2] - extent
        guard span >= 0 else { break }
        outs[axis] = (ceilMode ? (span + strides[axis] - 1) / strides[axis] : span / strides[axis]) + 1
        if ceilMode, (outs[axis] - 1) * strides[axis] >= sizes[axis] + pads[axis] { outs[axis] -= 1 }
      }
    }
    guard outs[0] >= 1, outs[1] >= 1 else {
      throw ModelError("window \(kernel) does not fit an input of \(height)×\(width)")
    }
    return WindowGeometry(window: self, height: height, width: width, padTop: pads[0], padLeft: pads[1],
                          outHeight: outs[0], outWidth: outs[1])
  }
}

extension Window {
  /// The windows over one `height`×`width` plane, padded as the operator says: for each output
  /// position, the window's input elements (channel-major) as indices into a block of
  /// `channelCount` planes, -1 where the window reads padding; and the output size.
  public func windows(height: Int, width: Int, channels: Range<Int>, channelCount: Int) throws -> (map: IndexMap, outHeight: Int, outWidth: Int) {
    let geometry = try geometry(height: height, width: width)
    return (geometry.patches(channels: channels, channelCount: channelCount), geometry.outHeight, geometry.outWidth)
  }
}
