//===--- Load.swift --------------------------------------------------------===//
//
// This source file is part of the ExplainCert project.
//
//===----------------------------------------------------------------------===//

extension NumericArray {
  /// Reads an array, choosing the format by the file's extension
  /// (case-insensitive): `.npy` (`readNPY`), `.csv` (`readCSV`) or
  /// `.json` (`readJSON`).
  public static func load(path: String) throws(DataIOError) -> NumericArray {
    let name = displayName(ofPath: path)
    let fileExtension = name.lastIndex(of: ".").map { name[name.index(after: $0)...].lowercased() }
    switch fileExtension {
    case "npy": return try readNPY(path: path)
    case "csv": return try readCSV(path: path)
    case "json": return try readJSON(path: path)
    default:
      let found = fileExtension.map { "unknown file extension '.\($0)'" } ?? "no file extension"
      throw DataIOError(
        file: path, kind: .unknownFormat, message: "\(found) (expected .npy, .csv or .json)")
    }
  }
}
