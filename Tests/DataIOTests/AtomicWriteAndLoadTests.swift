import Foundation
import Testing

@testable import DataIO

enum FileIOTestHelpers {
  /// Creates a directory containing one file, so nothing can be renamed over it.
  static func makeNonEmptyDirectory(at path: String) throws {
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
    _ = FileManager.default.createFile(atPath: path + "/keep", contents: Data())
  }

  /// Runs `body` with the process's working directory set to `directory`.
  /// Only one test uses relative paths, so changing it is safe.
  static func inDirectory(_ directory: String, _ body: () throws -> Void) throws {
    let previous = FileManager.default.currentDirectoryPath
    guard FileManager.default.changeCurrentDirectoryPath(directory) else {
      Issue.record("cannot change directory to \(directory)")
      return
    }
    defer { _ = FileManager.default.changeCurrentDirectoryPath(previous) }
    try body()
  }
}

@Suite struct AtomicWriteAndLoadTests {
  let array = NumericArray(shape: [2], elements: .float64([1, 2]))

  @Test func writeLeavesOnlyTheTargetFile() throws {
    try withTemporaryDirectory { directory in
      try array.writeNPY(path: directory + "/out.npy")
      try array.writeJSON(path: directory + "/out.json")
      #expect(try directoryListing(directory) == ["out.json", "out.npy"])
    }
  }

  @Test func overwriteReplacesTheFileAtomically() throws {
    try withTemporaryDirectory { directory in
      let path = directory + "/out.npy"
      try array.writeNPY(path: path)
      let replacement = NumericArray(shape: [3, 1], elements: .int64([7, 8, 9]))
      try replacement.writeNPY(path: path)
      #expect(try NumericArray.readNPY(path: path) == replacement)
      #expect(try directoryListing(directory) == ["out.npy"])
    }
  }

  @Test func failedWriteLeavesNothingAndKeepsTheOldFile() throws {
    try withTemporaryDirectory { directory in
      expectDataIOError(.io, containing: "cannot create a temporary file", file: "out.npy") {
        try array.writeNPY(path: directory + "/missing/out.npy")
      }
      let path = directory + "/out.npy"
      try array.writeNPY(path: path)
      let inconsistent = NumericArray(shape: [5], elements: .float64([1]))
      expectDataIOError(.invalidArray, containing: "needs 5 elements", file: "out.npy") {
        try inconsistent.writeNPY(path: path)
      }
      #expect(try NumericArray.readNPY(path: path) == array)
      #expect(try directoryListing(directory) == ["out.npy"])
    }
  }

  @Test func renameFailureRemovesTheTemporaryFile() throws {
    try withTemporaryDirectory { directory in
      let target = directory + "/target.npy"
      try FileIOTestHelpers.makeNonEmptyDirectory(at: target)
      expectDataIOError(.io, containing: "cannot rename", file: "target.npy") {
        try array.writeNPY(path: target)
      }
      #expect(try directoryListing(directory) == ["target.npy"])
    }
  }

  @Test func relativePathsWork() throws {
    try withTemporaryDirectory { directory in
      try FileIOTestHelpers.inDirectory(directory) {
        try array.writeNPY(path: "rel.npy")
        #expect(try NumericArray.load(path: "rel.npy") == array)
      }
      #expect(try directoryListing(directory) == ["rel.npy"])
    }
  }

  @Test func loadRejectsUnknownExtensions() {
    expectDataIOError(.unknownFormat, containing: "unknown file extension '.txt' (expected .npy, .csv or .json)", file: "a.txt") {
      _ = try NumericArray.load(path: "/somewhere/a.txt")
    }
    expectDataIOError(.unknownFormat, containing: "no file extension", file: "README") {
      _ = try NumericArray.load(path: "dir.d/README")
    }
  }

  @Test func loadIsCaseInsensitiveAndReportsMissingFiles() throws {
    try withTemporaryDirectory { directory in
      try array.writeNPY(path: directory + "/UPPER.NPY")
      #expect(try NumericArray.load(path: directory + "/UPPER.NPY") == array)
      expectDataIOError(.io, containing: "cannot open for reading", file: "gone.json") {
        _ = try NumericArray.load(path: directory + "/gone.json")
      }
    }
  }
}
