/// Whether an evaluation chooses the pieces from the values (recording the pattern, or not) or
/// follows a given pattern (evaluating the affine map of that pattern's region, anywhere).
public enum PatternMode: Sendable {
  /// Choose each piece from the values and record the choices.
  case record
  /// Apply the given choices.
  case fixed(ActivationPattern)
  /// Choose each piece from the values without keeping the choices (the values alone, as a
  /// black-box query needs them): the evaluation's pattern and ties are empty.
  case discard
}

/// What an evaluation hands to an observer at a piecewise-linear site: the values the site's
/// choice depends on and the choices made.
public struct SiteVisit<T: TensorAlgebra> {
  /// The site's index in ``Plan/sites``.
  public var site: Int
  /// Where these choices start within the site (an RNN visits its site once per time step).
  public var elementOffset: Int
  /// The input of the piecewise-linear function.
  public var preActivation: T
  public var choices: ArraySlice<UInt8>
}

/// The result of evaluating a network's piecewise-linear body.
public struct Evaluation<T: TensorAlgebra> {
  /// The body's outputs by name: the graph outputs, or the inputs of the output links.
  public var outputs: [String: T]
  /// The choices made at every site (per copy, for the first copy's pattern only when recorded).
  public var pattern: ActivationPattern
  /// Per site, the number of elements exactly at a breakpoint (or with a tied max).
  public var ties: [Int]

  public init(outputs: [String: T], pattern: ActivationPattern, ties: [Int]) {
    self.outputs = outputs
    self.pattern = pattern
    self.ties = ties
  }
}

