import MQTT
import NIOCore
import Synchronization
import Testing
import TestSupport

/// A broker that sends nonsense — acknowledgements for ids never used or for another request's id,
/// a second CONNACK, topic aliases never set, mangled frames — must not take the client down: a
/// waiting subscribe ends while the connection is up (answer, deadline or close), the rest at the
/// latest when the client shuts down, and nothing traps. Each connection gets a seeded
/// random sequence of server packets, some of them mutated, while the client has a subscribe and
/// QoS 1 and 2 publishes waiting.
@Suite("MQTT client against a hostile broker", .timeLimit(.minutes(3)))
struct HostileBrokerTests {
    @Test(arguments: [(MQTTVersion.v3_1_1, 1), (.v5, 2)] as [(MQTTVersion, UInt64)])
    func randomServerPacketsNeverBreakTheClient(version: MQTTVersion, seed: UInt64) async throws {
        var mutator = ByteMutator(seed: 0x484F_5354_0000 | seed)
        for iteration in 0..<120 {
            var frames: [[UInt8]] = []
            for _ in 0...mutator.below(6) {
                var bytes = ByteBuffer()
                Self.randomServerPacket(&mutator, version: version).write(version: version, into: &bytes)
                let frame = Array(bytes.readableBytesView)
                frames.append(mutator.below(4) == 0 ? mutator.mutate(frame) : frame)
            }
            let stream = frames.flatMap { $0 }
            let subscribeEnded = EndFlag()
            let (client, pending) = try await ScriptedServer.withConnectedClient(
                "hostile-\(seed)-\(iteration)", version: version, configure: { $0.requestTimeout = .milliseconds(100) }
            ) { client, packets, _, channel -> [Task<Void, Never>] in
                let pending = [
                    Task {
                        _ = try? await client.subscribe([MQTTSubscription(filter: "t/#", qos: .exactlyOnce)])
                        subscribeEnded.ended.store(true, ordering: .releasing)
                    },
                    Task { _ = try? await client.publish(MQTTMessage(topic: "a", payload: "1", qos: .atLeastOnce)) },
                    Task { _ = try? await client.publish(MQTTMessage(topic: "b", payload: "2", qos: .exactlyOnce)) },
                ]
                for _ in 0..<3 { _ = try await packets.next() }  // The client's three requests.
                try await ScriptedServer.writeRaw(ByteBuffer(bytes: stream), on: channel)
                // With the connection still up, the subscribe ends by its answer, its deadline
                // (requestTimeout closes the connection) or the connection closing on a bad frame.
                #expect(await waitFor(3) { subscribeEnded.ended.load(ordering: .acquiring) },
                        "iteration \(iteration): the subscribe is still waiting after \(frames)")
                return pending
            }
            await client.shutdown()
            for task in pending { await task.value }  // Each ended: none left waiting forever.
        }
    }

    final class EndFlag: Sendable {
        let ended = Atomic<Bool>(false)
    }

    /// What a server may send a client, with ids and values drawn small so they hit the client's own.
    private static func randomServerPacket(_ mutator: inout ByteMutator, version: MQTTVersion) -> MQTTPacket {
        let id = UInt16(1 + mutator.below(4))
        let properties: [MQTTProperty] = version == .v5 && mutator.below(2) == 0
            ? [.topicAlias(UInt16(mutator.below(3)))] : []
        switch mutator.below(12) {
        case 0: return .connack(MQTTConnAckPacket(sessionPresent: mutator.below(2) == 0, reasonCode: .success))
        case 1, 2:
            let qos = MQTTQoS(rawValue: UInt8(mutator.below(3)))!
            let topic = mutator.below(3) == 0 ? "" : "t/\(mutator.below(5))"
            return .publish(MQTTPublishPacket(topic: topic, payload: ByteBuffer(string: "x"), qos: qos,
                                              packetID: qos == .atMostOnce ? nil : id, properties: properties))
        case 3: return .puback(MQTTAckPacket(packetID: id))
        case 4: return .pubrec(MQTTAckPacket(packetID: id))
        case 5: return .pubrel(MQTTAckPacket(packetID: id))
        case 6: return .pubcomp(MQTTAckPacket(packetID: id))
        case 7: return .suback(MQTTSubAckPacket(packetID: id, reasonCodes: [MQTTReasonCode(UInt8(mutator.below(3)))]))
        case 8: return .unsuback(MQTTSubAckPacket(packetID: id, reasonCodes: version == .v5 ? [.success] : []))
        case 9: return .pingresp
        case 10: return .disconnect(MQTTReasonPacket(reasonCode: MQTTReasonCode(0x8E)))
        default: return .auth(MQTTReasonPacket(reasonCode: MQTTReasonCode(0x18)))
        }
    }
}
