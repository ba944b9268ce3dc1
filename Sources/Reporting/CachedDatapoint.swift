import GatewayKit

/// What the filter remembers one datapoint by. Unlike the reference (which keys by key name,
/// device and connector only), attributes and telemetry are kept apart: an attribute `fw` and a
/// telemetry key `fw` are different datapoints on ThingsBoard and must not suppress each other.
struct DatapointID: Hashable, Sendable {
    var connector: String
    var device: String
    var key: String
    var isAttribute: Bool
}

/// The cache record of one datapoint under a non-pass-through strategy.
struct CachedDatapoint: Sendable {
    /// The strategy the record was created under; a datapoint arriving under a different one
    /// starts afresh (the reference instead keeps one record per strategy: see the README).
    var strategy: ReportStrategy
    var deviceType: String
    /// The value last sent to ThingsBoard: ON_CHANGE compares against it.
    var forwarded: JSONValue
    /// A newer value received but not sent yet (periodic kinds); the next periodic report sends it.
    var pending: JSONValue?
    /// When the record is forgotten unless another value arrives first (`Int64.max`: never).
    var expiresAt: Int64
    /// When the next periodic report of this datapoint is due; nil for ON_CHANGE.
    var deadline: Int64?

    var latest: JSONValue { pending ?? forwarded }

    func isExpired(at now: Int64) -> Bool { now >= expiresAt }

    static func expiry(after now: Int64, ttlSeconds: Int64) -> Int64 {
        // ttl 0 means "never", as in the reference (`expire_ts = 0`).
        guard ttlSeconds > 0 else { return .max }
        return now.saturatingAdd(ttlSeconds.saturatingMultiply(1000))
    }
}

extension ReportStrategy {
    /// ON_RECEIVED and DISABLED forward everything and need no cache.
    var isPassThrough: Bool { kind == .onReceived || kind == .disabled }

    var isPeriodic: Bool { kind == .onReportPeriod || kind == .onChangeOrReportPeriod }
}

extension Int64 {
    /// Configured periods and TTLs may be as large as `Int64.max`; clamp rather than trap.
    func saturatingAdd(_ other: Int64) -> Int64 {
        let (sum, overflow) = addingReportingOverflow(other)
        guard overflow else { return sum }
        return other > 0 ? .max : .min
    }

    func saturatingMultiply(_ other: Int64) -> Int64 {
        let (product, overflow) = multipliedReportingOverflow(by: other)
        guard overflow else { return product }
        return (self < 0) == (other < 0) ? .max : .min
    }
}
