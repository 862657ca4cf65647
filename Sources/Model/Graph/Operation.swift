/// A resolved operator of the layer graph: constants folded in, attributes normalized.
///
/// Affine operations act linearly on their variable input (plus an offset); piecewise-linear
/// ones choose one affine piece per element, which is what an activation pattern records;
/// output links (Softmax, Sigmoid) are not piecewise linear and only end a network.
public enum Operation: Sendable {
  // Affine.
  /// `y = x · Wᵀ + b` over the last axis; `weight` is [out, in] (Gemm and MatMul).
  case dense(weight: Constant, bias: Constant?)
  /// `y = W · x` over the first axis of a 1-D or 2-D input (MatMul with a constant left operand).
  case leftDense(weight: Constant)
  /// Convolution over the spatial axes of an NC… input (1-D, 2-D or 3-D).
  case conv(Convolution)
  /// `y = x · scale` with a broadcast constant (Mul, and Gemm's alpha).
  case scale(Constant)
  /// `y = x / divisor` with a broadcast constant (Div).
  case divide(Constant)
  /// `y = x + shift` with a broadcast constant (Add, Sub, Gemm's bias).
  case shift(Constant)
  /// Per-channel `y = x · scale + shift` on axis 1 (BatchNormalization, folded as the runtime
  /// folds it: `scale = γ / sqrt(var + ε)` rounded once to float32).
  case channelAffine(scale: Constant, shift: Constant)
  /// Sum or difference of two variable inputs.
  case add, subtract
  /// Average pooling over the spatial axes of an NC… input.
  case averagePool(Pooling, countIncludePad: Bool)
  /// Mean over all spatial positions of an NC… input.
  case globalAveragePool
  /// Sum or mean over the given axes (ONNX ReduceSum, ReduceMean; all axes when empty), keeping
  /// them as size 1 or dropping them.
  case reduce(axes: [Int], keepDims: Bool, mean: Bool)
  /// Reinterpretation of the shape (Flatten, Reshape, Squeeze, Unsqueeze, Identity, Dropout).
  case reshape(ShapeRule)
  /// Permutation of the axes.
  case transpose(permutation: [Int])
  /// Concatenation of the inputs along an axis.
  case concat(axis: Int)
  /// Each output element a copy of one input element, or zero (Slice, Split, Pad, Expand,
  /// Resize in nearest mode).
  case select(Selection)

  // Piecewise linear.
  /// `max(x, 0)`.
  case relu
  /// `x` for x > 0, `alpha · x` otherwise.
  case leakyRelu(alpha: Constant)
  /// `x` for x > 0, `slope · x` otherwise (broadcast slope).
  case prelu(slope: Constant)
  /// `min(max(x, lower), upper)`, either bound optional.
  case clip(lower: Double?, upper: Double?)
  /// `|x|`.
  case abs
  /// Max pooling over the spatial axes of an NC… input; the pattern records the argmax (first
  /// index on ties).
  case maxPool(Pooling)
  /// Elman RNN with ReLU, forward, unrolled over the time steps of the input.
  case rnn(Recurrence)

  // Output links.
  /// Softmax, LogSoftmax or Sigmoid: applied in float after the piecewise-linear body.
  case link(OutputLink)

  /// Whether the operation chooses among affine pieces (and so contributes to the pattern).
  public var isPiecewiseLinear: Bool {
    switch self {
    case .relu, .leakyRelu, .prelu, .clip, .abs, .maxPool, .rnn: return true
    default: return false
    }
  }
}

/// How a reshape-like operator computes its output shape from its input shape.
public enum ShapeRule: Sendable {
  /// Flatten to 2-D at `axis`.
  case flatten(axis: Int)
  /// ONNX Reshape: 0 copies a dimension (unless `allowZero`), -1 is inferred.
  case reshape([Int], allowZero: Bool)
  /// Remove the given axes (all size-1 axes when empty).
  case squeeze([Int])
  /// Insert size-1 axes at the given output positions.
  case unsqueeze([Int])
  /// Leave the shape unchanged (Identity, Dropout in inference).
  case identity
}

/// A convolution's constants and attributes.
public struct Convolution: Sendable {
  /// [Cout, Cin / group, k…] (one kernel size per spatial axis).
  public var weight: Constant
  public var bias: Constant?
  public var window: Window
  public var group: Int
}

/// A sliding window over the spatial axes of an NC… tensor (one entry per axis; `pads` holds the
/// padding before each axis, then after each).
public struct Window: Sendable, Equatable {
  public var kernel: [Int]
  public var strides: [Int]
  public var dilations: [Int]
  /// [begin per axis…, end per axis…], resolved from explicit pads or `auto_pad`.
  public var pads: [Int]
  /// `auto_pad` SAME_UPPER / SAME_LOWER, resolved once the input size is known.
  public var autoPad: AutoPad
  public var ceilMode: Bool

  public enum AutoPad: Sendable, Equatable { case notSet, sameUpper, sameLower, valid }
}

/// A pooling window.
public typealias Pooling = Window

/// An Elman RNN layer (`RNN` with activation Relu, direction forward).
public struct Recurrence: Sendable {
  /// [hidden, input].
  public var inputWeight: Constant
  /// [hidden, hidden].
  public var recurrentWeight: Constant
  /// Input and recurrent biases, each [hidden].
  public var inputBias: Constant?
  public var recurrentBias: Constant?
  /// Initial hidden state [1, batch, hidden], zeros when absent.
  public var initialState: Constant?
  public var hiddenSize: Int
}

/// A final non-piecewise-linear map from logits to probabilities.
public enum OutputLink: Sendable, Equatable {
  case softmax(axis: Int)
  case logSoftmax(axis: Int)
  case sigmoid

  public var name: String {
    switch self {
    case .softmax: return "Softmax"
    case .logSoftmax: return "LogSoftmax"
    case .sigmoid: return "Sigmoid"
    }
  }
}
