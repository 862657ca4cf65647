import ExactArithmetic
import PropertyBased
import Testing

/// A random `rows`×`columns` matrix with entries of mixed sizes, and its entries.
func randomMatrix(rows: Int, columns: Int, _ rng: inout any SeededRandomNumberGenerator)
  -> IntegerMatrix
{
  let entries = (0..<rows * columns).map { _ in randomInteger(&rng) }
  return IntegerMatrix(rows: rows, columns: columns, entries: entries)
}

/// Pairs of matrices with compatible shapes for a product (dimensions 0 to 5).
let matrixPairs = sample { rng -> (IntegerMatrix, IntegerMatrix) in
  let n = Int.random(in: 0...5, using: &rng)
  let k = Int.random(in: 0...5, using: &rng)
  let m = Int.random(in: 0...5, using: &rng)
  return (randomMatrix(rows: n, columns: k, &rng), randomMatrix(rows: k, columns: m, &rng))
}

let matrices = sample { rng -> IntegerMatrix in
  randomMatrix(
    rows: Int.random(in: 1...5, using: &rng), columns: Int.random(in: 1...5, using: &rng), &rng)
}

/// The product by the schoolbook loop over `ExactInteger`.
func naiveProduct(_ a: IntegerMatrix, _ b: IntegerMatrix) -> [ExactInteger] {
  var result = [ExactInteger]()
  for i in 0..<a.rows {
    for j in 0..<b.columns {
      var sum = ExactInteger()
      for k in 0..<a.columns { sum += a[i, k] * b[k, j] }
      result.append(sum)
    }
  }
  return result
}

@Suite("IntegerMatrix")
struct IntegerMatrixTests {
  @Test("product agrees with a naive ExactInteger loop")
  func product() async {
    await propertyCheck(count: 200, input: matrixPairs) { a, b in
      let c = a * b
      #expect(c.rows == a.rows && c.columns == b.columns)
      #expect(c.entries == naiveProduct(a, b))
    }
  }

  @Test("product of 60-bit Int64 matrices agrees with the naive loop")
  func productInt64() async {
    let entry = Gen.int64(in: -(1 << 59)...(1 << 59))
    await propertyCheck(count: 50, input: entry.array(of: 12), entry.array(of: 20)) { x, y in
      let a = IntegerMatrix(rows: 3, columns: 4, int64Entries: x)
      let b = IntegerMatrix(rows: 4, columns: 5, int64Entries: y)
      #expect((a * b).entries == naiveProduct(a, b))
      #expect(a.entries == x.map { ExactInteger($0) })
    }
  }

  @Test("sum, difference, negation, scalar, transpose")
  func entrywise() async {
    await propertyCheck(input: matrices, integers) { a, s in
      let b = a.transposed().transposed()
      #expect(a == b)
      #expect((a + b).entries == a.entries.map { $0 + $0 })
      #expect((a - b).isZero)
      #expect((-a).entries == a.entries.map { -$0 })
      #expect((s * a).entries == a.entries.map { s * $0 })
      #expect((a * s) == (s * a))
      #expect(a.multiplied(byPowerOfTwo: 3) == ExactInteger(8) * a)
      let t = a.transposed()
      #expect(t.rows == a.columns && t.columns == a.rows)
      for i in 0..<a.rows {
        #expect(a.row(i) == t.column(i))
      }
      var c = a
      c += a
      c -= a
      #expect(c == a)
    }
  }

  @Test("signs and bit sizes of entries")
  func signsAndBits() async {
    await propertyCheck(input: matrices) { a in
      #expect(a.entrySigns() == a.entries.map { Int8($0.signum()) })
      #expect(a.maxEntryBitLength == a.entries.map(\.bitLength).max())
      #expect(a.sign(row: 0, column: 0) == a[0, 0].signum())
    }
  }

