import Foundation

/// Runs the built `explaincert` binary and captures what it prints.
struct CommandLineRun {
  var status: Int32
  var standardOutput: String
  var standardError: String

  static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

  /// The binary SwiftPM built beside this test bundle.
  static var binary: String {
    var candidates: [String] = []
    if let executable = Bundle.main.executableURL {
      var folder = executable.deletingLastPathComponent()
      for _ in 0..<4 {
        candidates.append(folder.appendingPathComponent("explaincert").path)
        folder = folder.deletingLastPathComponent()
      }
    }
    candidates.append(repository + "/.build/debug/explaincert")
    return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates.last!
  }

  init(_ arguments: [String], in directory: String = repository) throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: Self.binary)
    process.arguments = arguments
    process.currentDirectoryURL = URL(fileURLWithPath: directory)
    var environment = ProcessInfo.processInfo.environment
    environment["NO_COLOR"] = "1"
    process.environment = environment
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    status = process.terminationStatus
    standardOutput = String(decoding: outData, as: UTF8.self)
    standardError = String(decoding: errData, as: UTF8.self)
  }

  /// The lines printed on standard error.
  var errorLines: [Substring] { standardError.split(separator: "\n") }
}

/// A scratch folder removed when the test ends.
final class ScratchFolder {
  let path: String
  init() throws {
    path = NSTemporaryDirectory() + "explaincert-test-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  }
  deinit { try? FileManager.default.removeItem(atPath: path) }

  func write(_ name: String, _ bytes: Data) throws -> String {
    let file = path + "/" + name
    try bytes.write(to: URL(fileURLWithPath: file))
    return file
  }
}
