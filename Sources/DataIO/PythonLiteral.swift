//===--- PythonLiteral.swift -----------------------------------------------===//
//
// This source file is part of the ExplainCert project.
//
//===----------------------------------------------------------------------===//

/// The subset of Python literals that appears in `.npy` headers, parsed
/// without evaluating anything.
enum PythonLiteral {
  case string(String)
  case integer(Int)
  case bool(Bool)
  case none
  case tuple([PythonLiteral])
  case list([PythonLiteral])
  /// Keys in source order; keys must be strings.
  case dict([(key: String, value: PythonLiteral)])

  /// A short noun for messages: "a string", "a tuple", ...
  var kindDescription: String {
    switch self {
    case .string: "a string"
    case .integer: "an integer"
    case .bool: "a boolean"
    case .none: "None"
    case .tuple: "a tuple"
    case .list: "a list"
    case .dict: "a dict"
    }
  }

  /// Parses `text`, which must hold exactly one literal (surrounding
  /// whitespace allowed).
  static func parse(_ text: String) throws(PythonLiteralError) -> PythonLiteral {
    var parser = PythonLiteralParser(scalars: Array(text.unicodeScalars))
    let value = try parser.parseValue(depth: 0)
    parser.skipWhitespace()
    if parser.position < parser.scalars.count {
      throw parser.error("unexpected \(parser.describeCurrent()) after the literal")
    }
    return value
  }
}

/// Why a Python literal could not be parsed; `message` is one line.
struct PythonLiteralError: Error {
  var message: String
}

private struct PythonLiteralParser {
  /// Nesting deeper than this is rejected, which bounds recursion.
  static let maximumDepth = 32

  let scalars: [Unicode.Scalar]
  var position = 0

  init(scalars: [Unicode.Scalar]) { self.scalars = scalars }

  func error(_ message: String) -> PythonLiteralError {
    PythonLiteralError(message: "\(message) at offset \(position)")
  }

  func describeCurrent() -> String {
    position < scalars.count ? "character \(quoteSnippet(String(scalars[position])))" : "end of header"
  }

  mutating func skipWhitespace() {
    while position < scalars.count, [" ", "\t", "\n", "\r", "\u{0C}"].contains(scalars[position]) {
      position += 1
    }
  }

  mutating func parseValue(depth: Int) throws(PythonLiteralError) -> PythonLiteral {
    guard depth < Self.maximumDepth else { throw error("literal nested too deeply") }
    skipWhitespace()
    guard position < scalars.count else { throw error("unexpected end of header") }
    switch scalars[position] {
    case "{": return try parseDict(depth: depth)
    case "(": return try parseTuple(depth: depth)
    case "[":
      return .list(try parseSequence(closing: "]", depth: depth).elements)
    case "'", "\"": return .string(try parseString())
    case "-", "+", "0"..."9": return .integer(try parseInteger())
    default:
      let word = parseWord()
      switch word {
      case "True": return .bool(true)
      case "False": return .bool(false)
      case "None": return .none
      case "": throw error("unexpected \(describeCurrent())")
      default: throw error("unexpected name \(quoteSnippet(word))")
      }
    }
  }

  mutating func parseWord() -> String {
    var word = ""
    while position < scalars.count,
          scalars[position].properties.isAlphabetic || scalars[position] == "_" {
      word.unicodeScalars.append(scalars[position])
      position += 1
    }
    return word
  }

