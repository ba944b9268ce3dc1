@testable import MQTT
import NIOCore
import Synchronization
import TestSupport
import Testing

/// `MQTTReadPacer`: when the next read of a connection with `readBatching` may start.
@Suite("MQTT client: read batching decisions")
struct ReadPacerTests {
    let start = NIODeadline.uptimeNanoseconds(1_000_000_000)
    func at(_ milliseconds: Int64) -> NIODeadline { start + .milliseconds(milliseconds) }

    /// One read that brought `messages` publishes of 50 bytes each.
    func read(_ pacer: inout MQTTReadPacer, messages: Int) {
        for _ in 0..<messages {
            pacer.received(bytes: 50)
            pacer.receivedPublish()
        }
    }

    @Test func aTrickleIsReadOncePerIntervalAndAQuietSocketAtOnce() {
        var pacer = MQTTReadPacer(interval: .milliseconds(10))
        #expect(pacer.nextRead(now: at(0)) == nil, "nothing read yet: the socket waits for the first message")
        read(&pacer, messages: 1)
        #expect(pacer.nextRead(now: at(1)) == at(11))
        for step in Int64(1)...5 {
            read(&pacer, messages: 3)
            #expect(pacer.nextRead(now: at(1 + 10 * step)) == at(11 + 10 * step), "step \(step)")
        }
        // A held read that found nothing waits for data without holding the next one back.
        #expect(pacer.nextRead(now: at(61)) == nil)
    }

    @Test func theHoldIsAsLongAsABatchTakesAtTheRateOfTheLastInterval() {
        var pacer = MQTTReadPacer(interval: .milliseconds(100))
        #expect(pacer.nextRead(now: at(0)) == nil)
        read(&pacer, messages: 1)
        #expect(pacer.nextRead(now: at(1)) == at(101))
        read(&pacer, messages: 100)
        #expect(pacer.nextRead(now: at(101)) == nil, "a read that brought more than two batches: a burst")
        read(&pacer, messages: 1)
        // 101 messages in the last 101 ms: 8 take 8 ms.
        #expect(pacer.nextRead(now: at(102)) == at(110))
    }

    /// A server that sends `window` unacknowledged messages, then waits for their PUBACKs (sent
    /// after each read): every held read brings the window, so the rate seen grows as the hold
    /// shrinks, until reads go out at once, and stay so while the stream keeps up that rate.
    @Test(arguments: [(15, 10), (10, 100), (9, 100)])
    func aWindowBoundStreamEndsUpReadAtOnce(window: Int, intervalMilliseconds: Int64) {
        var pacer = MQTTReadPacer(interval: .milliseconds(intervalMilliseconds))
        var now = at(0)
        _ = pacer.nextRead(now: now)
        read(&pacer, messages: 1)
        var due = pacer.nextRead(now: now)
        var held = TimeAmount.zero
        while let next = due, held < .seconds(10) {
            held = held + (next - now)
            now = next
            read(&pacer, messages: window)
            due = pacer.nextRead(now: now)
        }
        #expect(due == nil)
        // After one full hold (no earlier read to compare with), the holds shrink by 8/window per
        // read: their sum is at most interval × (1 + window / (window − 8)).
        let bound = intervalMilliseconds + intervalMilliseconds * Int64(window) / Int64(window - 8)
        #expect(held <= .milliseconds(bound), "held \(held)")
        for _ in 0..<50 {
            now = now + .microseconds(200)
            read(&pacer, messages: window)
            #expect(pacer.nextRead(now: now) == nil)
        }
    }