extension Plan {
  /// Evaluates the piecewise-linear body on `input` (shape: copies × ``inputShape``).
  ///
  /// With `offsets: false` every constant term (biases, shifts, Clip's saturation values,
  /// initial states) is dropped, which evaluates the *linear part* of each affine piece: with a
  /// fixed pattern and unit-vector inputs this yields the columns of the region's matrix A.
  @_specialize(exported: true, where T == DenseTensor<Float>)
  @_specialize(exported: true, where T == DenseTensor<Double>)
  public func evaluate<T: TensorAlgebra>(
    _ input: T, mode: PatternMode = .record, offsets: Bool = true,
    visit: ((SiteVisit<T>) -> Void)? = nil
  ) -> Evaluation<T> {
    let copies = input.shape[0]
    var values = [T?](repeating: nil, count: storage.count)
    values[storage.input] = input
    var choices: [[UInt8]] = []
    var ties: [Int] = []
    var site = 0
    let isDiscarding = if case .discard = mode { true } else { false }
    func given(_ site: Int) -> [UInt8]? {
      if case .fixed(let pattern) = mode { return pattern.choices[site] }
      return nil
    }
    for (index, step) in steps.enumerated() {
      let inputs = storage.inputs[index].map { values[$0]! }
      let x = inputs.first!
      let outShape = [copies] + storage.outputShapes[index]
      var outputs: [T]
      switch step {
      case .dense(let weight, let bias):
        if offsets, let bias {
          outputs = [x.multiplied(byTransposeOf: weight, shiftedBy: bias)]
        } else {
          outputs = [x.multiplied(byTransposeOf: weight)]
        }
      case .leftDense(let weight, let toRows, let back, let rowsShape):
        let rows = x.gathered(toRows, shape: [copies] + rowsShape).multiplied(byTransposeOf: weight)
        outputs = [rows.gathered(back, shape: outShape)]
      case .conv(let groups, let toChannels, _, let bias):
        let parts = groups.map { group in
          x.gathered(group.patches, shape: [copies] + group.patchesShape).multiplied(byTransposeOf: group.weight)
        }
        let positions = groups[0].patchesShape[1]
        let joined = parts.count == 1 ? parts[0]
          : T.concatenated(parts, blockSizes: groups.map { $0.weight.shape[0] }, shape: [copies, groups[0].patchesShape[0], positions, toChannels.outputBlock / positions])
        var y = joined.gathered(toChannels, shape: outShape)
        if offsets, let bias { y = y.shifted(by: bias) }
        outputs = [y]
      case .scale(let factor):
        outputs = [x.scaled(by: factor)]
      case .divide(let divisor):
        outputs = [x.divided(by: divisor)]
      case .shift(let offset):
        outputs = [offsets ? x.shifted(by: offset) : x]
      case .affine(let scale, let shift):
        let y = x.scaled(by: scale)
        outputs = [offsets ? y.shifted(by: shift) : y]
      case .add:
        outputs = [x.adding(inputs[1])]
      case .subtract:
        outputs = [x.subtracting(inputs[1])]
      case .pool(let windows, let window, let ones, let counts, _):
        let patches = x.gathered(windows, shape: outShape + [window])
        outputs = [patches.multiplied(byTransposeOf: ones).reshaped(outShape).divided(by: counts)]
      case .reshape:
        outputs = [x.reshaped(outShape)]
      case .passThrough:
        outputs = [x]
      case .gather(let map, _):
        outputs = [x.gathered(map, shape: outShape)]
      case .concat(let blockSizes, _):
        outputs = [T.concatenated(inputs, blockSizes: blockSizes, shape: outShape)]
      case .elementwise(let breakpoints, let pieces) where isDiscarding && visit == nil:
        outputs = [x.piecewise(offsets ? pieces : pieces.map(\.linearPart), breakpoints: breakpoints)]
      case .elementwise(let breakpoints, let pieces):
        let chosen: [UInt8]
        if let fixed = given(site) {
          chosen = fixed
        } else {
          let (recorded, tied) = Self.choose(x, breakpoints)
          chosen = recorded
          ties.append(tied)
        }
        visit?(SiteVisit(site: site, elementOffset: 0, preActivation: x, choices: chosen[...]))
        outputs = [x.piecewise(offsets ? pieces : pieces.map(\.linearPart), choices: chosen)]
        choices.append(chosen)
        site += 1
      case .maxPool(let windows, let window, _):
        let chosen: [UInt8]
        if let fixed = given(site) {
          chosen = fixed
        } else {
          let (recorded, tied) = x.argmax(over: windows, window: window)
          chosen = recorded
          ties.append(tied)
        }
        visit?(SiteVisit(site: site, elementOffset: 0, preActivation: x, choices: chosen[...]))
        outputs = [x.gathered(Self.selection(windows, window: window, choices: chosen, blocks: chosen.count / (windows.outputBlock / window)), shape: outShape)]
        choices.append(chosen)
        site += 1
      case .rnn(let rnn):
        let (y, state, chosen, tied) = evaluateRNN(rnn, x, copies: copies, fixed: given(site), offsets: offsets) { offset, z, slice in
          visit?(SiteVisit(site: site, elementOffset: offset, preActivation: z, choices: slice))
        }
        outputs = [y, state]
        if given(site) == nil { ties.append(tied) }
        choices.append(chosen)
        site += 1
      case .link:
        outputs = []
      }
      for (slot, value) in zip(storage.outputs[index], outputs) { values[slot] = value }
      for slot in storage.released[index] { values[slot] = nil }
    }
    var kept: [String: T] = [:]
    for (name, slot) in storage.kept { kept[name] = values[slot] }
    if isDiscarding { return Evaluation(outputs: kept, pattern: ActivationPattern(choices: []), ties: []) }
    return Evaluation(outputs: kept, pattern: ActivationPattern(choices: choices),
                      ties: ties.isEmpty ? Array(repeating: 0, count: choices.count) : ties)
  }

