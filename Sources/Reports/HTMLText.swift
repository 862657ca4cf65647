/// Text made safe to place inside HTML elements and attribute values.
public enum HTMLText {
  /// `text` with `&`, `<`, `>`, `"` and `'` replaced by character references.
  public static func escaped(_ text: String) -> String {
    var result = ""
    result.reserveCapacity(text.count)
    for character in text {
      switch character {
      case "&": result += "&amp;"
      case "<": result += "&lt;"
      case ">": result += "&gt;"
      case "\"": result += "&quot;"
      case "'": result += "&#39;"
      default: result.append(character)
      }
    }
    return result
  }
}
