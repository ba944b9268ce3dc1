import MQTT
import NIOCore
import TestSupport
import Testing

/// `acknowledgesInboundOnRequest`: a QoS 1/2 message is acknowledged only when the consumer says
/// so, in arrival order, and a persistent session gets every unacknowledged one again.
@Suite("MQTT client: acknowledgement on request, against a real mosquitto", .timeLimit(.minutes(3)))
struct InboundAcknowledgementTests {
    @Test(arguments: [MQTTVersion.v3_1_1, .v5], [MQTTQoS.atLeastOnce, .exactlyOnce])
    func unacknowledgedMessagesComeAgainAndAcknowledgementsKeepArrivalOrder(version: MQTTVersion, qos: MQTTQoS) async throws {
        let broker = try Mosquitto()
        defer { broker.stop() }
        let receiver = makeClient(broker, id: "ack-request-\(version)-\(qos.rawValue)", version: version, clean: false) {
            $0.acknowledgesInboundOnRequest = true
            if version == .v5 { $0.sessionExpiryInterval = 300 }
        }
        _ = try await receiver.connect()
        _ = try await receiver.subscribe([MQTTSubscription(filter: "s/#", qos: qos)])
        let sender = makeClient(broker, id: "ack-request-sender-\(version)-\(qos.rawValue)", version: version)
        _ = try await sender.connect()
        for text in ["one", "two"] {
            _ = try await sender.publish(MQTTMessage(topic: "s/\(text)", payload: text, qos: qos))
        }

        let first = try await collect(receiver, count: 2)
        #expect(first.map(\.payload.text) == ["one", "two"])
        #expect(first.allSatisfy { $0.acknowledgement != nil })
        // Only the second: its acknowledgement waits behind the first's, so neither reaches the broker.
        receiver.acknowledge(try #require(first[1].acknowledgement))
        await receiver.disconnect()
        #expect(try await receiver.connect().sessionPresent)

        // The broker sends both again. QoS 1: both are delivered again. QoS 2: "two", which the
        // consumer had acknowledged, is only acknowledged now (its PUBREC waits for "one").
        let unacknowledged = qos == .atLeastOnce ? ["one", "two"] : ["one"]
        let again = try await collect(receiver, count: unacknowledged.count)
        #expect(again.map(\.payload.text) == unacknowledged)
        // Acknowledgements of the closed connection are void.
        for message in first { receiver.acknowledge(try #require(message.acknowledgement)) }
        try await roundTrip(receiver)
        await receiver.disconnect()
        _ = try await receiver.connect()
        let once = try await collect(receiver, count: unacknowledged.count)
        #expect(once.map(\.payload.text) == unacknowledged, "stale acknowledgements acknowledge nothing")
        for message in once { receiver.acknowledge(try #require(message.acknowledgement)) }
        _ = try await sender.publish(MQTTMessage(topic: "s/three", payload: "three", qos: qos))
        let third = try await collect(receiver, count: 1)
        #expect(third.map(\.payload.text) == ["three"])
        receiver.acknowledge(try #require(third[0].acknowledgement))
        try await roundTrip(receiver)
        await receiver.disconnect()

        _ = try await receiver.connect()
        _ = try await sender.publish(MQTTMessage(topic: "s/four", payload: "four", qos: qos))
        let after = try await collect(receiver, count: 1)
        #expect(after.map(\.payload.text) == ["four"], "nothing acknowledged came again")
        receiver.acknowledge(try #require(after[0].acknowledgement))
        try await Task.sleep(for: .milliseconds(200))
        #expect(await collectPending(receiver) == 0)
        await receiver.shutdown()
        await sender.shutdown()
    }

    /// Acknowledgements are written on the client's event loop; a QoS 0 round trip through the
    /// broker after them shows they went out (before a DISCONNECT that follows).
    func roundTrip(_ client: MQTTClient) async throws {
        _ = try await client.subscribe([MQTTSubscription(filter: "marker", qos: .atMostOnce)])
        _ = try await client.publish(MQTTMessage(topic: "marker", payload: "m", qos: .atMostOnce))
        #expect(try await collect(client, count: 1).map(\.payload.text) == ["m"])
        try await client.unsubscribe(["marker"])
    }

    /// A message that arrives after the consumer stopped (a connector being stopped) is neither
    /// acknowledged nor lost: the next session gets it.
    @Test(arguments: [MQTTQoS.atLeastOnce, .exactlyOnce])
    func messagesArrivingAfterTheConsumerStoppedStayWithTheBroker(qos: MQTTQoS) async throws {
        let broker = try Mosquitto()
        defer { broker.stop() }
        let id = "ack-request-stopped-\(qos.rawValue)"
        let configure: (inout MQTTClientConfiguration) -> Void = { $0.acknowledgesInboundOnRequest = true }
        let receiver = makeClient(broker, id: id, version: .v3_1_1, clean: false, configure: configure)
        _ = try await receiver.connect()
        _ = try await receiver.subscribe([MQTTSubscription(filter: "s/#", qos: qos)])
        let messages = receiver.messages
        let consumer = Task {
            var texts: [String] = []
            for await message in messages {
                texts.append(message.payload.text)
                receiver.acknowledge(message.acknowledgement!)
                if texts.count == 1 { break }
            }
            return texts
        }
        let sender = makeClient(broker, id: "\(id)-sender", version: .v3_1_1)
        _ = try await sender.connect()
        _ = try await sender.publish(MQTTMessage(topic: "s/1", payload: "taken", qos: qos))
        #expect(await consumer.value == ["taken"])
        try await Task.sleep(for: .milliseconds(200))  // the end of the stream reaches the client
        _ = try await sender.publish(MQTTMessage(topic: "s/2", payload: "after the consumer stopped", qos: qos))
        try await Task.sleep(for: .milliseconds(300))
        await receiver.shutdown()

        let next = makeClient(broker, id: id, version: .v3_1_1, clean: false, configure: configure)
        #expect(try await next.connect().sessionPresent)
        let again = try await collect(next, count: 1)
        #expect(again.map(\.payload.text) == ["after the consumer stopped"])
        await next.shutdown()
        await sender.shutdown()
    }

    @Test func qos0MessagesAndTheDefaultNeedNoAcknowledgement() async throws {
        let broker = try Mosquitto()
        defer { broker.stop() }
        let onRequest = makeClient(broker, id: "ack-request-qos0", version: .v3_1_1) { $0.acknowledgesInboundOnRequest = true }
        let automatic = makeClient(broker, id: "ack-automatic", version: .v3_1_1)
        for client in [onRequest, automatic] {
            _ = try await client.connect()
            _ = try await client.subscribe([MQTTSubscription(filter: "q/#", qos: .atLeastOnce)])
        }
        _ = try await automatic.publish(MQTTMessage(topic: "q/0", payload: "zero", qos: .atMostOnce))
        _ = try await automatic.publish(MQTTMessage(topic: "q/1", payload: "one", qos: .atLeastOnce))
        let received = try await collect(onRequest, count: 2)
        #expect(received.map { $0.acknowledgement == nil } == [true, false])
        #expect(try await collect(automatic, count: 2).allSatisfy { $0.acknowledgement == nil })
        await onRequest.shutdown()
        await automatic.shutdown()
    }
}
