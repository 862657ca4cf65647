import DataIO
import Foundation
import ONNXProtobuf

/// ONNX external data: tensors whose bytes live in files beside the model (`data_location:
/// EXTERNAL` with `location`, `offset`, `length`), as `torch.onnx.export` writes large models and
/// `onnx.save(..., save_as_external_data=True)` writes any.
struct ExternalData {
  /// The folder the locations are relative to; nothing outside it is read.
  let folder: URL
  /// The files read, by location, each once.
  private(set) var files: [String: Data] = [:]

  /// Moves every external tensor's bytes into the tensor (initializers, and Constant nodes'
  /// tensors, in subgraphs too), reading each file once.
  mutating func resolve(_ model: inout Onnx_ModelProto) throws {
    try resolve(&model.graph)
  }

  private mutating func resolve(_ graph: inout Onnx_GraphProto) throws {
    for i in graph.initializer.indices where graph.initializer[i].dataLocation == .external {
      try load(&graph.initializer[i])
    }
    for n in graph.node.indices {
      for a in graph.node[n].attribute.indices {
        if graph.node[n].attribute[a].hasT, graph.node[n].attribute[a].t.dataLocation == .external {
          try load(&graph.node[n].attribute[a].t)
        }
        for g in graph.node[n].attribute[a].graphs.indices { try resolve(&graph.node[n].attribute[a].graphs[g]) }
        if graph.node[n].attribute[a].hasG { try resolve(&graph.node[n].attribute[a].g) }
      }
    }
  }

  private mutating func load(_ tensor: inout Onnx_TensorProto) throws {
    let entries = Dictionary(tensor.externalData.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first })
    guard let location = entries["location"], !location.isEmpty else {
      throw ModelError("tensor '\(tensor.name)' keeps its data in an external file but names no location")
    }
    let parts = location.split(separator: "/", omittingEmptySubsequences: false)
    guard !location.hasPrefix("/"), !location.contains("\\"), !location.contains("\0"),
          parts.allSatisfy({ !$0.isEmpty && $0 != ".." && $0 != "." }) else {
      throw ModelError("tensor '\(tensor.name)' keeps its data in '\(location)', outside the model's folder (external data must be a relative path inside it)")
    }
    if files[location] == nil {
      let url = folder.appendingPathComponent(location)
      // A symbolic link could lead out of the folder as well.
      let resolved = url.resolvingSymlinksInPath().standardizedFileURL.path
      let root = folder.resolvingSymlinksInPath().standardizedFileURL.path
      guard resolved.hasPrefix(root.hasSuffix("/") ? root : root + "/") else {
        throw ModelError("tensor '\(tensor.name)' keeps its data in '\(location)', which leads outside the model's folder")
      }
      guard let data = FileManager.default.contents(atPath: url.path) else {
        throw ModelError("tensor '\(tensor.name)' keeps its data in '\(location)', which cannot be read (it must be beside the model)")
      }
      files[location] = data
    }
    let data = files[location]!
    func integer(_ key: String) throws -> Int? {
      guard let text = entries[key] else { return nil }
      guard let value = Int(text), value >= 0 else { throw ModelError("tensor '\(tensor.name)': external data \(key) '\(text)' is not a byte count") }
      return value
    }
    let offset = try integer("offset") ?? 0
    let length = try integer("length") ?? (data.count - min(offset, data.count))
    guard offset <= data.count, length <= data.count - offset else {
      throw ModelError("tensor '\(tensor.name)': bytes \(offset)..<\(offset + length) of '\(location)' are past its end (\(data.count) bytes)")
    }
    tensor.rawData = data.subdata(in: (data.startIndex + offset)..<(data.startIndex + offset + length))
    tensor.dataLocation = .default
    tensor.externalData = []
  }

  /// The model's identity: the SHA-256 of its file's bytes followed by those of every external
  /// data file it reads, in the order of their names (so a certificate changes when any weight
  /// does); for a model without external data, simply the file's SHA-256.
  func fingerprint(of model: Data) -> String {
    var bytes = model
    for location in files.keys.sorted() { bytes.append(files[location]!) }
    return SHA256Digest.hex(bytes)
  }
}
