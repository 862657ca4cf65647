import Foundation

/// Colours and inline SVG pictures of relevance: pixel heatmaps over the input, token
/// highlighting, signed bar charts and legends. Every picture is self-contained SVG text (no
/// scripts, no external references), scaled per explanation to its largest |relevance|.
public enum Graphics {
  /// An RGB colour.
  public struct Colour: Equatable, Sendable {
    public var r: Double, g: Double, b: Double
    public init(_ r: Double, _ g: Double, _ b: Double) {
      self.r = r
      self.g = g
      self.b = b
    }

    public var hex: String {
      func byte(_ v: Double) -> String {
        let value = Int((min(max(v, 0), 1) * 255).rounded())
        return String(format: "%02x", value)
      }
      return "#" + byte(r) + byte(g) + byte(b)
    }

    func mixed(with other: Colour, _ t: Double) -> Colour {
      Colour(r + (other.r - r) * t, g + (other.g - g) * t, b + (other.b - b) * t)
    }

    /// Relative luminance, to choose a readable text colour on this background.
    var luminance: Double { 0.2126 * r + 0.7152 * g + 0.0722 * b }
  }

  /// ColorBrewer's RdBu diverging scheme (blue negative, near-white zero, red positive).
  static let stops: [Colour] = [
    Colour(0.020, 0.188, 0.380), Colour(0.129, 0.400, 0.675), Colour(0.263, 0.576, 0.765), Colour(0.573, 0.773, 0.871),
    Colour(0.820, 0.898, 0.941), Colour(0.969, 0.969, 0.969), Colour(0.992, 0.859, 0.780), Colour(0.957, 0.647, 0.510),
    Colour(0.839, 0.376, 0.302), Colour(0.698, 0.094, 0.169), Colour(0.404, 0.000, 0.122),
  ]

  /// The diverging colour of `t` in [−1, 1] (clamped): blue below zero, red above.
  public static func diverging(_ t: Double) -> Colour {
    let u = (min(max(t.isFinite ? t : 0, -1), 1) + 1) / 2 * Double(stops.count - 1)
    let i = min(Int(u), stops.count - 2)
    return stops[i].mixed(with: stops[i + 1], u - Double(i))
  }

  /// The largest |value| (1 when all are zero, so scales never divide by zero).
  public static func scale(_ values: [Double]) -> Double {
    let m = values.filter(\.isFinite).map(abs).max() ?? 0
    return m > 0 ? m : 1
  }

  /// Short number text: 3 significant digits, no trailing zeros, `−` for minus.
  public static func number(_ value: Double, digits: Int = 3) -> String {
    guard value.isFinite else { return value.isNaN ? "NaN" : (value > 0 ? "∞" : "−∞") }
    if value == 0 { return "0" }
    var text = String(format: "%.\(digits)g", value)
    if text.contains("e") {
      let parts = text.split(separator: "e")
      let exponent = Int(parts[1]) ?? 0
      text = "\(parts[0])×10" + String(exponent).map { superscript[$0] ?? $0 }.map(String.init).joined()
    }
    return text.replacingOccurrences(of: "-", with: "−")
  }

  static let superscript: [Character: Character] = [
    "0": "⁰", "1": "¹", "2": "²", "3": "³", "4": "⁴", "5": "⁵", "6": "⁶", "7": "⁷", "8": "⁸", "9": "⁹", "-": "⁻",
  ]

  /// The input image alone (dark = high values), `height` × `width` from the first channel (or
  /// the mean over channels).
  public static func image(_ values: [Double], height: Int, width: Int, channels: Int, label: String) -> String {
    let plane = Self.plane(values, height: height, width: width, channels: channels)
    let (lo, hi) = (plane.min() ?? 0, plane.max() ?? 1)
    let cell = cellSize(width: width, height: height)
    var svg = svgOpen(width: cell * width, height: cell * height, label: label, classes: "input-image")
    for y in 0..<height {
      for x in 0..<width {
        let g = ink(plane[y * width + x], lo: lo, hi: hi)
        svg += rect(x * cell, y * cell, cell, cell, Colour(g, g, g).hex)
      }
    }
    return svg + "</svg>"
  }

