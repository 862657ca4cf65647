import Model

/// The windows of a 2-D convolution or pooling over one NCHW input, resolved for a concrete size.
///
/// The geometry (explicit pads, `auto_pad`, strides, dilations, `ceil_mode`) is the float core's
/// own (`Window.windows`), with indices as `Int` for the backward pass.
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
    let (map, outHeight, outWidth) = try window.windows(height: height, width: width, channels: channels, channelCount: channels.upperBound)
    self.height = height
    self.width = width
    (self.outHeight, self.outWidth) = (outHeight, outWidth)
    size = channels.count * window.kernel[0] * window.kernel[1]
    indices = map.indices.map(Int.init)
  }
}