  /// The number of breakpoints strictly below each element, and the count of exact ties.
  @usableFromInline static func choose<T: TensorAlgebra>(_ x: T, _ breakpoints: [Broadcast]) -> ([UInt8], Int) {
    let count = x.shape.reduce(1, *)
    var chosen = [UInt8](repeating: 0, count: count)
    var tied = 0
    for breakpoint in breakpoints {
      let signs = x.signs(minus: breakpoint)
      precondition(signs.count == count, "signs of \(signs.count) elements for \(count)")
      chosen.withUnsafeMutableBufferPointer { chosen in
        signs.withUnsafeBufferPointer { signs in
          guard let c = chosen.baseAddress, let s = signs.baseAddress else { return }
          tied &+= Self.count(above: s, into: c, count)
        }
      }
    }
    return (chosen, tied)
  }

  /// Adds 1 to `chosen[i]` where `signs[i] > 0`; returns how many signs are 0. Two plain loops
  /// over raw pointers, which the compiler vectorizes.
  @inline(never)
  static func count(above signs: UnsafePointer<Int8>, into chosen: UnsafeMutablePointer<UInt8>, _ n: Int) -> Int {
    for i in 0..<n { chosen[i] = chosen[i] &+ (signs[i] > 0 ? 1 : 0) }
    // A `while` loop: over a range the compiler keeps the range's overflow check and a second
    // exit, and does not vectorize the count.
    var ties = 0
    var i = 0
    while i < n {
      ties &+= signs[i] == 0 ? 1 : 0
      i &+= 1
    }
    return ties
  }

  /// The gather map that picks each window's chosen element, over `blocks` planes.
  static func selection(_ windows: IndexMap, window: Int, choices: [UInt8], blocks: Int) -> IndexMap {
    let outputs = windows.outputBlock / window
    var indices = [Int32](repeating: 0, count: choices.count)
    for block in 0..<blocks {
      for j in 0..<outputs {
        let k = block * outputs + j
        indices[k] = Int32(block * windows.inputBlock) + windows.indices[j * window + Int(choices[k])]
      }
    }
    return IndexMap(indices: indices, inputBlock: blocks * windows.inputBlock)
  }

  func evaluateRNN<T: TensorAlgebra>(
    _ rnn: RNNStep, _ x: T, copies: Int, fixed: [UInt8]?, offsets: Bool,
    visit: (Int, T, ArraySlice<UInt8>) -> Void
  ) -> (T, T, [UInt8], Int) {
    let stateShape = [copies, rnn.batch, rnn.hidden]
    var h = T.filled(with: offsets ? rnn.initialState ?? Broadcast(scalar: 0) : Broadcast(scalar: 0), shape: stateShape)
    var chosen: [UInt8] = []
    var tied = 0
    var states: [T] = []
    let chunk = rnn.batch * rnn.hidden
    for t in 0..<rnn.steps {
      let xt = x.gathered(rnn.slices[t], shape: [copies, rnn.batch, rnn.features])
      var z = xt.multiplied(byTransposeOf: rnn.recurrence.inputWeight)
      if offsets, let bias = rnn.inputBias { z = z.shifted(by: bias) }
      z = z.adding(h.multiplied(byTransposeOf: rnn.recurrence.recurrentWeight))
      if offsets, let bias = rnn.recurrentBias { z = z.shifted(by: bias) }
      let step: [UInt8]
      if let fixed {
        step = Array(fixed[(t * chunk)..<((t + 1) * chunk)])
      } else {
        let (recorded, ties) = Self.choose(z, [Broadcast(scalar: 0)])
        step = recorded
        tied += ties
      }
      visit(t * chunk, z, step[...])
      h = z.piecewise([.zero, .identity], choices: step)
      chosen += step
      states.append(h)
    }
    let y = T.concatenated(states, blockSizes: Array(repeating: chunk, count: rnn.steps), shape: [copies] + rnn.outputShape)
    return (y, h.reshaped([copies] + rnn.finalStateShape), fixed ?? chosen, tied)
  }

}

extension Piece {
  /// The piece without its constant term.
  public var linearPart: Piece {
    if case .constant = self { return .zero }
    return self
  }
}