  /// The relevance heatmap over the input image: each pixel is the input's grey blended with the
  /// diverging colour of its relevance (summed over channels), opaque in proportion to
  /// |relevance| / `scale`.
  public static func heatmap(_ values: [Double], relevance: [Double], height: Int, width: Int, channels: Int, scale: Double, label: String) -> String {
    let plane = Self.plane(values, height: height, width: width, channels: channels)
    let heat = Self.plane(relevance, height: height, width: width, channels: channels, sum: true)
    let (lo, hi) = (plane.min() ?? 0, plane.max() ?? 1)
    let cell = cellSize(width: width, height: height)
    var svg = svgOpen(width: cell * width, height: cell * height, label: label, classes: "heatmap")
    for y in 0..<height {
      for x in 0..<width {
        let g = 0.55 + 0.45 * ink(plane[y * width + x], lo: lo, hi: hi)
        let t = heat[y * width + x] / scale
        let colour = Colour(g, g, g).mixed(with: diverging(t), min(1, 0.2 + 0.8 * abs(t)) * (t == 0 ? 0 : 1))
        svg += rect(x * cell, y * cell, cell, cell, colour.hex)
      }
    }
    // A faint grid on small images, so single pixels read as pixels.
    if width <= 16 && height <= 16 {
      var path = ""
      for x in 1..<width { path += "M\(x * cell) 0V\(height * cell)" }
      for y in 1..<height { path += "M0 \(y * cell)H\(width * cell)" }
      svg += "<path d=\"\(path)\" stroke=\"#ffffff\" stroke-opacity=\"0.35\" stroke-width=\"1\"/>"
    }
    return svg + "</svg>"
  }

  /// A horizontal colour bar from −scale to +scale with its end labels.
  public static func legend(scale: Double, width: Int = 192) -> String {
    let steps = 24
    let w = Double(width) / Double(steps)
    var svg = "<svg class=\"legend\" xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"30\" viewBox=\"0 0 \(width) 30\" role=\"img\" aria-label=\"colour scale from \(HTMLText.escaped(number(-scale))) to \(HTMLText.escaped(number(scale)))\">"
    for i in 0..<steps {
      let t = -1 + 2 * (Double(i) + 0.5) / Double(steps)
      svg += "<rect x=\"\(String(format: "%.2f", Double(i) * w))\" y=\"0\" width=\"\(String(format: "%.2f", w + 0.3))\" height=\"10\" fill=\"\(diverging(t).hex)\"/>"
    }
    svg += "<text x=\"0\" y=\"24\" font-size=\"10\" fill=\"#57606a\">\(HTMLText.escaped(number(-scale)))</text>"
    svg += "<text x=\"\(width / 2)\" y=\"24\" font-size=\"10\" fill=\"#57606a\" text-anchor=\"middle\">0</text>"
    svg += "<text x=\"\(width)\" y=\"24\" font-size=\"10\" fill=\"#57606a\" text-anchor=\"end\">\(HTMLText.escaped(number(scale)))</text>"
    return svg + "</svg>"
  }

  /// Tokens highlighted by relevance (seed 000 bolds the words that matter): background from the
  /// diverging scale, bold for the top-k by |relevance|, the value in the tooltip.
  public static func tokens(_ tokens: [String], relevance: [Double], scale: Double, top: Set<Int>) -> String {
    var html = "<p class=\"tokens\">"
    for (i, token) in tokens.enumerated() {
      let r = i < relevance.count ? relevance[i] : 0
      let colour = diverging(r / scale)
      let text = colour.luminance < 0.45 ? "#ffffff" : "#1f2328"
      let weight = top.contains(i) ? " top" : ""
      html += "<span class=\"token\(weight)\" style=\"background:\(colour.hex);color:\(text)\" title=\"\(HTMLText.escaped(token)): \(HTMLText.escaped(number(r, digits: 4)))\">\(HTMLText.escaped(token))</span> "
    }
    return html + "</p>"
  }