  mutating func parseInteger() throws(PythonLiteralError) -> Int {
    var negative = false
    if scalars[position] == "-" || scalars[position] == "+" {
      negative = scalars[position] == "-"
      position += 1
      skipWhitespace()
    }
    var value = 0
    var digits = 0
    while position < scalars.count, ("0"..."9").contains(scalars[position]) {
      let digit = Int(scalars[position].value - Unicode.Scalar("0").value)
      let (shifted, overflow1) = value.multipliedReportingOverflow(by: 10)
      let (next, overflow2) = negative
        ? shifted.subtractingReportingOverflow(digit) : shifted.addingReportingOverflow(digit)
      guard !overflow1, !overflow2 else { throw error("integer too large") }
      value = next
      digits += 1
      position += 1
    }
    guard digits > 0 else { throw error("expected digits") }
    // Python 2 wrote long integers with an `L` suffix, e.g. `(3L, 4L)`.
    if position < scalars.count, scalars[position] == "L" || scalars[position] == "l" {
      position += 1
    }
    return value
  }

  mutating func parseString() throws(PythonLiteralError) -> String {
    let quote = scalars[position]
    position += 1
    var result = ""
    while position < scalars.count {
      let scalar = scalars[position]
      position += 1
      if scalar == quote { return result }
      if scalar == "\n" { break }
      if scalar == "\\" {
        guard position < scalars.count else { break }
        let escaped = scalars[position]
        position += 1
        switch escaped {
        case "n": result += "\n"
        case "t": result += "\t"
        case "r": result += "\r"
        case "0": result += "\0"
        case "\\", "'", "\"": result.unicodeScalars.append(escaped)
        default:
          result += "\\"
          result.unicodeScalars.append(escaped)
        }
      } else {
        result.unicodeScalars.append(scalar)
      }
    }
    throw error("unterminated string")
  }

  /// Parses `(`...`)`: a tuple if it is empty or contains a comma, otherwise
  /// (as in Python) just the parenthesised value.
  mutating func parseTuple(depth: Int) throws(PythonLiteralError) -> PythonLiteral {
    let (elements, sawComma) = try parseSequence(closing: ")", depth: depth)
    if elements.count == 1, !sawComma, let only = elements.first { return only }
    return .tuple(elements)
  }

  /// Parses comma-separated values from the opening bracket at `position`
  /// through `closing`, allowing a trailing comma.
  mutating func parseSequence(
    closing: Unicode.Scalar, depth: Int
  ) throws(PythonLiteralError) -> (elements: [PythonLiteral], sawComma: Bool) {
    position += 1
    var elements: [PythonLiteral] = []
    var sawComma = false
    while true {
      skipWhitespace()
      guard position < scalars.count else { throw error("expected '\(closing)'") }
      if scalars[position] == closing {
        position += 1
        return (elements, sawComma)
      }
      elements.append(try parseValue(depth: depth + 1))
      skipWhitespace()
      guard position < scalars.count else { throw error("expected '\(closing)'") }
      if scalars[position] == "," {
        sawComma = true
        position += 1
      } else if scalars[position] != closing {
        throw error("expected ',' or '\(closing)' but found \(describeCurrent())")
      }
    }
  }

  mutating func parseDict(depth: Int) throws(PythonLiteralError) -> PythonLiteral {
    position += 1
    var entries: [(key: String, value: PythonLiteral)] = []
    while true {
      skipWhitespace()
      guard position < scalars.count else { throw error("expected '}'") }
      if scalars[position] == "}" {
        position += 1
        return .dict(entries)
      }
      guard scalars[position] == "'" || scalars[position] == "\"" else {
        throw error("expected a string key but found \(describeCurrent())")
      }
      let key = try parseString()
      skipWhitespace()
      guard position < scalars.count, scalars[position] == ":" else {
        throw error("expected ':' after key \(quoteSnippet(key))")
      }
      position += 1
      let value = try parseValue(depth: depth + 1)
      if entries.contains(where: { $0.key == key }) {
        throw error("duplicate key \(quoteSnippet(key))")
      }
      entries.append((key, value))
      skipWhitespace()
      guard position < scalars.count else { throw error("expected '}'") }
      if scalars[position] == "," {
        position += 1
      } else if scalars[position] != "}" {
        throw error("expected ',' or '}' but found \(describeCurrent())")
      }
    }
  }
}
