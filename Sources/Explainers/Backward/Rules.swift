/// How one linear layer (dense, convolution, pooling, an elementwise affine map, a sum, one
/// unrolled RNN step) passes relevance from its output to its input: a rule as data, in the
/// style of Zennit's `BasicHook` (chr5tphr/zennit, `rules.py`), configuring one generic
/// mechanism (``ModifiedBackward``).
///
/// Each *branch* b evaluates the layer on a modified input with modified parameters,
/// `z_b = layer_{p_b}(in_b(x)) (+ p_b(bias) if the branch keeps the bias)`.
/// Each *group* g combines its branches into a normaliser `z_g = Σ_b sign_b · z_b` and passes
/// `R_in += weight_g · Σ_b sign_b · in_b(x) ⊙ layer_{p_b}ᵀ(R_out / stab(z_g))`.
///
/// **Stabiliser** (Zennit's `stabilize`): `stab(z) = z + ε·sign(z)` with sign(0) = +1, so a zero
/// normaliser divides by ε rather than by zero.
///
/// **Bias** conventions, as Zennit's: the parameter modifier applies to the bias as to the
/// weights (`positive` keeps b⁺ = max(b, 0), `negative` keeps b⁻ = min(b, 0)), and a branch that
/// does not keep the bias drops it. With a bias, LRP-ε is conservative only up to the relevance
/// the biases absorb; on a bias-free network with ε → 0 it is conservative.
public struct LinearRule: Sendable, Equatable {
  /// What a branch feeds the layer instead of its input x.
  public enum InputModifier: String, Sendable, Equatable {
    /// x.
    case identity
    /// x⁺ = max(x, 0).
    case positive
    /// x⁻ = min(x, 0).
    case negative
    /// The lower bound l of the input box (z^B rule).
    case lowerBound
    /// The upper bound h of the input box (z^B rule).
    case upperBound
  }

  /// What a branch uses instead of the layer's parameters (weights and bias alike).
  public enum ParameterModifier: String, Sendable, Equatable {
    case identity
    /// W⁺ = max(W, 0) (and b⁺).
    case positive
    /// W⁻ = min(W, 0) (and b⁻).
    case negative
  }

  public struct Branch: Sendable, Equatable {
    public var input: InputModifier
    public var parameters: ParameterModifier
    /// Whether the branch adds the (modified) bias.
    public var bias: Bool
    /// The branch's sign in its group's normaliser and sum.
    public var sign: Double

    public init(_ input: InputModifier, _ parameters: ParameterModifier, bias: Bool, sign: Double = 1) {
      self.input = input
      self.parameters = parameters
      self.bias = bias
      self.sign = sign
    }
  }

  public struct Group: Sendable, Equatable {
    public var branches: [Branch]
    /// The group's factor in the input relevance (α, −β).
    public var weight: Double

    public init(_ branches: [Branch], weight: Double = 1) {
      self.branches = branches
      self.weight = weight
    }
  }

  public var name: String
  public var groups: [Group]
  /// ε of the stabiliser.
  public var epsilon: Double

  public init(name: String, groups: [Group], epsilon: Double) {
    self.name = name
    self.groups = groups
    self.epsilon = epsilon
  }

  /// LRP-ε (Bach et al. 2015): `R_i = Σ_j x_i w_ij / stab(z_j, ε) · R_j`, z_j = Σ_i x_i w_ij + b_j
  /// (bias included). ε = 0 (up to the 1e-300 guard against dividing by zero) is LRP-0.
  public static func epsilon(_ epsilon: Double) -> LinearRule {
    LinearRule(name: "epsilon", groups: [Group([Branch(.identity, .identity, bias: true)])], epsilon: max(epsilon, 1e-300))
  }

  /// LRP-αβ (Bach et al. 2015) as Zennit's `AlphaBeta`: the positive part
  /// z⁺ = x⁺·W⁺ + b⁺ + x⁻·W⁻ weighted by α, the negative part z⁻ = x⁺·W⁻ + b⁻ + x⁻·W⁺ by −β
  /// (α − β = 1 keeps relevance conserved up to the biases); stabiliser ε = 1e-6.
  public static func alphaBeta(alpha: Double, beta: Double) -> LinearRule {
    LinearRule(name: "alpha\(alpha.shortText)-beta\(beta.shortText)", groups: [
      Group([Branch(.positive, .positive, bias: true), Branch(.negative, .negative, bias: false)], weight: alpha),
      Group([Branch(.positive, .negative, bias: true), Branch(.negative, .positive, bias: false)], weight: -beta),
    ], epsilon: 1e-6)
  }

