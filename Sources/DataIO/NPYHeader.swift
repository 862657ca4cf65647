//===--- NPYHeader.swift ---------------------------------------------------===//
//
// This source file is part of the ExplainCert project.
//
//===----------------------------------------------------------------------===//

/// The element types this module reads from `.npy` files.
enum NPYDType: Equatable {
  case float32   // '<f4'
  case float64   // '<f8'
  case int64     // '<i8'
  case int32     // '<i4', widened to int64
  case uint8     // '|u1', converted to float32

  /// The dtype strings accepted, for messages.
  static let supportedList = "'<f4', '<f8', '<i8', '<i4', '|u1'"

  /// Bytes per element in the file.
  var itemSize: Int {
    switch self {
    case .float32, .int32: 4
    case .float64, .int64: 8
    case .uint8: 1
    }
  }

  /// Resolves a `descr` string, or explains why it is not supported.
  static func resolve(_ descr: String) throws(NPYHeaderError) -> NPYDType {
    var code = Substring(descr)
    var byteOrder: Character = "|"
    if let first = code.first, "<>|=!".contains(first) {
      byteOrder = first
      code = code.dropFirst()
    }
    let dtype: NPYDType? = switch code {
    case "f4": .float32
    case "f8": .float64
    case "i8": .int64
    case "i4": .int32
    case "u1": .uint8
    default: nil
    }
    guard let dtype else {
      throw .unsupported("unsupported dtype \(quoteSnippet(descr)) (supported: \(supportedList))")
    }
    switch byteOrder {
    case "<": return dtype
    case "|" where dtype.itemSize == 1: return dtype
    case "=" where dtype.itemSize == 1: return dtype
    case ">", "!":
      if dtype.itemSize == 1 { return dtype }
      throw .unsupported(
        "big-endian dtype \(quoteSnippet(descr)) is not supported "
          + "(re-save with arr.astype('<\(code)'))")
    default:
      throw .unsupported(
        "dtype \(quoteSnippet(descr)) has no explicit byte order (expected '<\(code)')")
    }
  }
}

/// A problem with a `.npy` header; converted to a `DataIOError` by the reader.
enum NPYHeaderError: Error {
  case malformed(String)
  case unsupported(String)
}

/// The dictionary stored in a `.npy` header.
struct NPYHeader: Equatable {
  var descr: String
  var fortranOrder: Bool
  var shape: [Int]

  /// Parses and validates the header dictionary text.
  static func parse(_ text: String) throws(NPYHeaderError) -> NPYHeader {
    let literal: PythonLiteral
    do {
      literal = try PythonLiteral.parse(text)
    } catch {
      throw .malformed("malformed .npy header: \(error.message)")
    }
    guard case .dict(let entries) = literal else {
      throw .malformed("malformed .npy header: expected a dict, found \(literal.kindDescription)")
    }
    for entry in entries where !["descr", "fortran_order", "shape"].contains(entry.key) {
      throw .malformed("malformed .npy header: unexpected key \(quoteSnippet(entry.key))")
    }
    func value(_ key: String) throws(NPYHeaderError) -> PythonLiteral {
      guard let entry = entries.first(where: { $0.key == key }) else {
        throw .malformed("malformed .npy header: missing '\(key)'")
      }
      return entry.value
    }

    let descr: String
    switch try value("descr") {
    case .string(let string): descr = string
    case .list:
      throw .unsupported("structured dtypes are not supported (supported: \(NPYDType.supportedList))")
    case let other:
      throw .malformed("malformed .npy header: 'descr' must be a string, found \(other.kindDescription)")
    }

    guard case .bool(let fortranOrder) = try value("fortran_order") else {
      throw .malformed("malformed .npy header: 'fortran_order' must be True or False")
    }

    guard case .tuple(let dimensions) = try value("shape") else {
      throw .malformed("malformed .npy header: 'shape' must be a tuple of non-negative integers")
    }
    var shape: [Int] = []
    for dimension in dimensions {
      guard case .integer(let extent) = dimension, extent >= 0 else {
        throw .malformed("malformed .npy header: 'shape' must be a tuple of non-negative integers")
      }
      shape.append(extent)
    }
    return NPYHeader(descr: descr, fortranOrder: fortranOrder, shape: shape)
  }

  /// The dictionary text exactly as NumPy writes it, including the spare
  /// spaces NumPy leaves for growing the first axis in place (but not the
  /// alignment padding or the final newline).
  var text: String {
    var text = "{'descr': '\(descr)', 'fortran_order': \(fortranOrder ? "True" : "False"), "
    text += "'shape': \(pythonTupleDescription(shape)), }"
    // numpy.lib.format.GROWTH_AXIS_MAX_DIGITS
    if let growthAxis = fortranOrder ? shape.last : shape.first {
      text += String(repeating: " ", count: max(0, 21 - String(growthAxis).count))
    }
    return text
  }
}

/// A shape as Python prints the tuple: `()`, `(5,)`, `(2, 3)`.
func pythonTupleDescription(_ shape: [Int]) -> String {
  shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
}
