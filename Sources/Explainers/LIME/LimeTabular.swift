import Dispatch
import Foundation
import Inference
import Model

/// The statistics `LimeTabularExplainer` keeps from its training data.
public struct LimeTabularStatistics: Sendable {
  /// `StandardScaler(with_mean=False)`: per-feature mean and scale (the population standard
  /// deviation; 1 for a constant feature).
  public var means: [Double]
  public var scales: [Double]
  /// The discretizer, when `discretize_continuous` is on.
  public var discretizer: QuantileDiscretizer?
  /// The number of training rows the statistics come from.
  public var rows: Int

  public init(training rows: [[Double]], discretization: LimeTabularExplainer.Discretization) throws {
    guard let width = rows.first?.count, width > 0 else { throw ExplainerError("LIME needs training data (at least one row)") }
    guard rows.allSatisfy({ $0.count == width }) else { throw ExplainerError("LIME training rows have different lengths") }
    self.rows = rows.count
    let n = Double(rows.count)
    means = (0..<width).map { j in rows.reduce(0) { $0 + $1[j] } / n }
    scales = (0..<width).map { j in
      let mean = rows.reduce(0) { $0 + $1[j] } / n
      let variance = rows.reduce(0) { $0 + ($1[j] - mean) * ($1[j] - mean) } / n
      // scikit-learn's `_is_constant_feature`.
      let eps = Double.ulpOfOne
      let bound = n * eps * variance + (n * mean * eps) * (n * mean * eps)
      return variance <= bound || variance == 0 ? 1 : variance.squareRoot()
    }
    switch discretization {
    case .off: discretizer = nil
    case .quartile: discretizer = QuantileDiscretizer(training: rows, percentiles: [25, 50, 75])
    case .decile: discretizer = QuantileDiscretizer(training: rows, percentiles: [10, 20, 30, 40, 50, 60, 70, 80, 90])
    }
  }
}

/// LIME's `QuartileDiscretizer` / `DecileDiscretizer`: bin edges at percentiles of the training
/// data (linear interpolation, repeated edges merged), and per bin the training values' mean,
/// standard deviation (+1e-11), minimum and maximum, used to draw values back from bins.
public struct QuantileDiscretizer: Sendable {
  public private(set) var edges: [[Double]]
  public private(set) var binMeans, binStds, binMins, binMaxs: [[Double]]
  /// The bins that occur in the training data and their frequencies (LIME samples bins from these).
  public private(set) var values: [[Double]]
  public private(set) var frequencies: [[Double]]
  /// Per feature and bin, what a draw needs: the normal CDF at the bin's standardised ends (on
  /// the side of the mean where the tail is thinner), or the value of a degenerate bin; feature
  /// j's bins are `draws[drawStart[j]...]` (one flat array: a draw is in LIME's innermost loop).
  var draws: [Draw] = []
  var drawStart: [Int] = []
  /// Per feature, the cumulative frequencies of the bins in `values` and those bins, flat:
  /// feature j's are `binStart[j]..<binStart[j + 1]`.
  var cumulative: [Double] = []
  var cumulativeBins: [Int] = []
  var binStart: [Int] = [0]

  /// A draw is `mean + std · clamp(sign · Φ⁻¹(p), lower, upper)` with p uniform on
  /// [lowCDF, highCDF]; sign −1 draws −Z on [−b, −a]. A bin whose standardised range is empty
  /// has std 0 and its value as the mean (no branch in the sampling loop).
  struct Draw: Sendable {
    var mean, std: Double
    var lowCDF, highCDF: Double
    var lower, upper: Double
    var sign: Double
  }

