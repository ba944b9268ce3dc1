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
        read(&pacer, messages: 1)
        #expect(pacer.nextRead(now: at(0)) == at(100))
        read(&pacer, messages: 100)
        #expect(pacer.nextRead(now: at(100)) == nil, "a read that brought more than two batches: a burst")
        read(&pacer, messages: 1)
        // 100 messages in the last 100 ms: 8 take 8 ms.
        #expect(pacer.nextRead(now: at(101)) == at(109))
    }

    /// A server that sends 15 unacknowledged messages, then waits for their PUBACKs (sent after
    /// each read): every hold brings 15, so the rate seen grows as the hold shrinks, until reads
    /// go out at once, and stay so while the stream keeps up that rate.
    @Test func aWindowBoundStreamEndsUpReadAtOnce() {
        var pacer = MQTTReadPacer(interval: .milliseconds(10))
        var now = at(0)
        read(&pacer, messages: 1)
        var due = pacer.nextRead(now: now)
        var holds = 0
        while let next = due, holds < 50 {
            now = next
            read(&pacer, messages: 15)
            due = pacer.nextRead(now: now)
            holds += 1
        }
        #expect(due == nil)
        #expect(holds < 15, "\(holds) holds")
        for _ in 0..<50 {
            now = now + .microseconds(200)
            read(&pacer, messages: 15)
            #expect(pacer.nextRead(now: now) == nil)
        }
    }

    @Test func largeMessagesShortenTheHoldToo() {
        var pacer = MQTTReadPacer(interval: .milliseconds(10), batchBytes: 4_096)
        pacer.received(bytes: 8_192)
        pacer.receivedPublish()
        #expect(pacer.nextRead(now: at(0)) == nil, "two batches' worth of bytes in one read")
        pacer.received(bytes: 100)
        pacer.receivedPublish()
        #expect(pacer.nextRead(now: at(1)) != nil)
        for millisecond in Int64(2)...9 {
            pacer.received(bytes: 8_000)
            pacer.receivedPublish()
            #expect(pacer.nextRead(now: at(millisecond)) != nil)
        }
        pacer.received(bytes: 8_000)
        pacer.receivedPublish()
        #expect(pacer.nextRead(now: at(10)) == nil, "72 KB in 10 ms: 4 KB take less than the shortest hold")
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
        #expect(first - sent < .milliseconds(150), "the socket was waiting: read at once")

        _ = try await sender.publish(MQTTMessage(topic: "t/b", payload: "b", qos: .atLeastOnce))
        try await Task.sleep(for: .milliseconds(50))
        _ = try await sender.publish(MQTTMessage(topic: "t/c", payload: "c", qos: .atLeastOnce))
        let second = try await arrivals.time(of: "b")
        let third = try await arrivals.time(of: "c")
        #expect(second - first >= .milliseconds(200), "held until an interval after the read of a")
        #expect(second - first < .milliseconds(1_500))
        #expect(third - second < .milliseconds(100), "b and c came in one read")
        #expect(arrivals.texts == ["a", "b", "c"])
        await sender.disconnect()
        await receiver.disconnect()
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
