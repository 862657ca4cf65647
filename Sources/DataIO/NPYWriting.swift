//===--- NPYWriting.swift --------------------------------------------------===//
//
// This source file is part of the ExplainCert project.
//
//===----------------------------------------------------------------------===//

extension NumericArray {
  /// Writes the array as a NumPy `.npy` file, atomically.
  ///
  /// The bytes are exactly what `numpy.save` writes for the same array
  /// (see `npyBytes()`). They go to a temporary file in the same directory
  /// that is then renamed over `path`, so readers never see a partial file.
  public func writeNPY(path: String) throws(DataIOError) {
    let bytes = try npyBytes(fileName: path)
    try FileIO.writeAtomically(bytes, to: path)
  }

  /// The bytes of a `.npy` file holding this array: format 1.0 (2.0 if
  /// the header needs more than 65535 bytes), C order, dtype `'<f4'`,
  /// `'<f8'` or `'<i8'`, header padded to a multiple of 64 bytes with the
  /// same spacing `numpy.save` uses.
  ///
  /// Throws if the shape does not match the element count.
  public func npyBytes() throws(DataIOError) -> [UInt8] {
    try npyBytes(fileName: "<memory>")
  }

  func npyBytes(fileName: String) throws(DataIOError) -> [UInt8] {
    try checkConsistent(fileName: fileName)
    let descr = switch elements {
    case .float32: "<f4"
    case .float64: "<f8"
    case .int64: "<i8"
    }
    let header = NPYHeader(descr: descr, fortranOrder: false, shape: shape)
    let headerText = Array(header.text.utf8)  // ASCII, so also valid Latin-1

    // numpy.lib.format._wrap_header: pad so that magic + version + length
    // field + header + "\n" is a multiple of 64 (a full 64 if already aligned).
    let alignment = 64
    var lengthFieldSize = 2
    var headerLength = 0
    for candidate in [2, 4] {
      lengthFieldSize = candidate
      let unpadded = headerText.count + 1
      let padding = alignment - (8 + lengthFieldSize + unpadded) % alignment
      headerLength = unpadded + padding
      if headerLength <= (lengthFieldSize == 2 ? Int(UInt16.max) : Int(UInt32.max)) { break }
    }
    guard headerLength <= Int(UInt32.max) else {
      throw DataIOError(file: fileName, kind: .invalidArray, message: "too many dimensions for a .npy header")
    }

    var bytes = npyMagic
    bytes.reserveCapacity(8 + lengthFieldSize + headerLength + count * elements.itemSize)
    bytes += [lengthFieldSize == 2 ? 1 : 2, 0]
    for i in 0..<lengthFieldSize { bytes.append(UInt8(truncatingIfNeeded: headerLength >> (8 * i))) }
    bytes += headerText
    bytes += repeatElement(UInt8(ascii: " "), count: headerLength - headerText.count - 1)
    bytes.append(UInt8(ascii: "\n"))

    switch elements {
    case .float32(let values):
      #if _endian(big)
      appendBytes(of: values.map { $0.bitPattern.littleEndian }, to: &bytes)
      #else
      appendBytes(of: values, to: &bytes)
      #endif
    case .float64(let values):
      #if _endian(big)
      appendBytes(of: values.map { $0.bitPattern.littleEndian }, to: &bytes)
      #else
      appendBytes(of: values, to: &bytes)
      #endif
    case .int64(let values):
      #if _endian(big)
      appendBytes(of: values.map { $0.littleEndian }, to: &bytes)
      #else
      appendBytes(of: values, to: &bytes)
      #endif
    }
    return bytes
  }

  /// Throws `.invalidArray` unless the shape matches the element count.
  func checkConsistent(fileName: String) throws(DataIOError) {
    guard !isConsistent else { return }
    let message = if let expected = NumericArray.elementCount(ofShape: shape) {
      "cannot write: shape \(pythonTupleDescription(shape)) needs \(expected) elements, "
        + "but the array has \(count)"
    } else {
      "cannot write: shape \(pythonTupleDescription(shape)) is invalid"
    }
    throw DataIOError(file: fileName, kind: .invalidArray, message: message)
  }
}

/// Appends the in-memory bytes of `values` in one copy.
private func appendBytes<T: BitwiseCopyable>(of values: [T], to bytes: inout [UInt8]) {
  values.withUnsafeBytes { bytes.append(contentsOf: $0) }
}
