import GatewayKit
import Testing
@testable import ThingsBoard

@Suite struct RateLimitTests {
    @Test func parsesReferenceStrings() throws {
        let spec = try RateLimitSpec(parsing: "10:1,60:60,", host: "localhost")
        #expect(spec.windows == [.init(count: 10, seconds: 1), .init(count: 60, seconds: 60)])
        #expect(try RateLimitSpec(parsing: "0:0,", host: "localhost").isUnlimited)
        #expect(try RateLimitSpec(parsing: "", host: "localhost").isUnlimited)
    }

    @Test func defaultLiteralsDependOnTheHost() throws {
        #expect(try RateLimitSpec(parsing: "DEFAULT_TELEMETRY_RATE_LIMIT", host: "192.168.1.5").isUnlimited)
        #expect(try RateLimitSpec(parsing: "DEFAULT_TELEMETRY_RATE_LIMIT", host: "thingsboard.cloud").description == "10:1,60:60")
        #expect(try RateLimitSpec(parsing: "DEFAULT_TELEMETRY_DP_RATE_LIMIT", host: "eu.thingsboard.cloud").description == "10:1,300:60")
    }

    @Test func rejectsGarbage() {
        #expect(throws: RateLimitParseError.self) { try RateLimitSpec(parsing: "ten per second", host: "h") }
        #expect(throws: RateLimitParseError.self) { try RateLimitSpec(parsing: "10:1:3", host: "h") }
    }

    @Test func bucketsMakeCallersWaitInsteadOfDropping() {
        let start = ContinuousClock.now
        var buckets = TokenBuckets(RateLimitSpec(windows: [.init(count: 10, seconds: 1)]), now: start)
        for _ in 0..<10 { #expect(buckets.take(1, now: start) == nil) }
        let wait = buckets.take(1, now: start)
        #expect(wait != nil)
        #expect(wait! > .milliseconds(90) && wait! <= .milliseconds(110))
        #expect(buckets.take(1, now: start + .milliseconds(100)) == nil)
    }

    @Test func oversizedRequestsPassWhenTheBucketIsFull() {
        let start = ContinuousClock.now
        var buckets = TokenBuckets(RateLimitSpec(windows: [.init(count: 5, seconds: 1)]), now: start)
        #expect(buckets.take(50, now: start) == nil)
        // ... and then the debt is repaid before anything else passes.
        #expect(buckets.take(1, now: start + .seconds(5)) != nil)
        #expect(buckets.take(1, now: start + .seconds(11)) == nil)
    }

    @Test func sessionLimitsReplyIsAppliedAtEightyPercent() throws {
        let configured = SessionLimits.configured(maxPayloadBytes: 8196, gateway: .unlimited, devices: .unlimited)
        let reply = try JSONValue.parse(#"""
            {"maxPayloadSize":65536,"maxInflightMessages":100,
             "rateLimits":{"messages":"100:1,","telemetryMessages":"50:1,","telemetryDataPoints":"1000:1,"},
             "gatewayRateLimits":{"messages":"","telemetryMessages":"","telemetryDataPoints":""}}
            """#)
        let limits = configured.applying(reply: reply, host: "localhost")
        #expect(limits.maxPayloadBytes == 52428)
        #expect(limits.maxInflightMessages == 80)
        #expect(limits.gateway.messages.description == "80:1")
        #expect(limits.gateway.telemetryDatapoints.description == "800:1")
        #expect(limits.devices == .unlimited)
    }

    /// As the reference: the server's answer replaces the configured limits, and a limit it
    /// leaves out or sends as null is no limit.
    @Test func limitsTheServerLeavesOutOrSendsAsNullAreUnlimited() throws {
        let ten = try RateLimitSpec(parsing: "10:1", host: "h")
        let configured = SessionLimits.configured(
            maxPayloadBytes: 8196, gateway: .init(messages: ten, telemetryMessages: ten, telemetryDatapoints: ten),
            devices: .init(messages: ten, telemetryMessages: ten, telemetryDatapoints: ten))
        let reply = try JSONValue.parse(#"{"maxPayloadSize":65536,"rateLimits":{"messages":null,"telemetryMessages":"20:1"},"gatewayRateLimits":{"messages":null}}"#)
        let limits = configured.applying(reply: reply, host: "localhost")
        #expect(limits.gateway.messages == .unlimited && limits.gateway.telemetryDatapoints == .unlimited)
        #expect(limits.gateway.telemetryMessages.description == "16:1")
        #expect(limits.devices == .unlimited)
        // Malformed: the current value stays.
        let garbled = configured.applying(reply: try JSONValue.parse(#"{"gatewayRateLimits":{"messages":"ten per second"}}"#), host: "h")
        #expect(garbled.devices.messages == ten)
    }

    @Test func backoffGrowsWithJitterAndResets() {
        var backoff = ExponentialBackoff(initial: .seconds(1), maximum: .seconds(8))
        var generator = SystemRandomNumberGenerator()
        let delays = (0..<6).map { _ in backoff.next(using: &generator) }
        let bases: [Double] = [1, 2, 4, 8, 8, 8]
        for (delay, base) in zip(delays, bases) {
            #expect(delay.seconds >= base / 2 && delay.seconds <= base)
        }
        backoff.reset()
        #expect(backoff.next(using: &generator).seconds <= 1)
    }
}
