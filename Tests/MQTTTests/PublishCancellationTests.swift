import Logging
@testable import MQTT
import NIOCore
import Testing

/// A task awaiting `publish` that is cancelled (a connector stopping, an RPC given up) stops
/// waiting at once instead of until the server answers, and what it leaves behind keeps to the
/// protocol: against a scripted server that withholds acknowledgements.
@Suite("MQTT client: cancelling a waiting publish", .timeLimit(.minutes(2)))
struct PublishCancellationTests {
    @Test func cancelledPublishesStopWaitingAndTheirExchangesGoOn() async throws {
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
            // The message on the wire is still in flight: the server has not answered it.
            #expect(client.publishesAwaitingAcknowledgement == 1)

            // With a second slot the next publish goes out, not the cancelled queued one, and not
            // under the id still in flight (packet ids would otherwise reach it next).
            client.limitOutboundWindow(to: 2)
            client.startPacketIDs(after: sent.packetID! &- 1)
            let next = Task { try await client.publish(MQTTMessage(topic: "t", payload: "next", qos: .atLeastOnce)) }
            guard case .publish(let following)? = try await packets.next() else { throw Unexpected() }
            #expect(String(buffer: following.payload) == "next")
            #expect(following.packetID != sent.packetID)
            try await outbound.write(.puback(MQTTAckPacket(packetID: sent.packetID!)))  // Heard by nobody.
            try await outbound.write(.puback(MQTTAckPacket(packetID: following.packetID!)))
            #expect(try await next.value.isSuccess)
            #expect(await waitFor { client.publishesAwaitingAcknowledgement == 0 })

            // QoS 2 the server already took (PUBREC, PUBREL): the caller stops waiting, the slot stays
            // held until PUBCOMP ends the exchange, then the publish after it goes out.
            client.limitOutboundWindow(to: 1)
            let exactlyOnce = Task { try await client.publish(MQTTMessage(topic: "t", payload: "two", qos: .exactlyOnce)) }
            guard case .publish(let two)? = try await packets.next() else { throw Unexpected() }
            try await outbound.write(.pubrec(MQTTAckPacket(packetID: two.packetID!)))
            guard case .pubrel(let release)? = try await packets.next() else { throw Unexpected() }
            #expect(release.packetID == two.packetID)
            exactlyOnce.cancel()
            await #expect(throws: CancellationError.self) { try await exactlyOnce.value }
            #expect(client.publishesAwaitingAcknowledgement == 1)
            let after = Task { try await client.publish(MQTTMessage(topic: "t", payload: "after", qos: .atLeastOnce)) }
            try await outbound.write(.pubcomp(MQTTAckPacket(packetID: two.packetID!)))
            guard case .publish(let last)? = try await packets.next() else { throw Unexpected() }
            #expect(String(buffer: last.payload) == "after")
            try await outbound.write(.puback(MQTTAckPacket(packetID: last.packetID!)))
            #expect(try await after.value.isSuccess)
        }
        await client.shutdown()
    }

    /// A QoS 1 publish called from a task that is already cancelled is never sent; QoS 0 is.
    @Test func aPublishFromACancelledTaskIsNeverSentUnlessQoS0() async throws {
        let (client, _) = try await ScriptedServer.withConnectedClient("cancelled-before") { client, packets, outbound, _ in
            func publishFromCancelledTask(_ payload: String, qos: MQTTQoS) -> Task<MQTTPublishResult, any Error> {
                let task = Task {
                    try? await Task.sleep(for: .seconds(60))  // Ends at once when cancelled.
                    return try await client.publish(MQTTMessage(topic: "t", payload: ByteBuffer(string: payload), qos: qos))
                }
                task.cancel()
                return task
            }
            let never = publishFromCancelledTask("never", qos: .atLeastOnce)
            await #expect(throws: CancellationError.self) { try await never.value }
            #expect(try await publishFromCancelledTask("zero", qos: .atMostOnce).value.isSuccess)
            let marker = Task { try await client.publish(MQTTMessage(topic: "t", payload: "marker", qos: .atLeastOnce)) }
            var received: [String] = []
            while received.last != "marker", case .publish(let publish)? = try await packets.next() {
                received.append(String(buffer: publish.payload))
                if let id = publish.packetID { try await outbound.write(.puback(MQTTAckPacket(packetID: id))) }
            }
            #expect(received == ["zero", "marker"])
            #expect(try await marker.value.isSuccess)
        }
        await client.shutdown()
    }

    /// A persistent session: a publish whose caller gave up while it was on the wire is sent
    /// again (DUP, same id) when the session resumes, as the protocol requires of the client.
    @Test func aCancelledPublishOnTheWireIsResentWhenTheSessionResumes() async throws {
        let server = try await ScriptedServer.start()
        let client = MQTTClient(configuration: MQTTClientConfiguration(
            host: "127.0.0.1", port: server.port, clientID: "cancel-resend", cleanSession: false,
            sessionExpiryInterval: 600, connectTimeout: .seconds(60)), logger: Logger(label: "test.cancel-resend"))
        try await server.channel.executeThenClose { connections in
            var accepted = connections.makeAsyncIterator()
            let original = try await ScriptedServer.session(of: client, on: &accepted, sessionPresent: false) { packets, _, _ in
                let publishing = Task { try await client.publish(MQTTMessage(topic: "t", payload: "kept", qos: .atLeastOnce)) }
                guard case .publish(let sent)? = try await packets.next() else { throw Unexpected() }
                publishing.cancel()
                await #expect(throws: CancellationError.self) { try await publishing.value }
                return sent  // The connection closes unanswered.
            }
            #expect(await waitFor { !client.isConnected })

            try await ScriptedServer.session(of: client, on: &accepted, sessionPresent: true) { packets, outbound, _ in
                guard case .publish(let again)? = try await packets.next() else { throw Unexpected() }
                #expect(again.dup && again.packetID == original.packetID && String(buffer: again.payload) == "kept")
                try await outbound.write(.puback(MQTTAckPacket(packetID: again.packetID!)))
                let fresh = Task { try await client.publish(MQTTMessage(topic: "t", payload: "fresh", qos: .atLeastOnce)) }
                guard case .publish(let next)? = try await packets.next() else { throw Unexpected() }
                #expect(String(buffer: next.payload) == "fresh")
                try await outbound.write(.puback(MQTTAckPacket(packetID: next.packetID!)))
                #expect(try await fresh.value.isSuccess)
                #expect(client.publishesAwaitingAcknowledgement == 0)
                await client.shutdown()
            }
        }
    }
}