  /// Deep Taylor z⁺ (Montavon et al. 2017) as Zennit's `ZPlus` (= α1β0, also accepting negative
  /// inputs): `R_i = Σ_j (x_i⁺ w_ij⁺ + x_i⁻ w_ij⁻) / stab(z_j⁺) · R_j`, z⁺ = x⁺·W⁺ + b⁺ + x⁻·W⁻;
  /// stabiliser ε = 1e-6.
  public static let zPlus = LinearRule(name: "z-plus", groups: [
    Group([Branch(.positive, .positive, bias: true), Branch(.negative, .negative, bias: false)]),
  ], epsilon: 1e-6)

  /// Deep Taylor z^B for a box-bounded input l ≤ x ≤ h (Montavon et al. 2017) as Zennit's
  /// `ZBox`: z = (x·W + b) − (l·W⁺ + b⁺) − (h·W⁻ + b⁻), which makes the biases cancel;
  /// `R_i = Σ_j (x_i w_ij − l_i w_ij⁺ − h_i w_ij⁻) / stab(z_j) · R_j`; stabiliser ε = 1e-6.
  public static let zBox = LinearRule(name: "z-box", groups: [
    Group([Branch(.identity, .identity, bias: true), Branch(.lowerBound, .positive, bias: true, sign: -1),
           Branch(.upperBound, .negative, bias: true, sign: -1)]),
  ], epsilon: 1e-6)

  /// Zennit's `Norm`: LRP-0 with the stabiliser only (ε = 1e-6), for parameter-free linear
  /// layers (average pooling, sums of two values).
  public static let norm = LinearRule(name: "norm", groups: [Group([Branch(.identity, .identity, bias: false)])], epsilon: 1e-6)
}

/// How piecewise-linear activations (ReLU, LeakyReLU, PReLU, Abs, Clip) pass the backward signal.
public enum ActivationRule: String, Sendable, Equatable {
  /// The derivative of the chosen piece (the plain gradient).
  case gradient
  /// Guided Backprop (Springenberg et al. 2015), as Zennit's `ReLUGuidedBackprop`: the
  /// derivative of the chosen piece, and only where the incoming gradient is positive. Applied
  /// at every elementwise piecewise-linear site, not only at ReLUs.
  case guided
  /// Pass the signal through unchanged (LRP: relevance is conserved through activations).
  case pass
}

/// A composite: which rule each kind of layer gets in one modified backward pass.
///
/// Max pooling always routes the signal to the window's chosen (largest, first on ties) element.
public struct BackwardRules: Sendable, Equatable {
  /// Whether the pass propagates a gradient (`vᵀ·J`, linear layers transposed) or relevance
  /// (linear layers by ``LinearRule``).
  public enum Signal: String, Sendable, Equatable { case gradient, relevance }

  public var signal: Signal
  public var activation: ActivationRule
  /// The rule of every weighted linear layer (dense, convolution, elementwise affine maps not
  /// merged into the layer before them, RNN steps).
  public var linear: LinearRule
  /// The rule of the layers that read the network's input (through reshapes only), when it
  /// differs (z^B for deep Taylor).
  public var inputLayer: LinearRule?
  /// Box bounds of the input for ``LinearRule/InputModifier/lowerBound`` and `upperBound`.
  public var lowerBound: Double
  public var upperBound: Double
  /// The rule of parameter-free linear layers: average pooling and sums of two values.
  public var pooling: LinearRule

  public init(signal: Signal, activation: ActivationRule, linear: LinearRule = .epsilon(0), inputLayer: LinearRule? = nil,
              lowerBound: Double = 0, upperBound: Double = 1, pooling: LinearRule = .norm) {
    self.signal = signal
    self.activation = activation
    self.linear = linear
    self.inputLayer = inputLayer
    self.lowerBound = lowerBound
    self.upperBound = upperBound
    self.pooling = pooling
  }

  /// The plain gradient (saliency).
  public static let gradient = BackwardRules(signal: .gradient, activation: .gradient)
  /// Guided Backprop.
  public static let guided = BackwardRules(signal: .gradient, activation: .guided)

  /// LRP with one rule for every weighted layer and `Pass` at activations.
  public static func lrp(_ rule: LinearRule) -> BackwardRules {
    BackwardRules(signal: .relevance, activation: .pass, linear: rule)
  }
}

extension Double {
  /// The number without a trailing ".0" (for rule names).
  var shortText: String { self == rounded() && abs(self) < 1e15 ? String(Int(self)) : String(self) }
}
