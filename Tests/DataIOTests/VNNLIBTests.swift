import Testing

@testable import DataIO

/// VNN-LIB properties: the input box, and the output constraints counted.
@Suite struct VNNLIBTests {
  @Test func boundsConjunctionsAndOutputConstraints() throws {
    let property = try VNNLIBProperty("""
      ; a property
      (declare-const X_0 Real)
      (declare-const X_1 Real)
      (declare-const Y_0 Real)
      (assert (<= X_0 0.5))
      (assert (>= X_0 -0.25))
      (assert (<= -1 X_1))
      (assert (>= 2 X_1))
      (assert (>= Y_0 3.99))
      (assert (or (and (<= Y_0 1) (>= Y_0 0))))
      """)
    #expect(property.lower == [-0.25, -1] && property.upper == [0.5, 2])
    #expect(property.outputAssertions == 2)
  }

  @Test func theVNNCOMP2022FormOfOneDisjunct() throws {
    let property = try VNNLIBProperty("""
      (declare-const X_0 Real)
      (declare-const Y_0 Real)
      (assert (or
          (and (>= X_0 -1) (<= X_0 1) (>= Y_0 100))
      ))
      """)
    #expect(property.lower == [-1] && property.upper == [1] && property.outputAssertions == 1)
  }

  @Test(arguments: [
    ("(declare-const X_0 Real)\n(assert (<= X_0 1))", "needs a lower and an upper bound"),
    ("(declare-const X_0 Real)\n(assert (<= X_0 0))\n(assert (>= X_0 1))", "the box is empty"),
    ("(declare-const X_0 Real)\n(assert (or (and (<= X_0 0) (>= X_0 -1)) (and (<= X_0 2) (>= X_0 1))))", "disjunctions of boxes"),
    ("(declare-const X_0 Real)\n(declare-const Y_0 Real)\n(assert (<= X_0 Y_0))", "relating inputs and outputs"),
    ("(declare-const X_0 Real)\n(assert (<= X_0 1)", "never closed"),
    ("(declare-const X_1 Real)\n(assert (<= X_1 1))\n(assert (>= X_1 0))", "X_0"),
    ("(declare-const X_0 Real)\n(assert (<= X_0 nan))", "not a finite number"),
  ])
  func malformedPropertiesAreRefused(_ text: String, _ mentions: String) {
    let error = #expect(throws: VNNLIBProperty.Problem.self) { try VNNLIBProperty(text) }
    #expect(error?.message.contains(mentions) == true, "\(error?.message ?? "")")
  }
}
