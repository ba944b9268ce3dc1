import GatewayKit

/// A rate limit string of the reference: comma-separated `"<count>:<seconds>"` pairs, e.g.
/// `"10:1,60:60,"`. `"0:0,"` or an empty string means no limit (reference §1.4).
public struct RateLimitSpec: Sendable, Equatable, CustomStringConvertible {
    public struct Window: Sendable, Equatable {
        public var count: Int
        public var seconds: Int
    }

    public var windows: [Window]

    public static let unlimited = RateLimitSpec(windows: [])

    public init(windows: [Window]) { self.windows = windows }

    public var isUnlimited: Bool { windows.isEmpty }

    /// Parses a limit string. `DEFAULT_*` literals resolve to the reference's defaults only for
    /// the ThingsBoard cloud hosts, otherwise to no limit (reference §1.4).
    public init(parsing text: String, host: String) throws(RateLimitParseError) {
        let trimmed = text.trimmingSpaces
        switch trimmed {
        case "DEFAULT_MESSAGES_RATE_LIMIT", "DEFAULT_TELEMETRY_RATE_LIMIT":
            self = RateLimitSpec.isCloudHost(host) ? try RateLimitSpec(parsing: "10:1,60:60,", host: host) : .unlimited
            return
        case "DEFAULT_TELEMETRY_DP_RATE_LIMIT":
            self = RateLimitSpec.isCloudHost(host) ? try RateLimitSpec(parsing: "10:1,300:60,", host: host) : .unlimited
            return
        default: break
        }
        var windows: [Window] = []
        for part in trimmed.split(separator: ",", omittingEmptySubsequences: true) {
            let pieces = part.split(separator: ":", omittingEmptySubsequences: false)
            guard pieces.count == 2,
                  let count = Int(pieces[0].trimmingSpaces), let seconds = Int(pieces[1].trimmingSpaces),
                  count >= 0, seconds >= 0
            else { throw RateLimitParseError(text: text) }
            if count == 0 || seconds == 0 { continue }  // "0:0" = no limit for that window
            windows.append(Window(count: count, seconds: seconds))
        }
        self.windows = windows
    }

    static func isCloudHost(_ host: String) -> Bool {
        host.contains("thingsboard.cloud") || host.contains("demo.thingsboard.io")
            || (host.contains("tb") && host.contains("cloud"))
    }

    /// The same limit scaled (the reference applies limits at 80 %). Never below 1 per window.
    public func scaled(by factor: Double) -> RateLimitSpec {
        RateLimitSpec(windows: windows.map { Window(count: max(1, Int(Double($0.count) * factor)), seconds: $0.seconds) })
    }

    public var description: String {
        isUnlimited ? "unlimited" : windows.map { "\($0.count):\($0.seconds)" }.joined(separator: ",")
    }
}

public struct RateLimitParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public var text: String
    public var description: String {
        "invalid rate limit \"\(text)\": expected comma-separated <count>:<seconds> pairs such as \"10:1,60:60,\""
    }
}

/// Token buckets for one `RateLimitSpec`: every window is a bucket that refills continuously.
/// Callers ask how long to wait for `n` tokens; nothing is ever dropped (back-pressure).
public struct TokenBuckets: Sendable {
    private struct Bucket: Sendable {
        var capacity: Double
        var perSecond: Double
        var tokens: Double
    }

    private var buckets: [Bucket]
    private var lastRefill: ContinuousClock.Instant

    public init(_ spec: RateLimitSpec, now: ContinuousClock.Instant = .now) {
        buckets = spec.windows.map {
            Bucket(capacity: Double($0.count), perSecond: Double($0.count) / Double($0.seconds), tokens: Double($0.count))
        }
        lastRefill = now
    }

    public var isUnlimited: Bool { buckets.isEmpty }

    /// Takes `count` tokens if every bucket has them and returns nil; otherwise takes nothing
    /// and returns how long to wait before trying again. A request larger than a bucket's
    /// capacity is allowed once that bucket is full (so an oversized batch cannot stall forever).
    public mutating func take(_ count: Int, now: ContinuousClock.Instant = .now) -> Duration? {
        guard !buckets.isEmpty else { return nil }
        refill(now: now)
        let wanted = Double(count)
        var wait = 0.0
        for bucket in buckets {
            let needed = min(wanted, bucket.capacity)
            if bucket.tokens < needed {
                wait = max(wait, (needed - bucket.tokens) / bucket.perSecond)
            }
        }
        if wait > 0 { return .seconds(wait) }
        for index in buckets.indices {
            buckets[index].tokens -= wanted  // may go negative for oversized requests: repaid by refill
        }
        return nil
    }

    /// Returns tokens taken by a request that could not go ahead after all.
    public mutating func giveBack(_ count: Int) {
        for index in buckets.indices {
            buckets[index].tokens = min(buckets[index].capacity, buckets[index].tokens + Double(count))
        }
    }

    /// Marks every bucket exhausted (the server said the limit was reached: PUBACK 131/151,
    /// DISCONNECT 150).
    public mutating func exhaust(now: ContinuousClock.Instant = .now) {
        refill(now: now)
        for index in buckets.indices { buckets[index].tokens = min(buckets[index].tokens, 0) }
    }

    private mutating func refill(now: ContinuousClock.Instant) {
        let elapsed = (now - lastRefill).seconds
        guard elapsed > 0 else { return }
        lastRefill = now
        for index in buckets.indices {
            buckets[index].tokens = min(buckets[index].capacity, buckets[index].tokens + elapsed * buckets[index].perSecond)
        }
    }
}

extension StringProtocol {
    var trimmingSpaces: String {
        String(self.drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
    }
}
