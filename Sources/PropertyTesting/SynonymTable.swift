import Certification
import DataIO
import Explainers
import Foundation
import Inference
import Model

/// Synonyms for token models: `word<TAB>syn1,syn2,...` per line, with the vocabulary (one token
/// per line, id = line number) that maps words to the model's token ids.
public struct SynonymTable: Sendable {
  /// For each token id, the ids of its synonyms (in the table's order).
  public let synonyms: [Int: [Int]]
  public let words: [String]

  /// Reads the table and the vocabulary; errors name the file and line.
  public init(synonymsPath: String, vocabularyPath: String) throws {
    guard let vocabulary = try? String(contentsOfFile: vocabularyPath, encoding: .utf8) else {
      throw SuiteError(message: "\(vocabularyPath): cannot read the vocabulary")
    }
    words = vocabulary.split(separator: "\n", omittingEmptySubsequences: false).map { String($0) }
      .reversed().drop { $0.isEmpty }.reversed()
    var ids: [String: Int] = [:]
    for (id, word) in words.enumerated() where ids[word] == nil { ids[word] = id }
    guard let text = try? String(contentsOfFile: synonymsPath, encoding: .utf8) else {
      throw SuiteError(message: "\(synonymsPath): cannot read the synonym table")
    }
    var table: [Int: [Int]] = [:]
    for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() where !line.isEmpty {
      let parts = line.split(separator: "\t", omittingEmptySubsequences: false)
      guard parts.count == 2 else {
        throw SuiteError(message: "\(synonymsPath):\(number + 1): expected `word<TAB>syn1,syn2,...`")
      }
      guard let id = ids[String(parts[0])] else {
        throw SuiteError(message: "\(synonymsPath):\(number + 1): '\(parts[0])' is not in the vocabulary \(vocabularyPath)")
      }
      var list: [Int] = []
      for synonym in parts[1].split(separator: ",") {
        guard let s = ids[String(synonym)] else {
          throw SuiteError(message: "\(synonymsPath):\(number + 1): synonym '\(synonym)' is not in the vocabulary \(vocabularyPath)")
        }
        list.append(s)
      }
      table[id] = list
    }
    synonyms = table
  }

  /// Replaces up to `changes` tokens that have synonyms by a random synonym each.
  public func substitute(_ tokens: [Int], changes: Int, random: inout SeededGenerator) -> [Int] {
    let positions = tokens.indices.filter { synonyms[tokens[$0]] != nil }
    guard !positions.isEmpty else { return tokens }
    var result = tokens
    let count = 1 + random.integer(below: max(1, min(changes, positions.count)))
    for p in random.sample(count, from: positions.count).map({ positions[$0] }) {
      let options = synonyms[tokens[p]]!
      result[p] = options[random.integer(below: options.count)]
    }
    return result
  }

  /// The body input (embedding vectors) of a token sequence.
  public func bodyInput(_ tokens: [Int], network: Network, clipTo domain: InputDomain?) throws -> [Double] {
    guard let embedding = network.embedding else { throw SuiteError(message: "the model does not read token ids") }
    var values: [Double] = []
    for id in tokens {
      guard id >= 0, id < embedding.vocabularySize else {
        throw SuiteError(message: "token id \(id) is outside the model's vocabulary of \(embedding.vocabularySize)")
      }
      values += embedding.table.values[(id * embedding.width)..<((id + 1) * embedding.width)]
    }
    if let domain { values = values.indices.map { i in min(max(values[i], domain.range(of: i).lowerBound), domain.range(of: i).upperBound) } }
    return values
  }
}

/// A problem with a suite or its files: one line naming the file, line and key.
public struct SuiteError: Error, CustomStringConvertible, Sendable {
  public var message: String
  public init(message: String) { self.message = message }
  public var description: String { message }
}
