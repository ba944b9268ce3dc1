import Foundation

/// Exponential back-off with jitter: the one retry policy the gateway's supervisors share
/// (ThingsBoard reconnect, connector restarts). Pure value: the caller sleeps.
///
/// Delay n is drawn uniformly from [base/2, base] where base = min(max, initial × multiplier^n):
/// half the delay is jitter so that many gateways (or connectors) restarted together do not
/// reconnect in lock-step, and the delay still never drops below half the base.
public struct ExponentialBackoff: Sendable, Equatable {
    public var initial: Duration
    public var maximum: Duration
    public var multiplier: Double
    public private(set) var attempt: Int = 0

    public init(initial: Duration, maximum: Duration, multiplier: Double = 2) {
        precondition(initial > .zero && maximum >= initial && multiplier >= 1)
        self.initial = initial
        self.maximum = maximum
        self.multiplier = multiplier
    }

    /// The ceiling of the next delay, before jitter.
    public var nextBase: Duration {
        let factor = pow(multiplier, Double(min(attempt, 62)))
        let seconds = min(initial.seconds * factor, maximum.seconds)
        return .seconds(seconds)
    }

    /// The next delay, advancing the attempt counter.
    public mutating func next<G: RandomNumberGenerator>(using generator: inout G) -> Duration {
        let base = nextBase.seconds
        attempt += 1
        return .seconds(Double.random(in: (base / 2)...base, using: &generator))
    }

    public mutating func next() -> Duration {
        var generator = SystemRandomNumberGenerator()
        return next(using: &generator)
    }

    /// After a success: the next failure starts from `initial` again.
    public mutating func reset() { attempt = 0 }
}

extension Duration {
    /// The duration in seconds as a Double.
    public var seconds: Double {
        let (whole, attoseconds) = components
        return Double(whole) + Double(attoseconds) / 1e18
    }
}
