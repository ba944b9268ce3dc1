import Foundation
import Logging
@testable import MQTT
import NIOCore
import TestSupport
import Testing

@Suite("MQTT client against a real mosquitto", .timeLimit(.minutes(3)))
struct ClientIntegrationTests {
    @Test(arguments: [MQTTVersion.v3_1_1, .v5, .v3_1])
    func roundTripAllQoS(version: MQTTVersion) async throws {
        let broker = try Mosquitto()
        defer { broker.stop() }
        let client = makeClient(broker, id: "rt-\(version)", version: version)
        let ack = try await client.connect()
        #expect(ack.reasonCode == .success)
        #expect(client.isConnected)
        let granted = try await client.subscribe([MQTTSubscription(filter: "t/#", qos: .exactlyOnce)])
        #expect(granted.map(\.grantedQoS) == [.exactlyOnce])
        for qos in [MQTTQoS.atMostOnce, .atLeastOnce, .exactlyOnce] {
            let result = try await client.publish(MQTTMessage(topic: "t/\(qos.rawValue)", payload: "p\(qos.rawValue)", qos: qos))
            #expect(result.isSuccess)
        }
        let received = try await collect(client, count: 3)
        #expect(received.map(\.topic) == ["t/0", "t/1", "t/2"])
        #expect(received.map(\.payload.text) == ["p0", "p1", "p2"])
        #expect(received.map(\.qos) == [.atMostOnce, .atLeastOnce, .exactlyOnce])
        try await client.unsubscribe(["t/#"])
        _ = try await client.publish(MQTTMessage(topic: "t/x", payload: "after", qos: .atLeastOnce))
        _ = try await client.subscribe([MQTTSubscription(filter: "u", qos: .atLeastOnce)])
        _ = try await client.publish(MQTTMessage(topic: "u", payload: "marker", qos: .atLeastOnce))
        let next = try await collect(client, count: 1)
        #expect(next.map(\.payload.text) == ["marker"], "nothing arrives on t/# after unsubscribe")
        await client.shutdown()
        #expect(!client.isConnected)
    }

