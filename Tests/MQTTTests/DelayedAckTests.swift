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
    /// ACKs, well under a millisecond without. Returns each round's duration.
    func thirtyRounds(acknowledgingImmediately: Bool) async throws -> [Duration] {
        let broker = try Mosquitto()
        defer { broker.stop() }
        let client = makeClient(broker, id: "quickack-\(acknowledgingImmediately)", version: .v3_1_1) {
            $0.acknowledgesReadsImmediately = acknowledgingImmediately
        }
        _ = try await client.connect()
        // Warm-up: the kernel delays ACKs only once the connection looks interactive.
        for round in 0..<10 { try await publishPair(client, round: round) }
        var rounds: [Duration] = []
        for round in 0..<30 {
            let started = ContinuousClock.now
            try await publishPair(client, round: round)
            rounds.append(ContinuousClock.now - started)
        }
        await client.shutdown()
        return rounds
    }

    func publishPair(_ client: MQTTClient, round: Int) async throws {
        async let first = client.publish(MQTTMessage(topic: "pair/a", payload: "a\(round)", qos: .atLeastOnce))
        async let second = client.publish(MQTTMessage(topic: "pair/b", payload: "b\(round)", qos: .atLeastOnce))
        let results = try await [first, second]
        for result in results { #expect(result.isSuccess) }
    }

    @Test func pairsOfQoS1PublishesDoNotWaitForDelayedAcks() async throws {
        let rounds = try await thirtyRounds(acknowledgingImmediately: true)
        // Delayed ACKs stall (nearly) every round by ≈40 ms. The median round is the measure: a
        // round that a busy or stolen CPU slowed down now and then does not move it.
        let median = rounds.sorted()[rounds.count / 2]
        #expect(median < .milliseconds(20),
                "median round \(median); rounds in ms: \(rounds.map { Int($0 / .milliseconds(1)) })")
    }
}
