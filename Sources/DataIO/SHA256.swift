import Crypto

/// SHA-256 of files and text: models, inputs and certificates are named by the hash of their
/// bytes, so anyone can check them with `sha256sum`.
public enum SHA256Digest {
  /// The lowercase hexadecimal SHA-256 of `bytes`.
  public static func hex<Bytes: Collection>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
    SHA256.hash(data: Array(bytes)).map { byte in
      let digits = Array("0123456789abcdef")
      return String([digits[Int(byte >> 4)], digits[Int(byte & 15)]])
    }.joined()
  }

  /// The lowercase hexadecimal SHA-256 of the UTF-8 bytes of `text`.
  public static func hex(_ text: String) -> String { hex(Array(text.utf8)) }
}