  public init(training rows: [[Double]], percentiles: [Double]) {
    let width = rows[0].count
    (edges, binMeans, binStds, binMins, binMaxs, values, frequencies) = ([], [], [], [], [], [], [])
    for j in 0..<width {
      let column = rows.map { $0[j] }
      let sorted = column.sorted()
      let qts = Array(Set(percentiles.map { Self.percentile(sorted, $0) })).sorted()
      edges.append(qts)
      let bins = column.map { Self.bin($0, qts) }
      var means: [Double] = [], stds: [Double] = []
      for b in 0...qts.count {
        let selection = zip(column, bins).filter { $0.1 == b }.map(\.0)
        let mean = selection.isEmpty ? 0 : selection.reduce(0, +) / Double(selection.count)
        let variance = selection.isEmpty ? 0 : selection.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(selection.count)
        means.append(mean)
        stds.append(variance.squareRoot() + 0.00000000001)
      }
      binMeans.append(means)
      binStds.append(stds)
      binMins.append([sorted.first!] + qts)
      binMaxs.append(qts + [sorted.last!])
      var counts: [Int: Int] = [:]
      for b in bins { counts[b, default: 0] += 1 }
      let present = counts.keys.sorted()
      values.append(present.map(Double.init))
      frequencies.append(present.map { Double(counts[$0]!) / Double(column.count) })
      var total = 0.0
      for (bin, p) in zip(present, frequencies[j]) {
        total += p
        cumulative.append(total)
        cumulativeBins.append(bin)
      }
      binStart.append(cumulative.count)
      drawStart.append(draws.count)
      draws += (0...qts.count).map { b in
        let (mean, std) = (means[b], stds[b])
        let minz = (binMins[j][b] - mean) / std, maxz = (binMaxs[j][b] - mean) / std
        if minz == maxz {
          return Draw(mean: minz, std: 0, lowCDF: 0.5, highCDF: 0.5, lower: 0, upper: 0, sign: 1)
        }
        let flipped = minz > 0
        let (low, high) = flipped ? (Normal.cdf(-maxz), Normal.cdf(-minz)) : (Normal.cdf(minz), Normal.cdf(maxz))
        return Draw(mean: mean, std: std, lowCDF: low, highCDF: high, lower: minz, upper: maxz, sign: flipped ? -1 : 1)
      }
    }
  }

  /// NumPy's `percentile` with linear interpolation on sorted values.
  static func percentile(_ sorted: [Double], _ q: Double) -> Double {
    let position = q / 100 * Double(sorted.count - 1)
    let lower = Int(position.rounded(.down))
    let upper = min(lower + 1, sorted.count - 1)
    let fraction = position - Double(lower)
    return sorted[lower] + (sorted[upper] - sorted[lower]) * fraction
  }

  /// `searchsorted(edges, v)`: the number of edges strictly below v.
  public static func bin(_ value: Double, _ edges: [Double]) -> Int {
    edges.firstIndex { $0 >= value } ?? edges.count
  }

  /// The bin of every feature of `x`.
  public func bins(of x: [Double]) -> [Int] {
    zip(x, edges).map { Self.bin($0, $1) }
  }

  /// One sample row, LIME's `undiscretize` of a random bin per feature: for each feature j a bin
  /// drawn from the training frequencies (as `choice(values[j], probabilities: frequencies[j])`)
  /// into `bins[j]`, and a value drawn back from it into `values[j]` — a normal with the bin's mean
  /// and deviation truncated to the bin's range, by inverse-CDF sampling (the bin's CDF values
  /// computed once, Φ⁻¹ to about 1e-9, ample for drawing samples). As in the reference, a bin
  /// whose standardised range is empty yields its standardised lower end `(min − mean) / std`.
  ///
  /// The generator draws two uniforms per feature, the bin's and the position's; Φ⁻¹ is then
  /// taken for the whole row at once, in SIMD lanes. No branch depends on the draws.
  func sampleRow(bins: UnsafeMutablePointer<Int>, values: UnsafeMutablePointer<Double>, using generator: inout SeededGenerator) {
    let columns = drawStart.count
    for j in 0..<columns {
      // The first bin whose cumulative frequency exceeds u (the last one if none does).
      let u = generator.uniform()
      let (start, end) = (binStart[j], binStart[j + 1])
      var index = start
      for k in start..<(end - 1) { index += u >= cumulative[k] ? 1 : 0 }
      let bin = cumulativeBins[index]
      bins[j] = bin
      let draw = draws[drawStart[j] + bin]
      values[j] = draw.lowCDF + generator.openUniform() * (draw.highCDF - draw.lowCDF)
    }
    Normal.quantiles(values, count: columns)
    for j in 0..<columns {
      let draw = draws[drawStart[j] + bins[j]]
      values[j] = draw.mean + draw.std * min(max(draw.sign * values[j], draw.lower), draw.upper)
    }
  }
}

/// LIME for tabular data, following the reference `LimeTabularExplainer` (marcotcr/lime) and its
/// defaults: 5000 samples, quartile discretization (`discretize_continuous=True`), kernel width
/// √(features)·0.75, exponential kernel on Euclidean distances, `feature_selection='auto'` with
/// 10 features, weighted `Ridge(alpha=1)`; `score` and `local_pred` are reported.
///
/// - With discretization, each sample draws every feature's bin from the training bins'
///   frequencies and a value in that bin (truncated normal); the interpretable feature is
///   "in x0's bin" (1/0), distances are taken on these bits, and the relevance is the ridge
///   coefficient of each bit: for a linear model f = w·x + b, coefficient j estimates
///   w_j·(E[x_j | x0's bin] − E[x_j | another bin]) — that is what "recovering the weights"
///   means in LIME's interpretable space.
/// - Without (`discretize=off`), samples are N(mean, scale²) per feature around the training
///   mean (`sample_around_instance=False`), the regression runs on standardised values, and
///   the relevance is the coefficient per standard deviation: w_j·scale_j for a linear model.
///   The surrogate is returned in input coordinates (coef / scale).
///
/// The samples come from ``SeededGenerator`` (not NumPy's generator): same seed, same
/// explanation, but not the reference's exact draws; the conformance tests feed the reference's
/// own samples to ``LimeBase/explain(data:rows:columns:labels:weights:numFeatures:selection:alpha:)``.
public struct LimeTabularExplainer: Explainer {
  public enum Discretization: String, Sendable, CaseIterable { case quartile, decile, off }

