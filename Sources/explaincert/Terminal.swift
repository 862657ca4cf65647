import Dispatch
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// What the terminal can show: a progress bar only when both standard output and standard error
/// are terminals, colours only then and never with `NO_COLOR` (https://no-color.org: any
/// non-empty value).
enum Terminal {
  static var isInteractive: Bool { isatty(STDERR_FILENO) == 1 && isatty(STDOUT_FILENO) == 1 }

  static var colours: Bool {
    isInteractive && (ProcessInfo.processInfo.environment["NO_COLOR"].map(\.isEmpty) ?? true)
  }

  enum Colour: String { case red = "31", green = "32", yellow = "33", bold = "1", dim = "2" }

  static func paint(_ text: String, _ colour: Colour) -> String {
    colours ? "\u{1B}[\(colour.rawValue)m\(text)\u{1B}[0m" : text
  }
}

/// Progress of long work. On a terminal: one redrawn line on standard error with a bar, the
/// count, the rate and the time left. Otherwise: one plain line per finished item on standard
/// output. With `quiet`: nothing. Safe to call from several threads.
final class Progress: @unchecked Sendable {
  let label: String
  private var total: Int
  let quiet: Bool
  let bar: Bool
  let unit: String
  private let start = Date()
  private var lastDraw = Date.distantPast
  private let lock = NSLock()

  /// `plainLines`: print a line per item when not on a terminal (false when the command prints
  /// its own line per item anyway).
  init(_ label: String, total: Int, unit: String = "items", quiet: Bool, plainLines: Bool = true, interactive: Bool = Terminal.isInteractive) {
    self.label = label
    self.total = total
    self.unit = unit
    bar = interactive && !quiet
    self.quiet = quiet || (!bar && !plainLines)
  }

  /// Records that `done` of `total` items are finished (`of`: the total, when it was not known
  /// at the start); `item` names the last one.
  func update(_ done: Int, of newTotal: Int? = nil, item: String) {
    guard !quiet else { return }
    lock.withLock {
      if let newTotal { total = newTotal }
      let elapsed = Date().timeIntervalSince(start)
      if bar {
        // Redraw at most ten times a second, and always at the end.
        guard done == total || Date().timeIntervalSince(lastDraw) >= 0.1 else { return }
        lastDraw = Date()
        FileHandle.standardError.write(Data("\r\u{1B}[2K\(Self.line(label: label, done: done, total: total, elapsed: elapsed, unit: unit, item: item))".utf8))
      } else {
        emit("\(label): \(done)/\(total)\(item.isEmpty ? "" : " " + item) (\(String(format: "%.2f", elapsed)) s)")
      }
    }
  }

  /// Clears the bar (the summary prints after it).
  func finish() {
    guard bar else { return }
    lock.withLock { FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8)) }
  }

  /// `label [#########---------] 12/40  3.1 items/s  ETA 0:09  item`.
  static func line(label: String, done: Int, total: Int, elapsed: Double, unit: String, item: String, width: Int = 24) -> String {
    let filled = total == 0 ? width : min(width, width * done / max(total, 1))
    let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
    let rate = elapsed > 0 ? Double(done) / elapsed : 0
    let eta = rate > 0 ? Double(total - done) / rate : .nan
    let shown = item.count > 40 ? "…" + item.suffix(39) : item
    return "\(label) \(bar) \(done)/\(total)  \(String(format: rate >= 10 ? "%.0f" : "%.2f", rate)) \(unit)/s  ETA \(clock(eta))  \(shown)"
  }

  /// `m:ss` (or `h:mm:ss`); `--:--` when unknown.
  static func clock(_ seconds: Double) -> String {
    guard seconds.isFinite, seconds >= 0 else { return "--:--" }
    let s = Int(seconds.rounded())
    return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
  }
}
