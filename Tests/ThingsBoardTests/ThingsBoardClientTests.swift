import Foundation
import GatewayKit
import Logging
import MQTT
import NIOCore
import Testing
import TestSupport
@testable import ThingsBoard

/// The ThingsBoard session against a real mosquitto standing in for ThingsBoard.
@Suite(.timeLimit(.minutes(3))) struct ThingsBoardClientTests {
    func configuration(port: Int, credentials: ThingsBoardCredentials = .accessToken("TB_TOKEN"),
                       limitsTimeout: Duration = .seconds(1)) -> ThingsBoardConnectionConfiguration {
        ThingsBoardConnectionConfiguration(
            host: "127.0.0.1", port: port, keepAlive: .seconds(30), credentials: credentials,
            sessionLimitsTimeout: limitsTimeout,
            reconnectBackoff: ExponentialBackoff(initial: .milliseconds(200), maximum: .seconds(1)))
    }

    @Test func accessTokenIsTheUsernameAndTheSessionDoesNotStallWithoutLimitsReply() async throws {
        let broker = try Mosquitto()
        defer { broker.stop() }
        let client = ThingsBoardClient(configuration: configuration(port: broker.port), logger: Logger(label: "test"))
        let run = Task { await client.run() }
        defer { run.cancel() }
        // Nobody answers getSessionLimits: ready after the 1 s timeout anyway (the reference stalls).
        #expect(await waitReady(client))
        #expect(await waitUntil(timeout: 5) { broker.log().contains("u'TB_TOKEN'") }, "broker log:\n\(broker.log())")
        #expect(await client.limits.maxPayloadBytes == 8196)
    }

    /// A device reported disconnected while ThingsBoard is unreachable: the call returns at once
    /// (a connector's message loop makes it; waiting stopped the loop reading its broker), and the
    /// device is not announced by the next session.
    @Test func aDisconnectDuringAnOutageDoesNotWait() async throws {
        let client = ThingsBoardClient(configuration: configuration(port: freeTCPPort()), logger: Logger(label: "test"))
        let run = Task { await client.run() }
        defer { run.cancel() }
        let started = ContinuousClock.now
        try await client.disconnectDevice("Pump 7")
        #expect(ContinuousClock.now - started < .seconds(1))
    }

    @Test func sessionLimitsReplyIsApplied() async throws {
        let broker = try Mosquitto()
        defer { broker.stop() }
        let responder = try await LimitsResponder(port: broker.port, reply: #"{"maxPayloadSize":1000,"maxInflightMessages":10,"rateLimits":{"messages":"100:1,"},"gatewayRateLimits":{}}"#)
        defer { Task { await responder.stop() } }
        let client = ThingsBoardClient(configuration: configuration(port: broker.port, limitsTimeout: .seconds(20)),
                                       logger: Logger(label: "test"))
        let run = Task { await client.run() }
        defer { run.cancel() }
        #expect(await waitReady(client))
        let limits = await client.limits
        #expect(limits.maxPayloadBytes == 800)
        #expect(limits.maxInflightMessages == 8)
        #expect(limits.gateway.messages.description == "80:1")
    }

    @Test func usernamePasswordAuthenticationAndRefusal() async throws {
        let broker = try Mosquitto(users: ["tbuser": "tbpass"])
        defer { broker.stop() }
        let good = ThingsBoardClient(
            configuration: configuration(port: broker.port, credentials: .usernamePassword(username: "tbuser", password: "tbpass", clientID: "gw-client")),
            logger: Logger(label: "test"))
        let goodRun = Task { await good.run() }
        defer { goodRun.cancel() }
        #expect(await waitReady(good))
        #expect(broker.log().contains("as gw-client"))

        let bad = ThingsBoardClient(
            configuration: configuration(port: broker.port, credentials: .usernamePassword(username: "tbuser", password: "wrong", clientID: nil)),
            logger: Logger(label: "test"))
        let badRun = Task { await bad.run() }
        defer { badRun.cancel() }
        #expect(await waitReady(bad, seconds: 2) == false)
        #expect(await bad.statistics().connects == 0)
    }

    /// ThingsBoard down for 10 s, then back on its port. While nothing listens, attempts follow the
    /// short back-off for refused connections, so the session is back about a second after
    /// ThingsBoard. With the usual back-off alone (here from 8 s) the attempts would come 4–8 s and
    /// then 12–24 s after the connection was lost: never within 2 s of the restart.
    @Test func aThingsBoardThatComesBackIsReconnectedWithinSeconds() async throws {
        var broker = try Mosquitto()
        let port = broker.port
        var settings = configuration(port: port)
        settings.reconnectBackoff = ExponentialBackoff(initial: .seconds(8), maximum: .seconds(60))
        settings.refusedReconnectBackoff = ExponentialBackoff(initial: .milliseconds(200), maximum: .milliseconds(500))
        let client = ThingsBoardClient(configuration: settings, logger: Logger(label: "test"))
        let run = Task { await client.run() }
        defer { run.cancel() }
        #expect(await waitReady(client))
        broker.stop()
        try await Task.sleep(for: .seconds(10))
        broker = try Mosquitto(port: port)
        defer { broker.stop() }
        let restarted = ContinuousClock.now
        #expect(await waitUntil(timeout: 20) { await client.statistics().connects == 2 })
        // Connected within the refused back-off (0.5 s at most) and the broker's start.
        #expect(ContinuousClock.now - restarted < .seconds(2), "\(ContinuousClock.now - restarted)")
    }

    @Test func everyReconnectResubscribesAndReannouncesDevices() async throws {
        var broker = try Mosquitto()
        let port = broker.port
        let client = ThingsBoardClient(configuration: configuration(port: port), logger: Logger(label: "test"))
        let run = Task { await client.run() }
        defer { run.cancel() }
        #expect(await waitReady(client))
        var observer = try BrokerObserver(port: port, topics: ["v1/gateway/connect"])
        try await client.announce([(name: "Dev A", type: "meter")])
        #expect(await waitUntil(timeout: 5) { observer.messages().count == 1 })
        observer.stop()

        broker.stop()
        broker = try Mosquitto(port: port)
        defer { broker.stop() }
        observer = try BrokerObserver(port: port, topics: ["v1/gateway/connect", "v1/gateway/telemetry"])
        defer { observer.stop() }
        #expect(await waitUntil(timeout: 15) { observer.messages(on: "v1/gateway/connect").count >= 1 },
                "device not re-announced after reconnect; broker log:\n\(broker.log())")
        #expect(observer.messages(on: "v1/gateway/connect").first?.payload == #"{"device":"Dev A","type":"meter"}"#)

        // And the re-made subscriptions work: an RPC from "ThingsBoard" reaches the client.
        let rpc = #"{"device":"Dev A","data":{"id":7,"method":"setRelay","params":{"on":true}}}"#
        let publisher = try PeerProcess(executable: "mosquitto_pub",
                                        arguments: ["-h", "127.0.0.1", "-p", "\(port)", "-t", "v1/gateway/rpc", "-q", "1", "-m", rpc],
                                        logFile: try makeScratchDirectory("pub").appendingPathComponent("pub.log"))
        publisher.process.waitUntilExit()
        let received = await firstInbound(of: client, within: 15)
        #expect(received == .deviceRPC(device: "Dev A", id: 7, method: "setRelay", params: ["on": true]))
    }

    /// Over a link with a 100 ms round trip, one device at a time would take 4 s for 40 devices.
    @Test func devicesAreAnnouncedTogetherInOneRoundTrip() async throws {
        let broker = try Mosquitto()
        defer { broker.stop() }
        let (proxy, proxyPort) = try await DelayProxy.start(
            to: broker.port, delayMs: 50, logFile: try makeScratchDirectory("proxy").appendingPathComponent("proxy.log"))
        defer { proxy.stop() }
        let client = ThingsBoardClient(configuration: configuration(port: proxyPort), logger: Logger(label: "test"))
        let run = Task { await client.run() }
        defer { run.cancel() }
        #expect(await waitReady(client))
        let observer = try BrokerObserver(port: broker.port, topics: ["v1/gateway/connect"])
        defer { observer.stop() }
        let devices = (0..<40).map { (name: "Meter \($0)", type: "meter") }
        let started = ContinuousClock.now
        try await client.announce(devices)
        let took = ContinuousClock.now - started
        #expect(took < .seconds(1), "announcing 40 devices took \(took)")
        #expect(await waitUntil(timeout: 10) { observer.messages().count == 40 })
        #expect(observer.messages().map(\.payload) == devices.map { #"{"device":"\#($0.name)","type":"meter"}"# })
        // Announced once per session.
        try await client.announce(devices)
        try await Task.sleep(for: .milliseconds(300))
        #expect(observer.messages().count == 40)
    }

    @Test func publishesWaitForTheRateLimitInsteadOfDropping() async throws {
        let broker = try Mosquitto()
        defer { broker.stop() }
        var config = configuration(port: broker.port)
        // Data of devices behind the gateway counts against the devices' telemetry limits.
        config.deviceRateLimits = .init(messages: .unlimited, telemetryMessages: RateLimitSpec(windows: [.init(count: 10, seconds: 1)]),
                                        telemetryDatapoints: .unlimited)
        let client = ThingsBoardClient(configuration: config, logger: Logger(label: "test"))
        let run = Task { await client.run() }
        defer { run.cancel() }
        #expect(await waitReady(client))
        let observer = try BrokerObserver(port: broker.port, topics: ["v1/gateway/telemetry"])
        defer { observer.stop() }
        let started = ContinuousClock.now
        for index in 0..<25 {
            try await client.publish(GatewayMessage(topic: GatewayTopics.telemetry,
                                                    payload: Array(#"{"D":[{"ts":\#(index),"values":{"i":\#(index)}}]}"#.utf8),
                                                    kind: .telemetry, datapoints: 1))
        }
        let elapsed = ContinuousClock.now - started
        // 10 immediately, then 10/s: 25 messages need at least ~1.5 s. None is dropped.
        #expect(elapsed > .milliseconds(1300))
        #expect(await waitUntil(timeout: 5) { observer.messages().count == 25 })
    }
}

/// Answers getSessionLimits with a fixed reply, as ThingsBoard would.
final class LimitsResponder: Sendable {
    let client: MQTTClient
    let task: Task<Void, Never>

    init(port: Int, reply: String) async throws {
        var configuration = MQTTClientConfiguration(host: "127.0.0.1", port: port, clientID: "limits-responder")
        configuration.version = .v5
        let client = MQTTClient(configuration: configuration, logger: Logger(label: "responder"))
        _ = try await client.connect()
        _ = try await client.subscribe([MQTTSubscription(filter: "v1/devices/me/rpc/request/+", qos: .atLeastOnce, noLocal: true)])
        self.client = client
        self.task = Task {
            for await message in client.messages {
                let id = message.topic.split(separator: "/").last.map(String.init) ?? ""
                _ = try? await client.publish(MQTTMessage(topic: "v1/devices/me/rpc/response/\(id)",
                                                          payload: ByteBuffer(string: reply), qos: .atLeastOnce))
            }
        }
    }

    func stop() async {
        task.cancel()
        await client.shutdown()
    }
}
