import Synchronization

/// Decides which occurrences of a repeating problem get a log line: the first one, then at most
/// one per `window`, reporting how many were suppressed in between. A device spamming bad
/// payloads then costs one log line per window, not one per message.
public struct BurstLimiter: Sendable {
    public let window: Duration
    private var lastLogged: ContinuousClock.Instant?
    private var suppressed = 0

    public init(window: Duration = .seconds(10)) {
        self.window = window
    }

    /// nil: stay silent. Otherwise log now, mentioning the returned number of suppressed occurrences.
    public mutating func shouldLog(now: ContinuousClock.Instant = .now) -> Int? {
        if let lastLogged, now - lastLogged < window {
            suppressed += 1
            return nil
        }
        lastLogged = now
        defer { suppressed = 0 }
        return suppressed
    }
}

/// A `BurstLimiter` shared by concurrent tasks (e.g. the attribute-request workers).
public final class SharedBurstLimiter: Sendable {
    private let limiter: Mutex<BurstLimiter>

    public init(window: Duration = .seconds(10)) {
        limiter = Mutex(BurstLimiter(window: window))
    }

    public func shouldLog() -> Int? { limiter.withLock { $0.shouldLog() } }
}