  @Test("row selection and submatrices")
  func selection() async {
    await propertyCheck(input: matrices) { a in
      let picked = a.rows(at: [a.rows - 1, 0, a.rows - 1])
      #expect(picked.row(0) == a.row(a.rows - 1))
      #expect(picked.row(1) == a.row(0))
      #expect(picked.row(2) == a.row(a.rows - 1))
      let block = a.submatrix(rows: 0..<a.rows, columns: 1..<a.columns)
      #expect(block.columns == a.columns - 1)
      for i in 0..<a.rows {
        #expect(block.row(i) == Array(a.row(i).dropFirst()))
      }
    }
  }

  @Test("entry mutation is copy-on-write")
  func copyOnWrite() {
    let a = IntegerMatrix(rows: 2, columns: 3, int64Entries: [1, 2, 3, 4, 5, 6])
    var b = a
    b[0, 1] = ExactInteger.powerOfTwo(100)
    b.set(row: 1, column: 2, to: -7)
    b.set(row: 1, column: 0, to: Dyadic(mantissa: 3, exponent: -2), exponent: -5)
    #expect(a.entries == [1, 2, 3, 4, 5, 6])
    #expect(b.entries == [1, ExactInteger.powerOfTwo(100), 3, 24, 5, -7])
    #expect(a.description == "[[1, 2, 3], [4, 5, 6]]")
    #expect(IntegerMatrix.identity(2) * a == a)
  }

  @Test("doubles with a shared power-of-two exponent")
  func scaledDoubles() async throws {
    let values = sample { rng in (0..<12).map { _ in randomFiniteDouble(&rng) } }
    await propertyCheck(input: values) { doubles in
      let (m, e) = try IntegerMatrix.scaled(rows: 3, columns: 4, values: doubles)
      for (k, d) in doubles.enumerated() {
        let entry = m[k / 4, k % 4]
        #expect(Dyadic(mantissa: entry, exponent: e) == (try Dyadic(exactly: d)))
      }
      // e is the largest shared exponent: some entry is odd, unless all are zero.
      if doubles.contains(where: { $0 != 0 }) {
        #expect(m.entries.contains { $0.isOdd })
      } else {
        #expect(e == 0 && m.isZero)
      }
      let back = m.doubles(scaledBy: e)
      #expect(back.map(\.bitPattern) == doubles.map { ($0 == 0 ? 0 : $0).bitPattern })
    }
    let (m, e) = try IntegerMatrix.scaled(rows: 1, columns: 3, values: [0.5, -0.75, 3])
    #expect(e == -2)
    #expect(m.entries == [2, -3, 12])
    let (f, fe) = try IntegerMatrix.scaled(rows: 1, columns: 2, values: [Float(8), 4], maximumExponent: 0)
    #expect(fe == 0 && f.entries == [8, 4])
    let (g, ge) = try IntegerMatrix.scaled(rows: 1, columns: 2, values: [8.0, 4.0])
    #expect(ge == 2 && g.entries == [2, 1])
  }

  @Test("NaN and infinity in a bulk conversion name their position")
  func scaledRejectsNonFinite() {
    #expect(throws: NonFiniteValueError(kind: .positiveInfinity, index: 2)) {
      try IntegerMatrix.scaled(rows: 2, columns: 2, values: [1, 2, Double.infinity, .nan])
    }
    #expect(throws: NonFiniteValueError(kind: .notANumber, index: 0)) {
      try IntegerMatrix.scaled(rows: 1, columns: 1, values: [Float.nan])
    }
    #expect(
      NonFiniteValueError(kind: .notANumber, index: 7).description
        == "cannot convert nan (element 7) to an exact number")
  }

  @Test("entries scaled back to doubles are correctly rounded")
  func doublesRounding() {
    let big = ExactInteger.powerOfTwo(60) + 1  // not representable: rounds to 2^60
    let m = IntegerMatrix(rows: 1, columns: 3, entries: [big, 3, -1])
    #expect(m.doubles(scaledBy: 0) == [0x1p60, 3, -1])
    let tiny = m.doubles(scaledBy: -1076)
    #expect(tiny == [0x1p-1016, 0x1p-1074, 0])
    #expect(tiny[2].sign == .minus)
    #expect(m.doubles(scaledBy: 0, rounding: .up) == [0x1p60.nextUp, 3, -1])
  }
}
