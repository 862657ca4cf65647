/// An Elman RNN resolved for an input of shape [time, batch, features].
struct RNNStep: Sendable {
  var recurrence: Recurrence
  var steps, batch, features, hidden: Int
  /// Bias added at every step (input bias and recurrent bias), broadcast over [batch, hidden].
  var inputBias: Broadcast?
  var recurrentBias: Broadcast?
  var initialState: Broadcast?
  /// The map selecting time step t's [batch, features] slice is `slices[t]`.
  var slices: [IndexMap]

  init(_ recurrence: Recurrence, inputShape shape: [Int]) throws {
    guard shape.count == 3 else { throw ModelError("RNN input must be [time, batch, features], got \(shape)") }
    (steps, batch, features) = (shape[0], shape[1], shape[2])
    hidden = recurrence.hiddenSize
    guard recurrence.inputWeight.shape == [hidden, features], recurrence.recurrentWeight.shape == [hidden, hidden] else {
      throw ModelError("RNN weights \(recurrence.inputWeight.shape), \(recurrence.recurrentWeight.shape) do not fit input \(shape) with hidden size \(hidden)")
    }
    self.recurrence = recurrence
    inputBias = recurrence.inputBias.map { Broadcast($0) }
    recurrentBias = recurrence.recurrentBias.map { Broadcast($0) }
    if let h0 = recurrence.initialState {
      guard h0.count == batch * hidden else {
        throw ModelError("RNN initial state of shape \(h0.shape) does not fit batch \(batch) and hidden size \(hidden)")
      }
      initialState = Broadcast(h0.reshaped([batch * hidden]))
    }
    let (slice, steps) = (batch * features, self.steps)
    slices = (0..<steps).map { t in
      IndexMap(indices: (0..<slice).map { Int32(t * slice + $0) }, inputBlock: steps * slice)
    }
  }

  /// ONNX `Y`: [time, directions = 1, batch, hidden].
  var outputShape: [Int] { [steps, 1, batch, hidden] }
  /// ONNX `Y_h`: [directions = 1, batch, hidden].
  var finalStateShape: [Int] { [1, batch, hidden] }
  /// The ReLU choices: [time, batch, hidden].
  var patternShape: [Int] { [steps, batch, hidden] }
}