  /// A signed horizontal bar chart of `rows` (name, value), bars scaled to `scale`.
  public static func bars(_ rows: [(name: String, value: Double)], scale: Double, label: String) -> String {
    let rowHeight = 20, nameWidth = 96, barWidth = 200, valueWidth = 64
    let width = nameWidth + barWidth + valueWidth
    let height = max(1, rows.count) * rowHeight + 4
    var svg = svgOpen(width: width, height: height, label: label, classes: "bars", crisp: false)
    let mid = Double(nameWidth) + Double(barWidth) / 2
    svg += "<line x1=\"\(String(format: "%.1f", mid))\" y1=\"0\" x2=\"\(String(format: "%.1f", mid))\" y2=\"\(height)\" stroke=\"#8c959f\" stroke-width=\"1\"/>"
    for (i, row) in rows.enumerated() {
      let y = i * rowHeight + 2
      let length = Double(barWidth) / 2 * min(1, abs(row.value) / scale)
      let x = row.value >= 0 ? mid : mid - length
      let colour = diverging(row.value >= 0 ? 0.75 : -0.75).hex
      svg += "<text x=\"\(nameWidth - 6)\" y=\"\(y + 13)\" font-size=\"11\" text-anchor=\"end\" fill=\"#1f2328\">\(HTMLText.escaped(String(row.name.prefix(14))))</text>"
      svg += "<rect x=\"\(String(format: "%.1f", x))\" y=\"\(y + 3)\" width=\"\(String(format: "%.1f", max(length, 0.5)))\" height=\"\(rowHeight - 8)\" rx=\"2\" fill=\"\(colour)\"><title>\(HTMLText.escaped(row.name)): \(HTMLText.escaped(number(row.value, digits: 6)))</title></rect>"
      svg += "<text x=\"\(width - 2)\" y=\"\(y + 13)\" font-size=\"11\" text-anchor=\"end\" fill=\"#57606a\">\(HTMLText.escaped(number(row.value)))</text>"
    }
    return svg + "</svg>"
  }

  // MARK: Helpers

  public static func cellSize(width: Int, height: Int) -> Int { max(4, 192 / max(width, height, 1)) }

  /// 1 for the lowest value (paper), 0.1 for the highest (ink).
  static func ink(_ v: Double, lo: Double, hi: Double) -> Double {
    hi > lo ? 1 - 0.9 * (v - lo) / (hi - lo) : 1
  }

  /// One `height × width` plane of a channel-first image: the first channel's values, or the sum
  /// over channels (relevance).
  static func plane(_ values: [Double], height: Int, width: Int, channels: Int, sum: Bool = false) -> [Double] {
    let size = height * width
    guard values.count >= size else { return values + [Double](repeating: 0, count: size - values.count) }
    if channels <= 1 || !sum {
      if channels > 1 {
        return (0..<size).map { i in (0..<channels).map { values[$0 * size + i] }.reduce(0, +) / Double(channels) }
      }
      return Array(values.prefix(size))
    }
    var total = [Double](repeating: 0, count: size)
    for channel in 0..<channels {
      for i in 0..<size where channel * size + i < values.count { total[i] += values[channel * size + i] }
    }
    return total
  }

  static func svgOpen(width: Int, height: Int, label: String, classes: String, crisp: Bool = true) -> String {
    "<svg class=\"\(classes)\" xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\"\(crisp ? " shape-rendering=\"crispEdges\"" : "") role=\"img\" aria-label=\"\(HTMLText.escaped(label))\">"
  }

  static func rect(_ x: Int, _ y: Int, _ w: Int, _ h: Int, _ fill: String) -> String {
    "<rect x=\"\(x)\" y=\"\(y)\" width=\"\(w)\" height=\"\(h)\" fill=\"\(fill)\"/>"
  }
}
