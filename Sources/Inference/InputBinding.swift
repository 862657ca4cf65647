import DataIO
import Model

/// Inputs bound to a network: the body's input values with a leading copies dimension.
public struct BoundInput: Sendable {
  /// The body's input (embedding vectors for token models), shape [copies] + ``valueShape``.
  public var tensor: DenseTensor<Double>
  /// The shape of one input as the model declares it (the array's shape without a stack
  /// dimension); for token models, the shape of the ids.
  public var declaredShape: [Int]
  /// How many inputs are stacked along the leading dimension.
  public var copies: Int { tensor.shape[0] }
  /// The shape of one body input.
  public var valueShape: [Int] { Array(tensor.shape.dropFirst()) }

  /// One of the stacked inputs, without the copies dimension.
  public func input(_ index: Int) -> DenseTensor<Double> {
    let size = valueShape.reduce(1, *)
    return DenseTensor(shape: valueShape, elements: Array(tensor.elements[(index * size)..<((index + 1) * size)]))
  }
}

extension Network {
  /// Checks an array against the declared input and turns it into body inputs.
  ///
  /// The array has the declared shape (symbolic dimensions take any size), or that shape with
  /// one more leading dimension stacking several inputs. NaN and infinities are rejected; token
  /// ids must be integers within the vocabulary. Errors name `file`.
  public func bind(_ array: NumericArray, file: String) throws -> BoundInput {
    func fail(_ message: String) -> ModelError { ModelError("\(file): \(message)") }
    let declared = inputShape
    let shape = array.shape
    let stacked: Bool
    if shape.count == declared.count && zip(declared, shape).allSatisfy({ $0.accepts($1) }) {
      stacked = false
    } else if shape.count == declared.count + 1 && zip(declared, shape.dropFirst()).allSatisfy({ $0.accepts($1) }) && shape[0] >= 1 {
      stacked = true
    } else {
      throw fail("input of shape \(shape) does not match the model's input '\(inputName)' of shape \(declared.shapeDescription)\(self.file.map { " (declared by \($0))" } ?? "")")
    }
    if let bad = array.firstNonFiniteIndex {
      throw fail("element \(bad) is \(array.asDoubles[bad]); inputs must be finite")
    }
    // A float32 model computes in float32: a value finite in float64 may not be there.
    if embedding == nil, !isFloat64, let bad = array.asDoubles.firstIndex(where: { !Float($0).isFinite }) {
      throw fail("element \(bad) is \(array.asDoubles[bad]), beyond float32's range (±\(Float.greatestFiniteMagnitude)); the model computes in float32")
    }
    if let embedding, (shape + [embedding.width]).elementCount.map({ $0 > Plan.maximumElements }) ?? true {
      throw fail("\(shape.map(String.init).joined(separator: "×")) token ids make more embedding values (×\(embedding.width)) than the \(Plan.maximumElements) ExplainCert can hold")
    }
    let copies = stacked ? shape[0] : 1
    let one = Array(stacked ? shape.dropFirst() : shape[...])
    guard let embedding else {
      return BoundInput(tensor: DenseTensor(shape: [copies] + one, elements: array.asDoubles), declaredShape: one)
    }
    let width = embedding.width
    var values: [Double] = []
    values.reserveCapacity(array.count * width)
    for (i, id) in array.asDoubles.enumerated() {
      guard id == id.rounded(), id >= 0, id < Double(embedding.vocabularySize) else {
        throw fail("token id \(id) at element \(i) is not an integer in 0..<\(embedding.vocabularySize)\(self.file.map { ", the vocabulary of \($0)" } ?? "")")
      }
      let row = Int(id) * width
      values.append(contentsOf: embedding.table.values[row..<(row + width)])
    }
    return BoundInput(tensor: DenseTensor(shape: [copies] + one + [width], elements: values), declaredShape: one)
  }
}

extension DenseTensor where Scalar == Double {
  /// The same values rounded to float32 (the model's type).
  public var float32: DenseTensor<Float> {
    DenseTensor<Float>(shape: shape, elements: elements.map { Float($0) })
  }
}

extension Network {
  /// The axis of the declared input that counts examples: the first symbolic dimension whose
  /// name does not look like a sequence length (`T`, `seq`, `time`, ...), if any.
  public var batchAxis: Int? {
    let sequenceNames: Set<String> = ["t", "seq", "seq_len", "seqlen", "sequence", "sequence_length", "time", "time_steps", "steps", "len", "length"]
    return inputShape.indices.first { axis in
      if case .symbolic(let name) = inputShape[axis] { return !sequenceNames.contains(name.lowercased()) }
      return false
    }
  }
}

extension BoundInput {
  /// Every example on its own: each stacked input, split along `batchAxis` of the declared
  /// shape into slices of size 1 (the axis is kept), with its token ids for token models.
  public func examples(batchAxis: Int?, tokenIDs: [Double]?) -> [(input: DenseTensor<Double>, tokens: [Int]?)] {
    var result: [(DenseTensor<Double>, [Int]?)] = []
    let declaredSize = declaredShape.reduce(1, *)
    for copy in 0..<copies {
      let value = input(copy)
      let ids = tokenIDs.map { Array($0[(copy * declaredSize)..<((copy + 1) * declaredSize)]) }
      guard let axis = batchAxis, axis < value.shape.count, value.shape[axis] > 1 else {
        result.append((value, ids?.map { Int($0) }))
        continue
      }
      let outer = value.shape[..<axis].reduce(1, *)
      let count = value.shape[axis]
      let inner = value.shape[(axis + 1)...].reduce(1, *)
      let idInner = declaredShape[(axis + 1)...].reduce(1, *)
      var shape = value.shape
      shape[axis] = 1
      for b in 0..<count {
        var elements: [Double] = []
        var tokens: [Int] = []
        for o in 0..<outer {
          let start = (o * count + b) * inner
          elements += value.elements[start..<(start + inner)]
          if let ids {
            let idStart = (o * count + b) * idInner
            tokens += ids[idStart..<(idStart + idInner)].map { Int($0) }
          }
        }
        result.append((DenseTensor(shape: shape, elements: elements), ids == nil ? nil : tokens))
      }
    }
    return result
  }
}
