//===--- NPYReading.swift --------------------------------------------------===//
//
// This source file is part of the ExplainCert project.
//
//===----------------------------------------------------------------------===//

/// The six bytes every `.npy` file starts with: `\x93NUMPY`.
let npyMagic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]

extension NumericArray {
  /// Reads a NumPy `.npy` file.
  ///
  /// Supports format versions 1.0, 2.0 and 3.0, C order, and the dtypes
  /// `'<f4'`, `'<f8'` and `'<i8'`; `'<i4'` is widened to `int64` and
  /// `'|u1'` (e.g. image pixels) is converted to `float32`. Anything else,
  /// and any inconsistency between the header and the file's length, is
  /// reported as a `DataIOError`.
  public static func readNPY(path: String) throws(DataIOError) -> NumericArray {
    let bytes = try FileIO.readAll(path: path)
    return try NumericArray(npyBytes: bytes, fileName: path)
  }

  /// Decodes the bytes of a `.npy` file; `fileName` is used in errors.
  ///
  /// See `readNPY(path:)` for what is supported.
  public init(npyBytes bytes: [UInt8], fileName: String = "<memory>") throws(DataIOError) {
    func malformed(_ message: String) -> DataIOError {
      DataIOError(file: fileName, kind: .malformed, message: message)
    }
    func unsupported(_ message: String) -> DataIOError {
      DataIOError(file: fileName, kind: .unsupported, message: message)
    }

    // Magic string and version.
    guard !bytes.isEmpty else { throw malformed("empty file, not a .npy file") }
    guard bytes.starts(with: npyMagic.prefix(bytes.count)) else {
      throw malformed("not a .npy file (bad magic string)")
    }
    guard bytes.count >= 10 else {
      throw malformed("truncated .npy file: \(bytes.count) bytes is too short for a header")
    }
    let major = bytes[6]
    let minor = bytes[7]
    let lengthFieldSize: Int
    switch (major, minor) {
    case (1, 0): lengthFieldSize = 2
    case (2, 0), (3, 0): lengthFieldSize = 4
    default: throw unsupported("unsupported .npy format version \(major).\(minor)")
    }
    guard bytes.count >= 8 + lengthFieldSize else {
      throw malformed("truncated .npy file: \(bytes.count) bytes is too short for a header")
    }

    // Header length (little-endian) and header text.
    var headerLength = 0
    for i in (0..<lengthFieldSize).reversed() {
      headerLength = headerLength << 8 | Int(bytes[8 + i])
    }
    let headerStart = 8 + lengthFieldSize
    let headerEnd = headerStart + headerLength
    guard headerEnd <= bytes.count else {
      throw malformed(
        "truncated .npy file: header length \(headerLength) exceeds the "
          + "\(bytes.count - headerStart) bytes after the length field")
    }
    let headerBytes = bytes[headerStart..<headerEnd]
    let headerText: String
    if major == 3 {
      guard let text = String(validating: headerBytes, as: UTF8.self) else {
        throw malformed("malformed .npy header: not valid UTF-8")
      }
      headerText = text
    } else {
      // Versions 1.0 and 2.0 store Latin-1.
      var text = ""
      text.unicodeScalars.reserveCapacity(headerBytes.count)
      for byte in headerBytes { text.unicodeScalars.append(Unicode.Scalar(byte)) }
      headerText = text
    }

    // Header contents.
    let header: NPYHeader
    let dtype: NPYDType
    do {
      header = try NPYHeader.parse(headerText)
      dtype = try NPYDType.resolve(header.descr)
    } catch {
      switch error {
      case .malformed(let message): throw malformed(message)
      case .unsupported(let message): throw unsupported(message)
      }
    }
    // Fortran order only changes the layout if two axes have extent > 1.
    if header.fortranOrder, header.shape.filter({ $0 > 1 }).count > 1 {
      throw unsupported(
        "Fortran-order arrays are not supported (re-save with np.ascontiguousarray(arr))")
    }

    // Sizes, checked before allocating anything.
    let shapeText = pythonTupleDescription(header.shape)
    guard let count = NumericArray.elementCount(ofShape: header.shape) else {
      throw malformed("shape \(shapeText) is too large: its element count overflows")
    }
    let (byteCount, overflow) = count.multipliedReportingOverflow(by: dtype.itemSize)
    guard !overflow else {
      throw malformed("shape \(shapeText) is too large: its byte count overflows")
    }
    let available = bytes.count - headerEnd
    guard available >= byteCount else {
      throw malformed(
        "data too short: shape \(shapeText) of '\(header.descr)' needs \(byteCount) bytes, "
          + "found \(available)")
    }
    guard available == byteCount else {
      throw malformed(
        "\(available - byteCount) unexpected trailing bytes after the data "
          + "(shape \(shapeText) of '\(header.descr)' needs \(byteCount) bytes)")
    }

    let elements = bytes.withUnsafeBytes { raw in
      let data = UnsafeRawBufferPointer(rebasing: raw[headerEnd...])
      return decodeLittleEndian(data, as: dtype, count: count)
    }
    self.init(shape: header.shape, elements: elements)
  }
}

/// Decodes `count` little-endian elements of `dtype` from exactly
/// `count * dtype.itemSize` bytes.
private func decodeLittleEndian(
  _ data: UnsafeRawBufferPointer, as dtype: NPYDType, count: Int
) -> NumericArray.Elements {
  switch dtype {
  case .float32:
    #if _endian(big)
    let bits = copyBulk(data, count: count, as: UInt32.self)
    return .float32(bits.map { Float(bitPattern: UInt32(littleEndian: $0)) })
    #else
    return .float32(copyBulk(data, count: count, as: Float.self))
    #endif
  case .float64:
    #if _endian(big)
    let bits = copyBulk(data, count: count, as: UInt64.self)
    return .float64(bits.map { Double(bitPattern: UInt64(littleEndian: $0)) })
    #else
    return .float64(copyBulk(data, count: count, as: Double.self))
    #endif
  case .int64:
    #if _endian(big)
    return .int64(copyBulk(data, count: count, as: Int64.self).map { Int64(littleEndian: $0) })
    #else
    return .int64(copyBulk(data, count: count, as: Int64.self))
    #endif
  case .int32:
    return .int64((0..<count).map {
      Int64(Int32(littleEndian: data.loadUnaligned(fromByteOffset: $0 * 4, as: Int32.self)))
    })
  case .uint8:
    return .float32(data.prefix(count).map(Float.init))
  }
}

/// Copies the bytes of `count` values of `T` straight into a new array.
private func copyBulk<T: BitwiseCopyable>(
  _ data: UnsafeRawBufferPointer, count: Int, as type: T.Type
) -> [T] {
  [T](unsafeUninitializedCapacity: count) { buffer, initialized in
    UnsafeMutableRawBufferPointer(buffer)
      .copyMemory(from: UnsafeRawBufferPointer(rebasing: data.prefix(count * MemoryLayout<T>.stride)))
    initialized = count
  }
}
