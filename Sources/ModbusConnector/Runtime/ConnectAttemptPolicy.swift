/// When a Modbus connection may be (re)tried, as the reference defines it: attempts at least
/// `attemptSpacing` (`connectAttemptTimeMs`) apart, at most `attemptsPerRound`
/// (`connectAttemptCount`) in a row, then a pause of `pauseAfterRound` (`waitAfterFailedAttemptsMs`)
/// before the next round. Pure value: the caller owns the clock and the sleeping.
struct ConnectAttemptPolicy: Sendable, Equatable {
    let attemptSpacing: Duration
    let attemptsPerRound: Int
    let pauseAfterRound: Duration

    private(set) var failedInRound = 0
    private(set) var lastAttempt: ContinuousClock.Instant?

    init(attemptSpacing: Duration, attemptsPerRound: Int, pauseAfterRound: Duration) {
        self.attemptSpacing = attemptSpacing
        self.attemptsPerRound = max(1, attemptsPerRound)
        self.pauseAfterRound = pauseAfterRound
    }

    /// The earliest instant the next attempt may start (now or in the past: go ahead).
    func nextAttempt(after now: ContinuousClock.Instant) -> ContinuousClock.Instant {
        guard let lastAttempt else { return now }
        let wait = failedInRound >= attemptsPerRound ? pauseAfterRound : attemptSpacing
        return max(now, lastAttempt + wait)
    }

    /// Whether the last round of attempts is used up (the device is then reported disconnected).
    var roundExhausted: Bool { failedInRound >= attemptsPerRound }

    mutating func recordAttempt(at instant: ContinuousClock.Instant) {
        if failedInRound >= attemptsPerRound { failedInRound = 0 }  // A new round begins.
        lastAttempt = instant
    }

    mutating func recordFailure() { failedInRound += 1 }

    mutating func recordSuccess() {
        failedInRound = 0
        lastAttempt = nil
    }
}
