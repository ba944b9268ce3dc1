import MQTT
import NIOCore
import Testing

/// A task awaiting `publish` that is cancelled (a connector stopping, an RPC given up) stops
/// waiting at once instead of until the server answers, and what it leaves behind does not hold
/// up the client: against a scripted server that withholds acknowledgements.
@Suite("MQTT client: cancelling a waiting publish", .timeLimit(.minutes(2)))
struct PublishCancellationTests {
    @Test func cancelledPublishesStopWaitingAndFreeTheirSlot() async throws {
        let (client, _) = try await ScriptedServer.withConnectedClient("cancel-publish") { client, packets, outbound, _ in
            client.limitOutboundWindow(to: 1)

            // One publish on the wire, left unanswered; one behind it, waiting for the only slot.
            let onWire = Task { try await client.publish(MQTTMessage(topic: "t", payload: "on-wire", qos: .atLeastOnce)) }
            guard case .publish(let sent)? = try await packets.next() else { throw Unexpected() }
            #expect(String(buffer: sent.payload) == "on-wire")
            let queued = Task { try await client.publish(MQTTMessage(topic: "t", payload: "queued", qos: .atLeastOnce)) }
            try await Task.sleep(for: .milliseconds(100))  // Lets it reach the queue; either way it must throw.

            for task in [queued, onWire] {
                let cancelled = ContinuousClock.now
                task.cancel()
                await #expect(throws: CancellationError.self) { try await task.value }
                #expect(ContinuousClock.now - cancelled < .seconds(2))
            }

            // The slot is free again: the next publish goes out, not the cancelled queued one, and
            // under a new id (a late PUBACK for the cancelled one must not complete it).
            let next = Task { try await client.publish(MQTTMessage(topic: "t", payload: "next", qos: .atLeastOnce)) }
            guard case .publish(let following)? = try await packets.next() else { throw Unexpected() }
            #expect(String(buffer: following.payload) == "next")
            #expect(following.packetID != sent.packetID)
            try await outbound.write(.puback(MQTTAckPacket(packetID: sent.packetID!)))
            try await outbound.write(.puback(MQTTAckPacket(packetID: following.packetID!)))
            #expect(try await next.value.isSuccess)

            // QoS 2 the server already took (PUBREC, PUBREL): the caller stops waiting; PUBCOMP still
            // ends the exchange and frees the slot for the publish after it.
            let exactlyOnce = Task { try await client.publish(MQTTMessage(topic: "t", payload: "two", qos: .exactlyOnce)) }
            guard case .publish(let two)? = try await packets.next() else { throw Unexpected() }
            try await outbound.write(.pubrec(MQTTAckPacket(packetID: two.packetID!)))
            guard case .pubrel(let release)? = try await packets.next() else { throw Unexpected() }
            #expect(release.packetID == two.packetID)
            exactlyOnce.cancel()
            await #expect(throws: CancellationError.self) { try await exactlyOnce.value }
            let after = Task { try await client.publish(MQTTMessage(topic: "t", payload: "after", qos: .atLeastOnce)) }
            try await outbound.write(.pubcomp(MQTTAckPacket(packetID: two.packetID!)))
            guard case .publish(let last)? = try await packets.next() else { throw Unexpected() }
            #expect(String(buffer: last.payload) == "after")
            try await outbound.write(.puback(MQTTAckPacket(packetID: last.packetID!)))
            #expect(try await after.value.isSuccess)
            #expect(client.publishesAwaitingAcknowledgement == 0)
        }
        await client.shutdown()
    }

    /// A publish called from a task that is already cancelled is never sent.
    @Test func aPublishFromACancelledTaskIsNeverSent() async throws {
        let (client, _) = try await ScriptedServer.withConnectedClient("cancelled-before") { client, packets, outbound, _ in
            let late = Task {
                try? await Task.sleep(for: .seconds(60))  // Ends at once when cancelled.
                return try await client.publish(MQTTMessage(topic: "t", payload: "never", qos: .atLeastOnce))
            }
            late.cancel()
            await #expect(throws: CancellationError.self) { try await late.value }
            let marker = Task { try await client.publish(MQTTMessage(topic: "t", payload: "marker", qos: .atLeastOnce)) }
            guard case .publish(let first)? = try await packets.next() else { throw Unexpected() }
            #expect(String(buffer: first.payload) == "marker")
            try await outbound.write(.puback(MQTTAckPacket(packetID: first.packetID!)))
            #expect(try await marker.value.isSuccess)
        }
        await client.shutdown()
    }
}
