import Foundation

/// A VNN-LIB property (the format of the VNN-COMP verification benchmarks) as ExplainCert uses
/// it: the box its input constraints `(assert (<= X_i c))` / `(assert (>= X_i c))` define, and
/// the number of its output constraints (over `Y_j`), which are read and reported, not checked.
public struct VNNLIBProperty: Sendable {
  /// Per input coordinate X_0, X_1, …: its lower and upper bound.
  public var lower: [Double]
  public var upper: [Double]
  /// The top-level assertions that constrain the outputs.
  public var outputAssertions: Int

  /// Reads a VNN-LIB file. Errors name the file and the line.
  public static func load(path: String) throws -> VNNLIBProperty {
    guard let data = FileManager.default.contents(atPath: path) else { throw DataIOError(file: path, kind: .io, message: "cannot read the file") }
    guard let text = String(data: data, encoding: .utf8) else { throw DataIOError(file: path, kind: .malformed, message: "not UTF-8 text") }
    do {
      return try VNNLIBProperty(text)
    } catch let problem as Problem {
      throw DataIOError(file: path, kind: .malformed, message: problem.message)
    }
  }

  /// What is wrong with the text (the loader adds the file).
  struct Problem: Error {
    let message: String
    init(_ message: String) { self.message = message }
  }

  /// An S-expression: an atom or a list, with the line it starts on.
  indirect enum Expression {
    case atom(String, line: Int)
    case list([Expression], line: Int)

    var line: Int {
      switch self {
      case .atom(_, let line), .list(_, let line): return line
      }
    }

    /// The variables (X_i or Y_j names) the expression mentions.
    var atoms: [String] {
      switch self {
      case .atom(let a, _): return [a]
      case .list(let items, _): return items.flatMap(\.atoms)
      }
    }
  }

  init(_ text: String) throws {
    var inputs: [String: Int] = [:]
    var outputs = Set<String>()
    var bounds: [Int: (lower: Double?, upper: Double?)] = [:]
    var outputAssertions = 0
    /// One assertion: output constraints are counted; input constraints must be bounds, possibly
    /// inside a conjunction or a disjunction of one conjunction (VNN-COMP 2022's form).
    func assert(_ expression: Expression, line: Int) throws {
      let mentioned = expression.atoms
      guard mentioned.contains(where: { inputs[$0] != nil }) else {
        if mentioned.contains(where: outputs.contains) { outputAssertions += 1 }
        return
      }
      if case .list(let items, _) = expression, case .atom(let head, _)? = items.first, head == "and" || (head == "or" && items.count == 2) {
        for item in items.dropFirst() { try assert(item, line: line) }
        return
      }
      guard !mentioned.contains(where: outputs.contains) else {
        throw Problem("line \(line): an assertion relating inputs and outputs is not supported")
      }
      guard case .list(let comparison, _) = expression, comparison.count == 3, case .atom(let op, _) = comparison[0], op == "<=" || op == ">=",
            case .atom(let a, _) = comparison[1], case .atom(let b, _) = comparison[2] else {
        throw Problem("line \(line): input constraints must be bounds (<= X_i c) or (>= X_i c); disjunctions of boxes are not supported")
      }
      // (<= X c) and (>= c X) are upper bounds; (>= X c) and (<= c X) lower ones.
      let (variable, number, isUpper): (String, String, Bool) = inputs[a] != nil ? (a, b, op == "<=") : (b, a, op == ">=")
      guard let index = inputs[variable] else { throw Problem("line \(line): '\(variable)' is not a declared input") }
      guard let value = Double(number), value.isFinite else { throw Problem("line \(line): '\(number)' is not a finite number") }
      var bound = bounds[index] ?? (nil, nil)
      if isUpper { bound.upper = min(bound.upper ?? value, value) } else { bound.lower = max(bound.lower ?? value, value) }
      bounds[index] = bound
    }
    for form in try Self.parse(text) {
      guard case .list(let items, let line) = form, case .atom(let head, _)? = items.first else {
        throw Problem("line \(form.line): expected a command such as (declare-const …) or (assert …)")
      }
      switch head {
      case "declare-const":
        guard items.count == 3, case .atom(let name, _) = items[1], case .atom("Real", _) = items[2] else {
          throw Problem("line \(line): expected (declare-const NAME Real)")
        }
        if let index = Self.index(name, prefix: "X_") {
          inputs[name] = index
        } else if Self.index(name, prefix: "Y_") != nil {
          outputs.insert(name)
        } else {
          throw Problem("line \(line): variable '\(name)' is neither an input X_i nor an output Y_j")
        }
      case "assert":
        guard items.count == 2 else { throw Problem("line \(line): expected (assert EXPRESSION)") }
        try assert(items[1], line: line)
      default:
        throw Problem("line \(line): unsupported command '\(head)'")
      }
    }
    let count = inputs.count
    guard count > 0, Set(inputs.values) == Set(0..<count) else {
      throw Problem("the inputs must be declared as X_0 … X_\(max(count - 1, 0)), each once")
    }
    var lower: [Double] = [], upper: [Double] = []
    for i in 0..<count {
      guard let lo = bounds[i]?.lower, let hi = bounds[i]?.upper else {
        throw Problem("input X_\(i) needs a lower and an upper bound: the box must be bounded")
      }
      guard lo <= hi else { throw Problem("input X_\(i) has lower bound \(lo) above its upper bound \(hi): the box is empty") }
      lower.append(lo)
      upper.append(hi)
    }
    (self.lower, self.upper, self.outputAssertions) = (lower, upper, outputAssertions)
  }

  static func index(_ name: String, prefix: String) -> Int? {
    guard name.hasPrefix(prefix), let index = Int(name.dropFirst(prefix.count)), index >= 0 else { return nil }
    return index
  }

  /// The S-expressions of a text (`;` starts a comment).
  static func parse(_ text: String) throws -> [Expression] {
    var stack: [(items: [Expression], line: Int)] = []
    var forms: [Expression] = []
    var line = 1
    var atom = ""
    func flush() {
      guard !atom.isEmpty else { return }
      let expression = Expression.atom(atom, line: line)
      if stack.isEmpty { forms.append(expression) } else { stack[stack.count - 1].items.append(expression) }
      atom = ""
    }
    var comment = false
    for character in text {
      if character == "\n" { flush(); line += 1; comment = false; continue }
      if comment { continue }
      switch character {
      case ";": flush(); comment = true
      case "(": flush(); stack.append(([], line))
      case ")":
        flush()
        guard let (items, start) = stack.popLast() else { throw Problem("line \(line): unbalanced ')'") }
        let list = Expression.list(items, line: start)
        if stack.isEmpty { forms.append(list) } else { stack[stack.count - 1].items.append(list) }
      case " ", "\t", "\r": flush()
      default: atom.append(character)
      }
    }
    flush()
    guard stack.isEmpty else { throw Problem("line \(stack.last!.line): '(' is never closed") }
    return forms
  }
}
