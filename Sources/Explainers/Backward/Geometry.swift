import Model

/// The windows of a convolution or pooling over one NC… input (1-D, 2-D or 3-D), resolved for a
/// concrete size.
///
/// The geometry (explicit pads, `auto_pad`, strides, dilations, `ceil_mode`) is the float core's
/// own (`Window.windows`), with indices as `Int` for the backward pass.
struct WindowMap {
  /// Elements of one input plane, and output positions per plane.
  var plane: Int
  var positions: Int
  /// For each output position, the window's input elements (channel-major within the window),
  /// as indices into a block of `channels` planes; -1 where the window reads padding.
  var indices: [Int]
  /// Elements per window.
  var size: Int

  init(plane: Int, positions: Int, indices: [Int], size: Int) {
    (self.plane, self.positions, self.indices, self.size) = (plane, positions, indices, size)
  }

  /// One window covering a whole plane (global average pooling).
  init(wholePlane plane: Int) {
    self.plane = plane
    positions = 1
    size = plane
    indices = Array(0..<size)
  }

  init(_ window: Window, spatial: [Int], channels: Range<Int>) throws {
    let (map, outSpatial) = try window.windows(spatial: spatial, channels: channels, channelCount: channels.upperBound)
    plane = spatial.reduce(1, *)
    positions = outSpatial.reduce(1, *)
    size = channels.count * window.kernel.reduce(1, *)
    indices = map.indices.map(Int.init)
  }
}
