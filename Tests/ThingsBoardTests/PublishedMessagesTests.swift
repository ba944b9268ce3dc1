import Logging
@testable import MQTT
import NIOCore
import NIOPosix
import TestSupport
import Testing
@testable import ThingsBoard

/// Waiting for acknowledgements with a bound: ThingsBoard withholds the PUBACK of a
/// `v1/gateway/connect` for a device it cannot create, and that must not stop delivery.
struct PublishedMessagesTests {
    let client = ThingsBoardClient(
        configuration: ThingsBoardConnectionConfiguration(host: "127.0.0.1", port: 1, keepAlive: .seconds(30),
                                                          credentials: .accessToken("T")),
        logger: Logger(label: "test"))

    @Test func anAcknowledgementThatNeverComesIsGivenUpAfterTheTimeout() async throws {
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let pending = loop.makePromise(of: [Result<MQTTPublishResult, any Error>].self)
        let published = PublishedMessages(client: client, messages: [.connect(device: "Meter 11", type: "meter")],
                                          parts: [MQTTPublishing(outcomes: pending.futureResult, batch: -1)])
        let started = ContinuousClock.now
        #expect(try await published.acknowledged(within: .milliseconds(200)) == false)
        let waited = ContinuousClock.now - started
        #expect(waited >= .milliseconds(200) && waited < .seconds(3), "\(waited)")
        // Acknowledged later: the next wait returns at once.
        pending.succeed([.success(MQTTPublishResult(reasonCode: .success, reasonString: nil))])
        #expect(try await published.acknowledged(within: .seconds(5)) == true)
    }

    @Test func aRejectionWithinTheTimeoutIsThrown() async throws {
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let rejected = loop.makeSucceededFuture([Result<MQTTPublishResult, any Error>.success(
            MQTTPublishResult(reasonCode: MQTTReasonCode(0x99), reasonString: nil))])
        let published = PublishedMessages(client: client, messages: [.connect(device: "D", type: "t")], parts: [MQTTPublishing(outcomes: rejected, batch: -1)])
        await #expect(throws: ThingsBoardError.publishRejected(topic: "v1/gateway/connect", reasonCode: 0x99)) {
            _ = try await published.acknowledged(within: .seconds(5))
        }
        #expect(ThingsBoardError.publishRejected(topic: "t", reasonCode: 0x99).isPermanent)
        #expect(!ThingsBoardError.publishRejected(topic: "t", reasonCode: 0x97).isPermanent)
        #expect(!ThingsBoardError.publishRejected(topic: "t", reasonCode: 0x83).isPermanent)
    }
}

/// ThingsBoard before 4.2.1 never answers the data of a device it cannot create while it answers
/// everything else: `answers(within:)` gives up on such messages so they stop holding the
/// in-flight window, including those that had to wait for a slot behind them.
@Suite(.timeLimit(.minutes(1))) struct WithheldAnswersTests {
    @Test func messagesLeftUnansweredAreAbandonedRoundByRoundAndFreeTheWindow() async throws {
        let broker = try Mosquitto()
        defer { broker.stop() }
        let scratch = try makeScratchDirectory("withheld-answers")
        let (proxy, port) = try await PubackWithholdingProxy.start(to: broker.port, marker: "ghost", connections: 0,
                                                                  action: .withhold,
                                                                  logFile: scratch.appendingPathComponent("proxy.log"))
        defer { proxy.stop() }
        let client = ThingsBoardClient(configuration: ThingsBoardConnectionConfiguration(
            host: "127.0.0.1", port: port, credentials: .accessToken("T"), sessionLimitsTimeout: .milliseconds(200)),
            logger: Logger(label: "test"))
        let run = Task { await client.run() }
        defer { run.cancel() }
        #expect(await waitReady(client))
        let window = await client.limits.maxInflightMessages
        // More unanswered messages than the window holds, then one ThingsBoard answers.
        let messages = (0..<(window + 20)).map { index in
            GatewayMessage(topic: "v1/gateway/telemetry", payload: Array(#"{"D\#(index)":[{"ghost":1}]}"#.utf8),
                           kind: .telemetry, datapoints: 1)
        } + [GatewayMessage(topic: "v1/gateway/telemetry", payload: Array(#"{"E":[{"v":1}]}"#.utf8), kind: .telemetry, datapoints: 1)]
        let published = try await client.startPublishing(messages, separately: true)
        let answers = await published.answers(within: .milliseconds(300))

        #expect(answers.count == messages.count)
        #expect(answers.prefix(window + 20).allSatisfy { if case .withheld = $0 { true } else { false } })
        if case .acknowledged = answers.last {} else { Issue.record("the answered message: \(String(describing: answers.last))") }
        #expect(proxy.output().components(separatedBy: "withheld").count - 1 == window + 20, "not every message was sent")
        #expect(client.publishesAwaitingAcknowledgement == 0)
        #expect(await client.statistics().connects == 1)
    }
}

/// Device limits as ThingsBoard counts them (one telemetry message per device section), and its
/// rate-limit notice, `v1/gateway/disconnect` with reason 150, which spends them as the
/// reference's `reach_limit` does: the next device message waits for a refill.
@Suite(.timeLimit(.minutes(1))) struct RateLimitNoticeTests {
    @Test func reason150SpendsTheDeviceLimits() async throws {
        let broker = try Mosquitto()
        defer { broker.stop() }
        let limits = SessionLimits.RateLimits(messages: .unlimited, telemetryMessages: try RateLimitSpec(parsing: "2:1", host: "h"),
                                              telemetryDatapoints: .unlimited)
        let client = ThingsBoardClient(configuration: ThingsBoardConnectionConfiguration(
            host: "127.0.0.1", port: broker.port, credentials: .accessToken("T"), deviceRateLimits: limits,
            sessionLimitsTimeout: .milliseconds(200)), logger: Logger(label: "test"))
        let run = Task { await client.run() }
        defer { run.cancel() }
        #expect(await waitReady(client))
        let message = GatewayMessage(topic: "v1/gateway/telemetry", payload: Array(#"{"D":[{"v":1}]}"#.utf8),
                                     kind: .telemetry, datapoints: 1)
        // Two devices in one message are two telemetry messages to ThingsBoard.
        let twoDevices = GatewayMessage(topic: "v1/gateway/telemetry", payload: Array(#"{"D":[{"v":1}],"E":[{"v":1}]}"#.utf8),
                                        kind: .telemetry, datapoints: 2, deviceSections: 2)
        var started = ContinuousClock.now
        try await client.publish(message)
        #expect(ContinuousClock.now - started < .milliseconds(300), "a token was left")

        // The 2-message window is now spent by one message of two devices.
        started = ContinuousClock.now
        try await client.publish(twoDevices)
        #expect(ContinuousClock.now - started >= .milliseconds(300), "two device sections counted as one message")
        try await Task.sleep(for: .seconds(1))  // the window refills

        await client.handle(topic: "v1/gateway/disconnect", payload: Array(#"{"device":"D","reason":150}"#.utf8))
        started = ContinuousClock.now
        try await client.publish(message)
        #expect(ContinuousClock.now - started >= .milliseconds(300), "the notice did not spend the device limits")
    }
}