    @Test func largeMessagesShortenTheHoldToo() {
        var pacer = MQTTReadPacer(interval: .milliseconds(10), batchBytes: 4_096)
        #expect(pacer.nextRead(now: at(0)) == nil)
        pacer.received(bytes: 100)
        pacer.receivedPublish()
        #expect(pacer.nextRead(now: at(1)) == at(11))
        pacer.received(bytes: 8_192)
        pacer.receivedPublish()
        #expect(pacer.nextRead(now: at(11)) == nil, "two batches' worth of bytes in one read: a burst")
        pacer.received(bytes: 5_000)
        pacer.receivedPublish()
        #expect(pacer.nextRead(now: at(12)) == nil, "5 KB in 1 ms: 4 KB take less than the shortest hold")
    }

    /// The rate after a long silence is tiny, not an overflow (the deadlines count from boot).
    @Test func aLongSilenceDoesNotOverflow() {
        let booted = NIODeadline.uptimeNanoseconds(UInt64(60 * 86_400) * 1_000_000_000)
        var pacer = MQTTReadPacer(interval: .milliseconds(10))
        #expect(pacer.nextRead(now: booted) == nil)
        pacer.received(bytes: 4)
        let later = booted + .hours(24 * 300)
        #expect(pacer.nextRead(now: later) == later + .milliseconds(10))
    }
}

/// `readBatching` against a real mosquitto: what a consumer of the client sees.
@Suite("MQTT client: read batching, against a real mosquitto", .timeLimit(.minutes(2)))
struct ReadBatchingTests {
    /// Collects the payloads a client delivers, with when each arrived.
    final class Arrivals: Sendable {
        final class Log: Sendable {
            let entries = Mutex<[(text: String, at: ContinuousClock.Instant)]>([])
        }
        private let log = Log()
        private let reader: Task<Void, Never>

        init(_ client: MQTTClient) {
            let messages = client.messages
            let log = self.log
            reader = Task {
                for await message in messages {
                    let now = ContinuousClock.now
                    log.entries.withLock { $0.append((message.payload.text, now)) }
                }
            }
        }

        deinit { reader.cancel() }

        /// When `text` arrived, waiting for it up to `seconds`.
        func time(of text: String, seconds: Double = 20) async throws -> ContinuousClock.Instant {
            let deadline = ContinuousClock.now + .seconds(seconds)
            while ContinuousClock.now < deadline {
                if let found = log.entries.withLock({ $0.first { $0.text == text }?.at }) { return found }
                try await Task.sleep(for: .milliseconds(1))
            }
            throw MQTTError.connectionLost
        }

        var texts: [String] { log.entries.withLock { $0.map(\.text) } }
    }

    @Test func aMessageAfterAQuietSpellComesAtOnceAndTheNextOnesTogetherAnIntervalLater() async throws {
        let broker = try Mosquitto()
        defer { broker.stop() }
        let receiver = makeClient(broker, id: "batching-receiver") { $0.readBatching = .milliseconds(300) }
        let arrivals = Arrivals(receiver)
        _ = try await receiver.connect()
        _ = try await receiver.subscribe([MQTTSubscription(filter: "t/#", qos: .atLeastOnce)])
        let sender = makeClient(broker, id: "batching-sender")
        _ = try await sender.connect()
        try await Task.sleep(for: .milliseconds(500))

        let sent = ContinuousClock.now
        _ = try await sender.publish(MQTTMessage(topic: "t/a", payload: "a", qos: .atLeastOnce))
        let first = try await arrivals.time(of: "a")
        #expect(first - sent < .milliseconds(250), "the socket was waiting: read at once")

        _ = try await sender.publish(MQTTMessage(topic: "t/b", payload: "b", qos: .atLeastOnce))
        try await Task.sleep(for: .milliseconds(50))
        _ = try await sender.publish(MQTTMessage(topic: "t/c", payload: "c", qos: .atLeastOnce))
        let second = try await arrivals.time(of: "b")
        let third = try await arrivals.time(of: "c")
        #expect(second - first >= .milliseconds(200), "held until an interval after the read of a")
        #expect(second - first < .milliseconds(1_500))
        #expect(third >= second)
        #expect(arrivals.texts == ["a", "b", "c"])

        // An answer the client waits for is not held: "c" was just read, so the next read would be.
        try await Task.sleep(for: .milliseconds(20))
        _ = try await sender.publish(MQTTMessage(topic: "t/d", payload: "d", qos: .atLeastOnce))
        let dArrived = try await arrivals.time(of: "d")
        let subscribing = ContinuousClock.now
        _ = try await receiver.subscribe([MQTTSubscription(filter: "u/#", qos: .atLeastOnce)])
        #expect(ContinuousClock.now - subscribing < .milliseconds(200), "the SUBACK waited for the held read")
        #expect(dArrived >= third)
        await sender.disconnect()
        await receiver.disconnect()
    }