    /// A topic name the protocol forbids (a rendered template holding `+`, say) would make the
    /// broker close the connection: the publish fails on its own and the connection stays up.
    @Test(arguments: [MQTTVersion.v3_1_1, .v5])
    func aForbiddenTopicNameFailsThatPublishOnly(version: MQTTVersion) async throws {
        let broker = try Mosquitto()
        defer { broker.stop() }
        let client = makeClient(broker, id: "topic-\(version)", version: version)
        _ = try await client.connect()
        _ = try await client.subscribe([MQTTSubscription(filter: "ok", qos: .atLeastOnce)])
        for topic in ["a/+/b", "a/#", "", "a\u{0}b"] {
            for qos in [MQTTQoS.atMostOnce, .atLeastOnce] {
                await #expect(throws: MQTTError.self, "topic \(topic.debugDescription)") {
                    _ = try await client.publish(MQTTMessage(topic: topic, payload: "x", qos: qos))
                }
            }
        }
        let result = try await client.publish(MQTTMessage(topic: "ok", payload: "still connected", qos: .atLeastOnce))
        #expect(result.isSuccess)
        #expect(try await collect(client, count: 1).map(\.payload.text) == ["still connected"])
        #expect(client.isConnected)
        await client.shutdown()
    }

    @Test func noLocalSuppressesOwnMessages() async throws {
        let broker = try Mosquitto()
        defer { broker.stop() }
        let client = makeClient(broker, id: "nolocal")
        let other = makeClient(broker, id: "other")
        _ = try await client.connect()
        _ = try await other.connect()
        _ = try await client.subscribe([MQTTSubscription(filter: "n", qos: .atLeastOnce, noLocal: true)])
        _ = try await client.publish(MQTTMessage(topic: "n", payload: "own"))
        _ = try await other.publish(MQTTMessage(topic: "n", payload: "foreign"))
        let received = try await collect(client, count: 1)
        #expect(received.map(\.payload.text) == ["foreign"])
        await client.shutdown()
        await other.shutdown()
    }

    @Test func usernameAndPassword() async throws {
        let broker = try passwordProtectedMosquitto(user: "gw", password: "secret")
        defer { broker.stop() }
        for version in [MQTTVersion.v3_1_1, .v5] {
            let good = makeClient(broker, id: "good", version: version) {
                $0.username = "gw"
                $0.password = Array("secret".utf8)
            }
            _ = try await good.connect()
            await good.shutdown()
            let bad = makeClient(broker, id: "bad", version: version) {
                $0.username = "gw"
                $0.password = Array("wrong".utf8)
            }
            do {
                _ = try await bad.connect()
                Issue.record("connect with a wrong password succeeded")
            } catch let MQTTError.connectionRefused(code, _) {
                #expect(code == .badUserNameOrPassword || code == .notAuthorized)
            }
            #expect(!bad.isConnected)
            await bad.shutdown()
        }
    }

    @Test func keepAliveKeepsIdleConnectionOpen() async throws {
        let broker = try Mosquitto()
        defer { broker.stop() }
        let client = makeClient(broker, id: "ka") { $0.keepAlive = .seconds(1) }
        _ = try await client.connect()
        // mosquitto drops a client silent for 1.5 x keep-alive; stay idle well past that.
        try await Task.sleep(for: .seconds(3.5))
        #expect(client.isConnected)
        _ = try await client.subscribe([MQTTSubscription(filter: "k")])
        _ = try await client.publish(MQTTMessage(topic: "k", payload: "alive"))
        #expect(try await collect(client, count: 1).map(\.payload.text) == ["alive"])
        await client.shutdown()
    }

    @Test func keepAliveDetectsDeadServer() async throws {
        // A server that accepts TCP + CONNECT but never answers PINGREQ: SIGSTOP'd mosquitto.
        let broker = try Mosquitto()
        defer { broker.stop() }
        let client = makeClient(broker, id: "dead") { $0.keepAlive = .seconds(1) }
        _ = try await client.connect()
        var events = client.connectionEvents.makeAsyncIterator()
        _ = await events.next()  // .connected
        let pid = try #require(try mosquittoPID(broker))
        kill(pid, SIGSTOP)
        defer { kill(pid, SIGCONT) }
        let event = await events.next()
        guard case .disconnected(let reason)? = event else {
            Issue.record("expected .disconnected, got \(String(describing: event))")
            return
        }
        #expect(reason as? MQTTError == .keepAliveTimeout)
        #expect(!client.isConnected)
        await client.shutdown()
    }

    @Test func persistentSessionReceivesWhileAway() async throws {
        let broker = try Mosquitto()
        defer { broker.stop() }
        let client = makeClient(broker, id: "persist", clean: false) { $0.sessionExpiryInterval = 300 }
        var ack = try await client.connect()
        _ = try await client.subscribe([MQTTSubscription(filter: "p", qos: .atLeastOnce)])
        await client.disconnect()
        #expect(!client.isConnected)
        let publisher = makeClient(broker, id: "pub")
        _ = try await publisher.connect()
        _ = try await publisher.publish(MQTTMessage(topic: "p", payload: "while away", qos: .atLeastOnce))
        await publisher.shutdown()
        ack = try await client.connect()
        #expect(ack.sessionPresent)
        #expect(try await collect(client, count: 1).map(\.payload.text) == ["while away"])
        await client.shutdown()
    }

    @Test func reconnectAfterBrokerRestart() async throws {
        let port = freeTCPPort()
        var broker = try Mosquitto(port: port)
        let client = makeClient(broker, id: "restart")
        _ = try await client.connect()
        var events = client.connectionEvents.makeAsyncIterator()
        _ = await events.next()
        broker.stop()
        guard case .disconnected(let reason)? = await events.next() else {
            Issue.record("no disconnected event")
            return
        }
        #expect(reason != nil)
        await #expect(throws: MQTTError.notConnected) {
            _ = try await client.publish(MQTTMessage(topic: "x", payload: "y"))
        }
        do {
            _ = try await client.connect()
            Issue.record("connect to a stopped broker succeeded")
        } catch {}
        broker = try Mosquitto(port: port)
        defer { broker.stop() }
        _ = try await client.connect()
        #expect(client.isConnected)
        _ = try await client.subscribe([MQTTSubscription(filter: "r")])
        _ = try await client.publish(MQTTMessage(topic: "r", payload: "back"))
        #expect(try await collect(client, count: 1).map(\.payload.text) == ["back"])
        await client.shutdown()
    }

    @Test func manyConcurrentQoS1PublishesArriveInOrder() async throws {
        let broker = try Mosquitto()
        defer { broker.stop() }
        let subscriber = makeClient(broker, id: "sub", version: .v3_1_1)
        _ = try await subscriber.connect()
        _ = try await subscriber.subscribe([MQTTSubscription(filter: "many", qos: .atLeastOnce)])
        let publisher = makeClient(broker, id: "pubmany") { $0.outboundWindow = 50 }
        _ = try await publisher.connect()
        let count = 2000
        let collector = Task { try await collect(subscriber, count: count, seconds: 30) }
        // Publish in waves from a task group; results must all be successes.
        let successes = try await withThrowingTaskGroup(of: Bool.self) { group in
            for index in 0..<count {
                group.addTask {
                    try await publisher.publish(MQTTMessage(topic: "many", payload: "\(index)", qos: .atLeastOnce)).isSuccess
                }
            }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(successes == count)
        let received = try await collector.value
        #expect(received.count == count)
        #expect(Set(received.map(\.payload.text)).count == count, "every message exactly once")
        await publisher.shutdown()
        await subscriber.shutdown()
    }

    @Test func slowConsumerLosesNothing() async throws {
        let broker = try Mosquitto()
        defer { broker.stop() }
        // A tiny inbound buffer: the client must stop reading the socket instead of buffering.
        let slow = makeClient(broker, id: "slow") { $0.inboundBufferHighWatermark = 4 }
        _ = try await slow.connect()
        _ = try await slow.subscribe([MQTTSubscription(filter: "bp", qos: .atLeastOnce)])
        let publisher = makeClient(broker, id: "fast")
        _ = try await publisher.connect()
        let count = 300
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<count {
                group.addTask { _ = try await publisher.publish(MQTTMessage(topic: "bp", payload: "\(index)")) }
            }
            try await group.waitForAll()
        }
        try await Task.sleep(for: .milliseconds(300))  // nobody consumes meanwhile
        #expect(slow.isConnected)
        let received = try await collect(slow, count: count, seconds: 20)
        #expect(Set(received.map(\.payload.text)) == Set((0..<count).map(String.init)))
        await slow.shutdown()
        await publisher.shutdown()
    }

    /// Large messages: the bytes bound stops reading long before the message count does, and
    /// nothing is lost once the consumer catches up.
    @Test func bufferedBytesAreBoundedForASlowConsumer() async throws {
        let broker = try Mosquitto()
        defer { broker.stop() }
        let slow = makeClient(broker, id: "big-slow") { $0.inboundBufferHighWatermarkBytes = 20_000 }
        _ = try await slow.connect()
        _ = try await slow.subscribe([MQTTSubscription(filter: "big", qos: .atLeastOnce)])
        let publisher = makeClient(broker, id: "big-pub")
        _ = try await publisher.connect()
        let count = 200
        let filler = String(repeating: "x", count: 4_000)
        for index in 0..<count {
            _ = try await publisher.publish(MQTTMessage(topic: "big", payload: "\(index) \(filler)", qos: .atLeastOnce))
        }
        try await Task.sleep(for: .milliseconds(500))  // nobody consumes meanwhile
        // 800 KB were published; what is buffered stays near the bound (plus one socket read).
        #expect(slow.bufferedInboundBytes < 200_000, "\(slow.bufferedInboundBytes) bytes buffered")
        let received = try await collect(slow, count: count, seconds: 20)
        let indexes: [String] = received.map { String($0.payload.text.prefix { $0 != " " }) }
        #expect(Set(indexes) == Set((0..<count).map(String.init)))
        #expect(slow.bufferedInboundBytes == 0)
        await slow.shutdown()
        await publisher.shutdown()
    }

    /// A consumer stalled for longer than the keep-alive: the PINGRESP waits unread behind the
    /// paused socket, which must not be taken for a dead server (a clean session would lose
    /// every message the broker still holds).
    @Test func aConsumerStalledBeyondTheKeepAliveKeepsTheConnection() async throws {
        let broker = try Mosquitto()
        defer { broker.stop() }
        let slow = makeClient(broker, id: "stalled") {
            $0.inboundBufferHighWatermark = 4
            $0.keepAlive = .seconds(1)
        }
        _ = try await slow.connect()
        _ = try await slow.subscribe([MQTTSubscription(filter: "stall", qos: .atLeastOnce)])
        let publisher = makeClient(broker, id: "stall-pub")
        _ = try await publisher.connect()
        let count = 200
        for index in 0..<count {
            _ = try await publisher.publish(MQTTMessage(topic: "stall", payload: "\(index)", qos: .atLeastOnce))
        }
        try await Task.sleep(for: .seconds(4))  // nobody consumes for 4 keep-alive intervals
        #expect(slow.isConnected)
        let received = try await collect(slow, count: count, seconds: 20)
        #expect(Set(received.map(\.payload.text)) == Set((0..<count).map(String.init)))
        #expect(slow.isConnected)
        await slow.shutdown()
        await publisher.shutdown()
    }

    @Test func sequentialPublishesKeepOrder() async throws {
        let broker = try Mosquitto()
        defer { broker.stop() }
        let client = makeClient(broker, id: "order")
        _ = try await client.connect()
        _ = try await client.subscribe([MQTTSubscription(filter: "o", qos: .atLeastOnce)])
        for index in 0..<200 {
            _ = try await client.publish(MQTTMessage(topic: "o", payload: "\(index)", qos: .atLeastOnce))
        }
        let received = try await collect(client, count: 200)
        #expect(received.map(\.payload.text) == (0..<200).map(String.init))
        await client.shutdown()
    }
}

/// A broker that refuses anonymous clients. (Builds the password file itself with an absolute
/// tool path: TestSupport's PATH lookup does not find tools in /usr/bin — reported to the lead.)
func passwordProtectedMosquitto(user: String, password: String) throws -> Mosquitto {
    let directory = try makeScratchDirectory("passwd")
    let file = directory.appendingPathComponent("passwd").path
    FileManager.default.createFile(atPath: file, contents: nil)
    _ = try runTool("/usr/bin/mosquitto_passwd", ["-b", file, user, password])
    return try Mosquitto(extraConfig: ["allow_anonymous false", "password_file \(file)"])
}

/// The pid of the mosquitto process started by the test (from its listener port).
func mosquittoPID(_ broker: Mosquitto) throws -> pid_t? {
    let output = try runTool("/usr/bin/env", ["pgrep", "-f", broker.directory.path]).output
    return output.split(separator: "\n").compactMap { pid_t($0) }.first
}
