/// Nearby-input generators, properties of explanations, suites, shrinking and the counterexample
/// store (see the property tester issue).
public enum PropertyTesting {}
