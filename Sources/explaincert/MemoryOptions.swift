import ArgumentParser
import Certification
import Foundation

/// `--memory-limit`, shared by the commands that certify: the most memory one certificate may
/// take before the command refuses it (one line naming the sizes), instead of failing to allocate.
struct MemoryOptions: ParsableArguments {
  @Option(help: ArgumentHelp("Most memory one certificate may take, e.g. 4G or 512M (default: half the physical memory).", valueName: "size"))
  var memoryLimit: ByteCount?

  /// Applies the limit to the certifier.
  func apply() {
    if let memoryLimit { Certifier.memoryLimit = memoryLimit.bytes }
  }
}

/// A number of bytes, written with an optional K, M, G or T suffix (powers of 1024).
struct ByteCount: ExpressibleByArgument {
  let bytes: Int

  init?(argument: String) {
    let text = argument.uppercased().replacingOccurrences(of: "IB", with: "").replacingOccurrences(of: "B", with: "")
    let units: [Character: Double] = ["K": 0x1p10, "M": 0x1p20, "G": 0x1p30, "T": 0x1p40]
    let (digits, scale) = text.last.flatMap { units[$0] }.map { (String(text.dropLast()), $0) } ?? (text, 1)
    guard let value = Double(digits), value.isFinite, value > 0, value * scale < 9e18 else { return nil }
    bytes = Int(value * scale)
  }
}
