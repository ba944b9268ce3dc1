import Logging
@testable import MQTT
import NIOCore
import Synchronization
import Testing

/// `publishAll` against the scripted server: what reaches the wire and what the caller learns.
@Suite("MQTT client: publishing a batch", .timeLimit(.minutes(2)))
struct PublishBatchTests {
    /// A client connected to the scripted server (its CONNACK carrying `connAckProperties`) and
    /// handed to `body` with the server's writer and what the client has published so far (read
    /// as it arrives: a test looks at it while deciding when to acknowledge). Shuts the client down.
    func withConnectedClient<T: Sendable>(
        _ name: String, version: MQTTVersion? = nil, connAckProperties: [MQTTProperty] = [],
        _ body: @Sendable (MQTTClient, NIOAsyncChannelOutboundWriter<MQTTPacket>, @escaping @Sendable () -> [MQTTPublishPacket]) async throws -> T
    ) async throws -> T {
        let server = try await ScriptedServer.start()
        var configuration = MQTTClientConfiguration(host: "127.0.0.1", port: server.port, clientID: name, connectTimeout: .seconds(60))
        if let version { configuration.version = version }
        let client = MQTTClient(configuration: configuration, logger: Logger(label: "test.\(name)"))
        let received = PacketLog()
        let publishes: @Sendable () -> [MQTTPublishPacket] = {
            received.packets.withLock { $0.compactMap { if case .publish(let p) = $0 { p } else { nil } } }
        }
        let result = try await server.channel.executeThenClose { connections in
            var accepted = connections.makeAsyncIterator()
            let connected = Task { try await client.connect() }
            let connection = try #require(try await accepted.next())
            return try await connection.executeThenClose { inbound, outbound in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        for try await packet in inbound { received.packets.withLock { $0.append(packet) } }
                    }
                    #expect(await waitFor { !received.packets.withLock(\.isEmpty) })
                    try await outbound.write(.connack(MQTTConnAckPacket(sessionPresent: false, reasonCode: .success,
                                                                        properties: connAckProperties)))
                    _ = try await connected.value
                    let result = try await body(client, outbound, publishes)
                    group.cancelAll()
                    return result
                }
            }
        }
        await client.shutdown()
        return result
    }

    /// At most the window's publishes are unacknowledged at once (ThingsBoard's
    /// `maxInflightMessages`); the rest follow in order as acknowledgements free slots, and the
    /// caller gets every message's outcome in order, a v5 failure code included.
    @Test func publishAllKeepsTheWindowAndReportsEveryOutcomeInOrder() async throws {
        let (topics, codes) = try await withConnectedClient("batch") { client, outbound, publishes in
            client.limitOutboundWindow(to: 2)
            let batch = client.publishAll((0..<5).map {
                MQTTMessage(topic: "batch/\($0)", payload: ByteBuffer(string: "\($0)"), qos: .atLeastOnce)
            })
            #expect(await waitFor { publishes().count == 2 })
            try await Task.sleep(for: .milliseconds(200))
            #expect(publishes().count == 2, "a third publish went out with two unacknowledged")

            try await outbound.write(.puback(MQTTAckPacket(packetID: try #require(publishes()[0].packetID))))
            #expect(await waitFor { publishes().count == 3 })
            try await Task.sleep(for: .milliseconds(200))
            #expect(publishes().count == 3, "more than one publish went out for one acknowledgement")

            try await outbound.write(.puback(MQTTAckPacket(packetID: try #require(publishes()[1].packetID),
                                                           reasonCode: .quotaExceeded)))
            try await outbound.write(.puback(MQTTAckPacket(packetID: try #require(publishes()[2].packetID))))
            #expect(await waitFor { publishes().count == 5 })
            for publish in publishes()[3...] {
                try await outbound.write(.puback(MQTTAckPacket(packetID: try #require(publish.packetID))))
            }
            let outcomes = try await batch.outcomes.get()
            return (publishes().map(\.topic), outcomes.map { (try? $0.get())?.reasonCode })
        }
        #expect(topics == (0..<5).map { "batch/\($0)" })
        #expect(codes == [.success, .quotaExceeded, .success, .success, .success])
    }

    /// A server that never answers some publishes (ThingsBoard before 4.2.1, for a device it cannot
    /// create): abandoning them completes them as abandoned and frees their window slots for the
    /// publishes queued behind them (which are not abandoned); their packet ids are not reused,
    /// and a late answer for one is ignored.
    @Test func abandonedPublishesLeaveTheWindowAndKeepTheirIDs() async throws {
        try await withConnectedClient("abandon") { client, outbound, publishes in
            client.limitOutboundWindow(to: 2)
            client.startPacketIDs(after: UInt16.max - 2)
            let unanswered = client.publishAll((0..<2).map {
                MQTTMessage(topic: "ghost/\($0)", payload: ByteBuffer(string: "\($0)"), qos: .atLeastOnce)
            })
            let next = client.publishAll((0..<2).map {
                MQTTMessage(topic: "next/\($0)", payload: ByteBuffer(string: "\($0)"), qos: .atLeastOnce)
            })
            #expect(await waitFor { publishes().count == 2 })
            #expect(client.publishesAwaitingAcknowledgement == 2)
            #expect(publishes().map(\.packetID) == [UInt16.max - 1, UInt16.max])

            // Only publishes sent at least that long ago: none yet.
            client.abandon([unanswered], sentAgo: .seconds(60))
            try await Task.sleep(for: .milliseconds(100))
            #expect(client.publishesAwaitingAcknowledgement == 2)
            // The next ids allocated would be the abandoned ones again.
            client.startPacketIDs(after: UInt16.max - 2)
            client.abandon([unanswered, next])
            let abandoned = try await unanswered.outcomes.get()
            #expect(abandoned.count == 2)
            for outcome in abandoned {
                #expect(throws: MQTTError.abandoned) { try outcome.get() }
            }
            #expect(await waitFor { publishes().count == 4 }, "the window stayed full of abandoned publishes")
            let ids = publishes().map(\.packetID)
            #expect(ids == [UInt16.max - 1, UInt16.max, 1, 2], "an abandoned publish's id was reused")
            // A late answer for an abandoned publish completes nothing else.
            try await outbound.write(.puback(MQTTAckPacket(packetID: try #require(ids[0]))))
            try await Task.sleep(for: .milliseconds(200))
            #expect(client.publishesAwaitingAcknowledgement == 2)
            for id in ids[2...] { try await outbound.write(.puback(MQTTAckPacket(packetID: try #require(id)))) }
            #expect(try await next.outcomes.get().map { (try? $0.get())?.reasonCode } == [.success, .success])
            #expect(client.publishesAwaitingAcknowledgement == 0)
        }
    }

    /// Abandoning with `includingQueued` also drops what still waits for a slot: it is never sent.
    @Test func abandoningQueuedPublishesNeverSendsThem() async throws {
        try await withConnectedClient("abandon-queued") { client, outbound, publishes in
            client.limitOutboundWindow(to: 1)
            let first = client.publishAll([MQTTMessage(topic: "first", payload: ByteBuffer(string: "1"), qos: .atLeastOnce)])
            let queued = client.publishAll([MQTTMessage(topic: "queued", payload: ByteBuffer(string: "2"), qos: .atLeastOnce)])
            #expect(await waitFor { publishes().count == 1 })
            client.abandon([queued], includingQueued: true)
            let outcomes = try await queued.outcomes.get()
            #expect(throws: MQTTError.abandoned) { try outcomes[0].get() }
            try await outbound.write(.puback(MQTTAckPacket(packetID: try #require(publishes()[0].packetID))))
            #expect(try await first.outcomes.get().map { (try? $0.get())?.reasonCode } == [.success])
            try await Task.sleep(for: .milliseconds(200))
            #expect(publishes().map(\.topic) == ["first"], "an abandoned queued publish was sent")
        }
    }

    /// MQTT 5 server with a receive maximum: it still counts an abandoned publish as
    /// unacknowledged, so abandoning frees no slot of a window that maximum bounds; the server's
    /// late answer does.
    @Test func abandonedPublishesStillCountAgainstTheServersReceiveMaximum() async throws {
        try await withConnectedClient("abandon-v5", version: .v5, connAckProperties: [.receiveMaximum(2)]) { client, outbound, publishes in
            let unanswered = client.publishAll((0..<2).map {
                MQTTMessage(topic: "ghost/\($0)", payload: ByteBuffer(string: "\($0)"), qos: .atLeastOnce)
            })
            let next = client.publishAll([MQTTMessage(topic: "next", payload: ByteBuffer(string: "n"), qos: .atLeastOnce)])
            #expect(await waitFor { publishes().count == 2 })
            client.abandon([unanswered])
            _ = try await unanswered.outcomes.get()
            try await Task.sleep(for: .milliseconds(200))
            #expect(publishes().count == 2, "a publish went out beyond the server's receive maximum")
            // Still awaiting as far as the server is concerned: a caller's watchdog sees the full window.
            #expect(client.publishesAwaitingAcknowledgement == 2)

            try await outbound.write(.puback(MQTTAckPacket(packetID: try #require(publishes()[0].packetID))))
            #expect(await waitFor { publishes().count == 3 }, "the server's late answer freed no slot")
            try await outbound.write(.puback(MQTTAckPacket(packetID: try #require(publishes()[2].packetID))))
            #expect(try await next.outcomes.get().map { (try? $0.get())?.reasonCode } == [.success])
        }
    }

    /// A window set just below the server's receive maximum: abandoned publishes still count
    /// against that maximum, so the window's free slots are not all usable.
    @Test func abandonedPublishesCountAgainstAReceiveMaximumAboveTheWindow() async throws {
        try await withConnectedClient("abandon-near", version: .v5, connAckProperties: [.receiveMaximum(3)]) { client, outbound, publishes in
            client.limitOutboundWindow(to: 2)
            let unanswered = client.publishAll((0..<2).map {
                MQTTMessage(topic: "ghost/\($0)", payload: ByteBuffer(string: "\($0)"), qos: .atLeastOnce)
            })
            #expect(await waitFor { publishes().count == 2 })
            client.abandon([unanswered])
            _ = try await unanswered.outcomes.get()
            let next = client.publishAll((0..<2).map {
                MQTTMessage(topic: "next/\($0)", payload: ByteBuffer(string: "\($0)"), qos: .atLeastOnce)
            })
            #expect(await waitFor { publishes().count == 3 })
            try await Task.sleep(for: .milliseconds(200))
            #expect(publishes().count == 3, "4 unanswered publishes against a receive maximum of 3")
            try await outbound.write(.puback(MQTTAckPacket(packetID: try #require(publishes()[0].packetID))))
            #expect(await waitFor { publishes().count == 4 }, "the server's late answer freed no slot")
            for packet in publishes()[2...] { try await outbound.write(.puback(MQTTAckPacket(packetID: try #require(packet.packetID)))) }
            #expect(try await next.outcomes.get().map { (try? $0.get())?.reasonCode } == [.success, .success])
        }
    }

    /// A batch on a client that is not connected completes at once, every message failed.
    @Test func publishAllWithoutAConnectionFailsEveryMessage() async throws {
        let client = MQTTClient(configuration: MQTTClientConfiguration(host: "127.0.0.1", port: 1, clientID: "none"),
                                logger: Logger(label: "test.batch-none"))
        let outcomes = try await client.publishAll([
            MQTTMessage(topic: "a", payload: ByteBuffer(string: "1"), qos: .atLeastOnce),
            MQTTMessage(topic: "b", payload: ByteBuffer(string: "2"), qos: .atMostOnce),
        ]).outcomes.get()
        #expect(outcomes.count == 2)
        for outcome in outcomes {
            #expect(throws: MQTTError.self) { try outcome.get() }
        }
        await client.shutdown()
    }
}

/// What a scripted connection received, shared between the task reading it and the test.
private final class PacketLog: Sendable {
    let packets = Mutex<[MQTTPacket]>([])
}
