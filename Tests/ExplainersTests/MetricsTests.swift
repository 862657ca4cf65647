import Explainers
import Testing

@Suite struct MetricsTests {
  @Test func cosineOfParallelAndOrthogonalVectors() {
    #expect(abs(Metrics.cosine([1, 2, 3], [2, 4, 6]) - 1) < 1e-15)
    #expect(Metrics.cosine([1, 0], [0, 1]) == 0)
    #expect(Metrics.cosine([0, 0], [1, 1]) == 0)
  }

  @Test func errorMeasures() {
    #expect(Metrics.rmse([1, 3], [1, 1]) == 2.0.squareRoot())
    #expect(Metrics.mae([1, 3], [1, 1]) == 1)
    #expect(Metrics.mape([2, 3], [1, 0]) == 100)
    #expect(Metrics.topK([0.1, -5, 2, 2], 3) == [1, 2, 3])
    #expect(Metrics.topKAgreement([1, 0, 3], [1, 2, 3], k: 2) == 0.5)
  }
}