  public var statistics: LimeTabularStatistics
  public var discretization: Discretization
  public var samples: Int
  public var kernelWidth: Double?
  public var numFeatures: Int
  public var selection: LimeBase.FeatureSelection
  public var target: OutputTarget
  /// The reference's `sample_around_instance`: without discretization, sample N(x0, scale²)
  /// instead of N(mean, scale²).
  public var sampleAroundInstance: Bool
  /// A factor on the scaler's standard deviations (1 as the reference; with the reference, pass
  /// `training_data_stats` with scaled `stds`): with `sampleAroundInstance` and no
  /// discretization, a small factor keeps LIME's samples near x0.
  public let scaleFactor: Double

  /// Fewer training rows than this make the quantile bins unreliable (see ``trainingCaveat``).
  public static let trainingRowsForBins = 20

  /// A warning when the quantile bins come from fewer than ``trainingRowsForBins`` training rows
  /// (a tool defaulting to its inputs file as training data may have only a few), else nil.
  public var trainingCaveat: String? {
    guard statistics.discretizer != nil, statistics.rows < Self.trainingRowsForBins else { return nil }
    return "tabular LIME's quantile bins come from \(statistics.rows) training row(s); they need at least "
      + "\(Self.trainingRowsForBins) inputs representative of the model's data"
  }

  public init(training: [[Double]], discretization: Discretization = .quartile, samples: Int = 5000, kernelWidth: Double? = nil,
              numFeatures: Int = 10, selection: LimeBase.FeatureSelection = .auto, target: OutputTarget = .logit,
              sampleAroundInstance: Bool = false, scaleFactor: Double = 1) throws {
    statistics = try LimeTabularStatistics(training: training, discretization: discretization)
    guard scaleFactor > 0, scaleFactor.isFinite else { throw ExplainerError("LIME's scale factor must be positive, got \(scaleFactor)") }
    statistics.scales = statistics.scales.map { $0 * scaleFactor }
    self.scaleFactor = scaleFactor
    self.discretization = discretization
    self.samples = samples
    self.kernelWidth = kernelWidth
    self.numFeatures = numFeatures
    self.selection = selection
    self.target = target
    self.sampleAroundInstance = sampleAroundInstance
  }

  public var method: String { "lime" }

  /// Rows drawn per generator stream.
  static let chunkRows = 256

  /// The neighbourhood LIME draws around `x0`: the interpretable rows (first = x0's), the
  /// model inputs, and the distances.
  public struct Neighbourhood: Sendable {
    public var data: [Double]
    public var inverse: [Double]
    public var distances: [Double]
    public var rows: Int
    public var columns: Int
  }

