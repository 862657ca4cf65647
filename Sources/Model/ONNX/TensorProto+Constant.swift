import Foundation
import ONNXProtobuf

extension Constant {
  /// Reads an ONNX tensor's values exactly (float, double, integer types).
  convenience init(_ tensor: Onnx_TensorProto) throws {
    let shape = tensor.dims.map { Int($0) }
    guard shape.allSatisfy({ $0 >= 0 }) else { throw ModelError("tensor '\(tensor.name)' has a negative dimension") }
    let (count, overflow) = shape.reduce((1, false)) { acc, d in
      let (product, o) = acc.0.multipliedReportingOverflow(by: d)
      return (product, acc.1 || o)
    }
    guard !overflow, count < 1 << 31 else { throw ModelError("tensor '\(tensor.name)' is too large (\(shape))") }
    if tensor.dataLocation == .external {
      throw ModelError("tensor '\(tensor.name)' keeps its data in an external file: load the model from its file, beside that data")
    }
    let values: [Double]
    let raw = tensor.rawData
    typealias DataType = Onnx_TensorProto.DataType
    switch Int(tensor.dataType) {
    case DataType.float.rawValue:
      values = raw.isEmpty ? tensor.floatData.map(Double.init) : try Self.decode(raw, count, as: Float.self, tensor).map(Double.init)
    case DataType.double.rawValue:
      values = raw.isEmpty ? tensor.doubleData : try Self.decode(raw, count, as: Double.self, tensor)
    case DataType.int64.rawValue:
      values = raw.isEmpty ? tensor.int64Data.map(Double.init) : try Self.decode(raw, count, as: Int64.self, tensor).map(Double.init)
    case DataType.int32.rawValue:
      values = raw.isEmpty ? tensor.int32Data.map(Double.init) : try Self.decode(raw, count, as: Int32.self, tensor).map(Double.init)
    case DataType.bool.rawValue, DataType.uint8.rawValue:
      values = raw.isEmpty ? tensor.int32Data.map(Double.init) : raw.map(Double.init)
    default:
      throw ModelError("tensor '\(tensor.name)' has unsupported element type \(Self.typeName(tensor.dataType))")
    }
    guard values.count == count else {
      throw ModelError("tensor '\(tensor.name)' has \(values.count) values for shape \(shape)")
    }
    if let bad = values.firstIndex(where: { !$0.isFinite }) {
      throw ModelError("tensor '\(tensor.name)' holds a non-finite value at index \(bad)")
    }
    self.init(shape: shape, values: values)
  }

  private static func decode<T>(_ raw: Data, _ count: Int, as: T.Type, _ tensor: Onnx_TensorProto) throws -> [T] {
    guard raw.count == count * MemoryLayout<T>.size else {
      throw ModelError("tensor '\(tensor.name)' has \(raw.count) bytes of data, expected \(count * MemoryLayout<T>.size)")
    }
    return [T](unsafeUninitializedCapacity: count) { buffer, initialized in
      _ = raw.copyBytes(to: buffer)
      initialized = count
    }
  }

  static func typeName(_ type: Int32) -> String {
    Onnx_TensorProto.DataType(rawValue: Int(type)).map { "\($0)" } ?? "code \(type)"
  }
}
