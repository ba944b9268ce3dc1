import Foundation
import MQTT
import TestSupport
import Testing

/// mosquitto leaves Nagle's algorithm on: of two PUBACKs answering one burst, it holds the second
/// until our TCP ACK of the first arrives, and Linux delays that ACK by ≈40 ms. A client waiting
/// for both (the gateway's uplink does, for each pack) then waits 40 ms per burst.
@Suite("MQTT client: no delayed-ACK stall behind a Nagle broker", .timeLimit(.minutes(2)))
struct DelayedAckTests {
    /// Rounds of two concurrent QoS 1 publishes, each round awaited: ≈40 ms a round with delayed
    /// ACKs (about 1.2 s for 30), well under a millisecond without.
    func thirtyRounds(acknowledgingImmediately: Bool) async throws -> Duration {
        let broker = try Mosquitto()
        defer { broker.stop() }
        let client = makeClient(broker, id: "quickack-\(acknowledgingImmediately)", version: .v3_1_1) {
            $0.acknowledgesReadsImmediately = acknowledgingImmediately
        }
        _ = try await client.connect()
        // Warm-up: the kernel delays ACKs only once the connection looks interactive.
        for round in 0..<10 { try await publishPair(client, round: round) }
        let started = ContinuousClock.now
        for round in 0..<30 { try await publishPair(client, round: round) }
        let elapsed = ContinuousClock.now - started
        await client.shutdown()
        return elapsed
    }

    func publishPair(_ client: MQTTClient, round: Int) async throws {
        async let first = client.publish(MQTTMessage(topic: "pair/a", payload: "a\(round)", qos: .atLeastOnce))
        async let second = client.publish(MQTTMessage(topic: "pair/b", payload: "b\(round)", qos: .atLeastOnce))
        let results = try await [first, second]
        for result in results { #expect(result.isSuccess) }
    }

    @Test func pairsOfQoS1PublishesDoNotWaitForDelayedAcks() async throws {
        let elapsed = try await thirtyRounds(acknowledgingImmediately: true)
        // 30 delayed ACKs would be ≥ 1.2 s; a loaded CI machine still stays far below 0.4 s.
        #expect(elapsed < .milliseconds(400), "30 rounds took \(elapsed)")
    }
}