  /// `__data_inverse` and the distances of `explain_instance`.
  public func neighbourhood(of x0: [Double], seed: UInt64) throws -> Neighbourhood {
    let columns = x0.count
    guard columns == statistics.means.count else {
      throw ExplainerError("the training data has \(statistics.means.count) features, the input \(columns)")
    }
    guard samples >= 2 else { throw ExplainerError("LIME needs at least 2 samples, got \(samples)") }
    var inverse = [Double](repeating: 0, count: samples * columns)
    var scaled = inverse
    var distances = [Double](repeating: 0, count: samples)
    for j in 0..<columns {
      inverse[j] = x0[j]
      scaled[j] = statistics.discretizer == nil ? (x0[j] - statistics.means[j]) / statistics.scales[j] : 1
    }
    // Rows 1… in chunks of `chunkRows`, each drawn by its own generator seeded from (seed,
    // chunk): the same samples whatever the number of threads.
    let chunks = (samples - 1 + Self.chunkRows - 1) / Self.chunkRows
    let statistics = self.statistics
    let around = sampleAroundInstance
    let home = statistics.discretizer?.bins(of: x0) ?? []
    inverse.withUnsafeMutableBufferPointer { inverseBuffer in
      scaled.withUnsafeMutableBufferPointer { scaledBuffer in
        distances.withUnsafeMutableBufferPointer { distanceBuffer in
          let (inverseOut, scaledOut) = (SendablePointer(inverseBuffer.baseAddress!), SendablePointer(scaledBuffer.baseAddress!))
          let distanceOut = SendablePointer(distanceBuffer.baseAddress!)
          DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            var generator = SeededGenerator(seed: seed, stream: UInt64(chunk))
            let rows = (1 + chunk * Self.chunkRows)..<min(samples, 1 + (chunk + 1) * Self.chunkRows)
            if let discretizer = statistics.discretizer {
              var bins = [Int](repeating: 0, count: columns)
              bins.withUnsafeMutableBufferPointer { bins in
                for r in rows {
                  discretizer.sampleRow(bins: bins.baseAddress!, values: inverseOut.pointer + r * columns, using: &generator)
                  var moved = 0
                  for j in 0..<columns {
                    let same = bins[j] == home[j]
                    scaledOut.pointer[r * columns + j] = same ? 1 : 0
                    moved += same ? 0 : 1
                  }
                  // x0's row is all ones: the squared distance counts the bits that differ.
                  distanceOut.pointer[r] = Double(moved).squareRoot()
                }
              }
            } else {
              let reference = scaledOut.pointer
              for r in rows {
                var squared = 0.0
                for j in 0..<columns {
                  let v = generator.normal() * statistics.scales[j] + (around ? x0[j] : statistics.means[j])
                  inverseOut.pointer[r * columns + j] = v
                  let z = (v - statistics.means[j]) / statistics.scales[j]
                  scaledOut.pointer[r * columns + j] = z
                  squared += (z - reference[j]) * (z - reference[j])
                }
                distanceOut.pointer[r] = squared.squareRoot()
              }
            }
          }
        }
      }
    }
    return Neighbourhood(data: scaled, inverse: inverse, distances: distances, rows: samples, columns: columns)
  }

  public func explain(_ model: ExplainedModel, at x0: DenseTensor<Double>, output: Int, seed: UInt64) throws -> Explanation {
    try explain(model, at: x0, outputs: [output], seed: seed)[0]
  }

  /// Explains several outputs on one set of samples, as the reference's `labels`: the samples,
  /// their distances and weights and the model's evaluation are shared, and so is the ridge's
  /// Gram matrix; each output gets its own feature selection and fit. The explanation of an
  /// output is the one ``explain(_:at:output:seed:)`` gives.
  public func explain(_ model: ExplainedModel, at x0: DenseTensor<Double>, outputs: [Int], seed: UInt64) throws -> [Explanation] {
    let hood = try neighbourhood(of: x0.elements, seed: seed)
    let labels = try model.outputs(hood.inverse, shape: x0.shape, outputs: outputs, target: target)
    let width = kernelWidth ?? Double(hood.columns).squareRoot() * 0.75
    let weights = hood.distances.map { LimeBase.kernel($0, width: width) }
    let results = try LimeBase.explain(data: hood.data, rows: hood.rows, columns: hood.columns, labels: labels, weights: weights,
                                       numFeatures: numFeatures, selection: selection)
    let reference = statistics.discretizer?.bins(of: x0.elements) ?? []
    return zip(outputs, zip(results, labels)).map { output, fitted in
      let (result, values) = fitted
      let coefficients = result.weights(count: hood.columns)
      let surrogate: LinearSurrogate
      if let discretizer = statistics.discretizer {
        surrogate = LinearSurrogate(weights: coefficients, intercept: result.intercept, features: .presence,
                                    interpretation: .bins(edges: discretizer.edges, reference: reference))
      } else {
        let w = zip(coefficients, statistics.scales).map { $0 / $1 }
        let intercept = result.intercept - zip(w, statistics.means).reduce(0) { $0 + $1.0 * $1.1 }
        surrogate = LinearSurrogate(weights: w, intercept: intercept, features: .coordinates)
      }
      return Explanation(
        method: method, output: output, inputShape: x0.shape, relevance: coefficients, surrogate: surrogate, seed: seed,
        settings: ["mode": "tabular", "queries": model.queryPrecision.rawValue, "samples": "\(samples)", "discretize": discretization.rawValue,
                   "kernelWidth": "\(width)", "numFeatures": "\(numFeatures)", "featureSelection": selection.rawValue, "target": target.rawValue,
                   "sampleAroundInstance": "\(sampleAroundInstance)", "scaleFactor": "\(scaleFactor)",
                   "selected": result.features.map(String.init).joined(separator: ",")],
        diagnostics: ["score": result.score, "localPrediction": result.localPrediction, "intercept": result.intercept,
                      "prediction": values[0], "kernelWidth": width])
    }
  }
}