    /// Answers to requests written while a read is handled are read at once too: the PUBCOMP of
    /// a QoS 2 publish (its PUBREL goes out on the PUBREC), and a PINGRESP when the batching
    /// interval is longer than the keep-alive.
    @Test func answersAreReadAsTheyComeEvenWhileReadsAreHeld() async throws {
        let broker = try Mosquitto()
        defer { broker.stop() }
        let client = makeClient(broker, id: "batching-answers") {
            $0.readBatching = .seconds(2)
            $0.keepAlive = .seconds(1)
        }
        _ = try await client.connect()
        _ = try await client.subscribe([MQTTSubscription(filter: "x/#", qos: .atLeastOnce)])
        for index in 0..<3 {
            let started = ContinuousClock.now
            let result = try await client.publish(MQTTMessage(topic: "y/\(index)", payload: "q2", qos: .exactlyOnce))
            #expect(result.isSuccess)
            #expect(ContinuousClock.now - started < .milliseconds(500), "publish \(index): \(ContinuousClock.now - started)")
        }
        // Three keep-alive rounds; a PINGRESP left unread for 2 s would end the connection.
        try await Task.sleep(for: .milliseconds(3_500))
        #expect(client.isConnected)
        let started = ContinuousClock.now
        _ = try await client.publish(MQTTMessage(topic: "y/last", payload: "q2", qos: .exactlyOnce))
        #expect(ContinuousClock.now - started < .milliseconds(500))
        await client.disconnect()
    }

    /// A server that sends 20 QoS 1 messages, then waits for their PUBACKs (MQTT 5 Receive
    /// Maximum, mosquitto's default `max_inflight_messages` for 3.1.1; mosquitto 2.0.11 itself
    /// stops holding to it once acknowledgements flow, so a scripted server keeps it here). Paced
    /// reads would slow such a stream to 20 per interval (600 messages in 9 s here); a busy stream
    /// is read at once.
    @Test func aBusyStreamIsNotSlowedByAServerInFlightLimit() async throws {
        let (client, elapsed) = try await ScriptedServer.withConnectedClient(
            "batching-window", configure: { $0.readBatching = .milliseconds(300) }
        ) { client, packets, outbound, _ -> Duration in
            let consumer = Task {
                var count = 0
                for await _ in client.messages {
                    count += 1
                    if count == 600 { break }
                }
            }
            let started = ContinuousClock.now
            for round in 0..<30 {
                let ids = (1...20).map { UInt16(round * 20 + $0) }
                try await outbound.write(contentsOf: ids.map { id in
                    .publish(MQTTPublishPacket(topic: "t", payload: ByteBuffer(string: "\(id)"), qos: .atLeastOnce, packetID: id))
                })
                var acknowledged: [UInt16] = []
                while acknowledged.count < ids.count, let packet = try await packets.next() {
                    guard case .puback(let puback) = packet else { throw Unexpected() }
                    acknowledged.append(puback.packetID)
                }
                #expect(acknowledged == ids)
            }
            await consumer.value
            return ContinuousClock.now - started
        }
        defer { Task { await client.shutdown() } }
        #expect(elapsed < .seconds(3), "took \(elapsed)")
    }
}
