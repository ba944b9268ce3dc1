/// A Prometheus-style cumulative histogram of durations with fixed bucket bounds, cheap to update
/// on the hot path (one comparison per bound, no allocation).
public struct LatencyHistogram: Sendable, Equatable {
    /// Upper bounds in seconds.
    public static let bounds: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    /// Observations at or below each bound (not cumulative; summed when exported).
    public private(set) var counts = [Int64](repeating: 0, count: LatencyHistogram.bounds.count)
    public private(set) var count: Int64 = 0
    public private(set) var sum: Double = 0

    public init() {}

    public mutating func observe(_ duration: Duration) {
        let seconds = duration.seconds
        count += 1
        sum += seconds
        if let index = Self.bounds.firstIndex(where: { seconds <= $0 }) { counts[index] += 1 }
    }

    /// (upper bound, cumulative count) pairs, `+Inf` last.
    public var cumulative: [(bound: Double, count: Int64)] {
        var running: Int64 = 0
        var result: [(Double, Int64)] = []
        for (bound, count) in zip(Self.bounds, counts) {
            running += count
            result.append((bound, running))
        }
        result.append((.infinity, self.count))
        return result
    }
}
