import Logging
import MQTT
import NIOCore
import NIOPosix
import Synchronization
import Testing
import TestSupport

/// A tiny scripted MQTT 5 server (NIO, real TCP): for behaviour mosquitto cannot be made to show,
/// such as withholding a PUBACK so the client must re-send after reconnecting.
struct ScriptedServer {
    typealias Connection = NIOAsyncChannel<MQTTPacket, MQTTPacket>
    let channel: NIOAsyncChannel<Connection, Never>
    var port: Int { channel.channel.localAddress!.port! }

    static func start(version: MQTTVersion = .v5) async throws -> ScriptedServer {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .bind(host: "127.0.0.1", port: 0) { child in
                child.eventLoop.makeCompletedFuture {
                    try child.pipeline.syncOperations.addHandler(ByteToMessageHandler(MQTTPacketDecoder(version: version)))
                    try child.pipeline.syncOperations.addHandler(MessageToByteHandler(MQTTPacketEncoder(version: version)))
                    return try Connection(wrappingChannelSynchronously: child)
                }
            }
        return ScriptedServer(channel: channel)
    }

    /// Writes bytes as they are, past the packet encoder (for frames the encoder would never make).
    static func writeRaw(_ bytes: ByteBuffer, on channel: any Channel) async throws {
        try await channel.eventLoop.flatSubmit {
            do {
                let encoder = try channel.pipeline.syncOperations.context(handlerType: MessageToByteHandler<MQTTPacketEncoder>.self)
                return encoder.writeAndFlush(NIOAny(bytes))
            } catch {
                return channel.eventLoop.makeFailedFuture(error)
            }
        }.get()
    }

    typealias Packets = NIOAsyncChannelInboundStream<MQTTPacket>.AsyncIterator
    typealias Writer = NIOAsyncChannelOutboundWriter<MQTTPacket>

    /// Connects `client` on the server's next accepted connection, answers its CONNECT with a
    /// CONNACK (`sessionPresent`) and runs `script` on that connection, which closes when the
    /// script returns.
    static func session<Result: Sendable>(
        of client: MQTTClient, on accepted: inout NIOAsyncChannelInboundStream<Connection>.AsyncIterator,
        sessionPresent: Bool, _ script: (inout Packets, Writer, any Channel) async throws -> Result
    ) async throws -> Result {
        let connecting = Task { try await client.connect() }
        let connection = try #require(try await accepted.next())
        return try await connection.executeThenClose { inbound, outbound in
            var packets = inbound.makeAsyncIterator()
            guard case .connect? = try await packets.next() else { throw Unexpected() }
            try await outbound.write(.connack(MQTTConnAckPacket(sessionPresent: sessionPresent, reasonCode: .success)))
            #expect(try await connecting.value.sessionPresent == sessionPresent)
            return try await script(&packets, outbound, connection.channel)
        }
    }

    /// Starts a server speaking `version`, connects a new client (`clientID`, clean session) to it, answers its CONNECT
    /// with a plain CONNACK and runs `script` on the open connection. Returns the client and the
    /// script's result once the server has closed the connection; the caller shuts the client down.
    static func withConnectedClient<Result: Sendable>(
        _ clientID: String, version: MQTTVersion = .v5, configure: (inout MQTTClientConfiguration) -> Void = { _ in },
        _ script: (MQTTClient, inout Packets, Writer, any Channel) async throws -> Result
    ) async throws -> (MQTTClient, Result) {
        let server = try await start(version: version)
        var configuration = MQTTClientConfiguration(
            host: "127.0.0.1", port: server.port, clientID: clientID, version: version, connectTimeout: .seconds(60))
        configure(&configuration)
        let client = MQTTClient(configuration: configuration, logger: Logger(label: "test.\(clientID)"))
        let result = try await server.channel.executeThenClose { connections in
            var accepted = connections.makeAsyncIterator()
            return try await session(of: client, on: &accepted, sessionPresent: false) { packets, outbound, channel in
                try await script(client, &packets, outbound, channel)
            }
        }
        return (client, result)
    }
}

@Suite("MQTT client against a scripted server", .timeLimit(.minutes(2)))
struct ScriptedServerTests {
    /// A server that never answers a SUBSCRIBE: the request fails after `requestTimeout` and
    /// the connection is closed (so a reconnect subscribes again), instead of waiting forever.
    @Test func aSubscribeTheServerNeverAnswersClosesTheConnection() async throws {
        let (client, outcome) = try await ScriptedServer.withConnectedClient(
            "no-suback", configure: { $0.requestTimeout = .milliseconds(500) }
        ) { client, packets, _, _ -> (String, Duration, Bool) in
            let started = ContinuousClock.now
            let subscribing = Task { try await client.subscribe([MQTTSubscription(filter: "a", qos: .atLeastOnce)]) }
            guard case .subscribe? = try await packets.next() else { throw Unexpected() }
            let error = await #expect(throws: MQTTError.self) { try await subscribing.value }
            return ("\(error.map { "\($0)" } ?? "none")", ContinuousClock.now - started, client.isConnected)
        }
        defer { Task { await client.shutdown() } }
        #expect(outcome.0 == "\(MQTTError.connectionLost)")
        #expect(outcome.1 >= .milliseconds(400) && outcome.1 < .seconds(5), "\(outcome.1)")
        #expect(!outcome.2, "the connection stays open after an unanswered SUBSCRIBE")
    }

    /// The SUBACK comes behind more messages than the consumer takes for a while: reading is
    /// paused, the answer waits unread, and that is not taken for a server that does not answer.
    @Test func aSubackBehindAPausedReadIsWaitedFor() async throws {
        let (client, outcome) = try await ScriptedServer.withConnectedClient(
            "late-suback", configure: { $0.requestTimeout = .milliseconds(500); $0.inboundBufferHighWatermark = 2 }
        ) { client, packets, outbound, _ -> (Bool, Bool) in
            let answered = Atomic<Bool>(false)
            let subscribing = Task {
                defer { answered.store(true, ordering: .releasing) }
                return try await client.subscribe([MQTTSubscription(filter: "a", qos: .atMostOnce)])
            }
            guard case .subscribe(let request)? = try await packets.next() else { throw Unexpected() }
            let flood = Task {
                for index in 0..<200 {
                    try await outbound.write(.publish(MQTTPublishPacket(
                        topic: "a", payload: ByteBuffer(repeating: UInt8(index % 256), count: 64 * 1024), qos: .atMostOnce)))
                }
                try await outbound.write(.suback(MQTTSubAckPacket(packetID: request.packetID, reasonCodes: [.success])))
            }
            try await Task.sleep(for: .milliseconds(1500))  // three request timeouts without consuming
            // Consume (bounded in time: a closed connection leaves the rest undelivered).
            let consumer = Task {
                var messages = client.messages.makeAsyncIterator()
                for _ in 0..<200 { _ = await messages.next() }
            }
            _ = await waitUntil(timeout: 10) { answered.load(ordering: .acquiring) || !client.isConnected }
            consumer.cancel()
            flood.cancel()
            var subscribed = false
            if answered.load(ordering: .acquiring) { subscribed = (try? await subscribing.value)?.first?.grantedQoS != nil }
            return (subscribed, client.isConnected)
        }
        defer { Task { await client.shutdown() } }
        #expect(outcome.0, "the SUBSCRIBE failed")
        #expect(outcome.1, "the connection was closed while the SUBACK waited unread")
    }

    /// A caller that stops waiting (its task cancelled, as when a connector stops) is not held
    /// until the server answers.
    @Test func aCancelledSubscribeStopsWaitingAtOnce() async throws {
        let (client, outcome) = try await ScriptedServer.withConnectedClient("cancel-suback") { client, packets, _, _ -> (Bool, Duration) in
            let subscribing = Task { try await client.subscribe([MQTTSubscription(filter: "a", qos: .atLeastOnce)]) }
            guard case .subscribe? = try await packets.next() else { throw Unexpected() }
            let cancelled = ContinuousClock.now
            subscribing.cancel()
            let threwCancellation = await #expect(throws: CancellationError.self) { try await subscribing.value } != nil
            return (threwCancellation, ContinuousClock.now - cancelled)
        }
        defer { Task { await client.shutdown() } }
        #expect(outcome.0)
        #expect(outcome.1 < .seconds(2), "\(outcome.1)")
    }

    @Test func unacknowledgedPublishesAreResentWithDupAfterReconnect() async throws {
        let server = try await ScriptedServer.start()
        let client = MQTTClient(configuration: MQTTClientConfiguration(
            host: "127.0.0.1", port: server.port, clientID: "dup", cleanSession: false, sessionExpiryInterval: 600,
            connectTimeout: .seconds(60)), logger: Logger(label: "test.dup"))

        try await server.channel.executeThenClose { connections in
            var accepted = connections.makeAsyncIterator()
            // Connection 1: accept both publishes, PUBREC only the QoS 2 one, then drop the connection.
            let ack1 = Task { try await client.connect() }
            let first = try #require(try await accepted.next())
            let (qos1, qos2): (MQTTPublishPacket, MQTTPublishPacket) = try await first.executeThenClose { inbound, outbound in
                var packets = inbound.makeAsyncIterator()
                guard case .connect(let connect)? = try await packets.next() else { throw Unexpected() }
                #expect(connect.cleanSession == false)
                try await outbound.write(.connack(MQTTConnAckPacket(sessionPresent: false, reasonCode: .success)))
                _ = try await ack1.value
                Task {
                    _ = try? await client.publish(MQTTMessage(topic: "q1", payload: "one", qos: .atLeastOnce))
                }
                Task {
                    _ = try? await client.publish(MQTTMessage(topic: "q2", payload: "two", qos: .exactlyOnce))
                }
                var publishes: [String: MQTTPublishPacket] = [:]
                while publishes.count < 2, let packet = try await packets.next() {
                    if case .publish(let p) = packet { publishes[p.topic] = p }
                }
                let q1 = try #require(publishes["q1"]), q2 = try #require(publishes["q2"])
                #expect(!q1.dup && !q2.dup)
                try await outbound.write(.pubrec(MQTTAckPacket(packetID: q2.packetID!)))
                guard case .pubrel(let rel)? = try await packets.next() else { throw Unexpected() }
                #expect(rel.packetID == q2.packetID)
                return (q1, q2)
            }
            #expect(await waitFor { !client.isConnected })

            // Connection 2: session present; expect PUBLISH q1 with DUP and PUBREL for q2.
            try await ScriptedServer.session(of: client, on: &accepted, sessionPresent: true) { packets, outbound, _ in
                // Re-sent in original send order, which depends on which caller reached the client first.
                var again: MQTTPublishPacket?
                var rel: MQTTAckPacket?
                for _ in 0..<2 {
                    switch try await packets.next() {
                    case .publish(let p)?: again = p
                    case .pubrel(let r)?: rel = r
                    default: throw Unexpected()
                    }
                }
                let republished = try #require(again)
                #expect(republished.dup && republished.packetID == qos1.packetID && republished.topic == "q1")
                #expect(String(buffer: republished.payload) == "one")
                #expect(rel?.packetID == qos2.packetID)
                // The original callers are still waiting; now finish both flows.
                let waiting = Task {
                    try await client.publish(MQTTMessage(topic: "q3", payload: "three", qos: .atLeastOnce))
                }
                guard case .publish(let third)? = try await packets.next() else { throw Unexpected() }
                #expect(third.packetID != qos1.packetID && third.packetID != qos2.packetID, "ids in use are not reused")
                try await outbound.write(.puback(MQTTAckPacket(packetID: qos1.packetID!)))
                try await outbound.write(.pubcomp(MQTTAckPacket(packetID: qos2.packetID!)))
                try await outbound.write(.puback(MQTTAckPacket(packetID: third.packetID!, reasonCode: .quotaExceeded)))
                let result = try await waiting.value
                #expect(!result.isSuccess && result.reasonCode == .quotaExceeded, "v5 failure code surfaced")
                await client.shutdown()
            }
        }
    }

    /// PUBACKs of a burst are written together at the end of the read; they must still all go
    /// out, in the order the publishes arrived, and the received messages reach the stream in order.
    @Test func aBurstOfQoS1PublishesIsAcknowledgedInOrder() async throws {
        let (client, _) = try await ScriptedServer.withConnectedClient("burst") { client, packets, outbound, _ in
            let ids: [UInt16] = [7, 3, 65535, 1, 200]
            try await outbound.write(contentsOf: ids.map { id in
                .publish(MQTTPublishPacket(topic: "t/\(id)", payload: ByteBuffer(string: "\(id)"), qos: .atLeastOnce,
                                           packetID: id))
            })
            var acknowledged: [UInt16] = []
            while acknowledged.count < ids.count, let packet = try await packets.next() {
                guard case .puback(let puback) = packet else { throw Unexpected() }
                acknowledged.append(puback.packetID)
            }
            #expect(acknowledged == ids)
            var received: [String] = []
            for await message in client.messages {
                received.append(message.topic)
                if received.count == ids.count { break }
            }
            #expect(received == ids.map { "t/\($0)" })
        }
        await client.shutdown()
    }

    /// A frame the client cannot take (here: over its v5 Maximum Packet Size) closes the
    /// connection with the decode error as the reason; frames before it were still delivered.
    @Test func anOversizedFrameClosesTheConnectionWithTheReason() async throws {
        let (client, reason) = try await ScriptedServer.withConnectedClient("oversized", configure: {
            $0.maximumPacketSize = 64
        }) { client, _, outbound, _ in
            var events = client.connectionEvents.makeAsyncIterator()
            try await outbound.write(contentsOf: [
                .publish(MQTTPublishPacket(topic: "small", payload: ByteBuffer(string: "ok"), qos: .atMostOnce)),
                .publish(MQTTPublishPacket(topic: "big", payload: ByteBuffer(repeating: 0x41, count: 200), qos: .atMostOnce)),
            ])
            while let event = await events.next() {
                if case .disconnected(let reason) = event { return "\(reason.map { "\($0)" } ?? "none")" }
            }
            return "no disconnect event"
        }
        #expect(reason.contains("exceeds the maximum of 64"), "reason: \(reason)")
        let received = try await collect(client, count: 1)
        #expect(received.map(\.topic) == ["small"])
        await client.shutdown()
    }

    /// Nothing after a malformed frame is delivered, even when a well-formed frame follows it in
    /// the same read: the stream cannot be trusted past the bad frame.
    @Test func nothingAfterAMalformedFrameIsDelivered() async throws {
        let (client, reason) = try await ScriptedServer.withConnectedClient("malformed") { client, _, _, channel in
            var events = client.connectionEvents.makeAsyncIterator()
            var bytes = ByteBuffer()
            MQTTPacket.publish(MQTTPublishPacket(topic: "before", payload: ByteBuffer(string: "1"), qos: .atMostOnce))
                .write(version: .v5, into: &bytes)
            bytes.writeBytes([0x36, 0x05, 0x00, 0x01, 0x74, 0x00, 0x01])  // PUBLISH with QoS 3
            MQTTPacket.publish(MQTTPublishPacket(topic: "after", payload: ByteBuffer(string: "2"), qos: .atMostOnce))
                .write(version: .v5, into: &bytes)
            try await ScriptedServer.writeRaw(bytes, on: channel)
            while let event = await events.next() {
                if case .disconnected(let reason) = event { return "\(reason.map { "\($0)" } ?? "none")" }
            }
            return "no disconnect event"
        }
        #expect(reason != "none" && reason != "no disconnect event", "reason: \(reason)")
        #expect(try await collect(client, count: 1).map(\.topic) == ["before"])
        try await Task.sleep(for: .milliseconds(100))
        #expect(await collectPending(client) == 0, "the frame after the malformed one is not delivered")
        await client.shutdown()
    }

    @Test func cleanSessionFailsPendingPublishesOnConnectionLoss() async throws {
        let (client, pending) = try await ScriptedServer.withConnectedClient("clean") { client, packets, _, _ in
            let pending = Task { try await client.publish(MQTTMessage(topic: "x", payload: "y", qos: .atLeastOnce)) }
            guard case .publish? = try await packets.next() else { throw Unexpected() }
            return pending  // closing the connection now, without PUBACK
        }
        await #expect(throws: MQTTError.connectionLost) { _ = try await pending.value }
        await client.shutdown()
    }

    @Test func serverDisconnectReasonIsSurfaced() async throws {
        let server = try await ScriptedServer.start()
        let client = MQTTClient(configuration: MQTTClientConfiguration(
            host: "127.0.0.1", port: server.port, clientID: "kicked", connectTimeout: .seconds(60)),
                                logger: Logger(label: "test.kicked"))
        var events = client.connectionEvents.makeAsyncIterator()
        try await server.channel.executeThenClose { connections in
            var accepted = connections.makeAsyncIterator()
            let ack = Task { try await client.connect() }
            let connection = try #require(try await accepted.next())
            try await connection.executeThenClose { inbound, outbound in
                var packets = inbound.makeAsyncIterator()
                guard case .connect? = try await packets.next() else { throw Unexpected() }
                try await outbound.write(.connack(MQTTConnAckPacket(sessionPresent: false, reasonCode: .success, properties: [
                    .receiveMaximum(3), .serverKeepAlive(30),
                ])))
                _ = try await ack.value
                guard case .connected(let connAck)? = await events.next() else { throw Unexpected() }
                #expect(connAck.receiveMaximum == 3 && connAck.serverKeepAlive == 30)
                try await outbound.write(.disconnect(MQTTReasonPacket(reasonCode: .sessionTakenOver,
                                                                      properties: [.reasonString("another client")])))
                guard case .disconnected(let reason)? = await events.next() else { throw Unexpected() }
                #expect(reason as? MQTTError == .serverDisconnected(.sessionTakenOver, reason: "another client"))
            }
            await client.shutdown()
        }
    }

    @Test func inboundTopicAliasesAndExactlyOnceDelivery() async throws {
        let (client, _) = try await ScriptedServer.withConnectedClient("alias") { client, packets, outbound, _ in
            try await outbound.write(.publish(MQTTPublishPacket(
                topic: "a/b", payload: ByteBuffer(string: "1"), qos: .atMostOnce, properties: [.topicAlias(1)])))
            try await outbound.write(.publish(MQTTPublishPacket(
                topic: "", payload: ByteBuffer(string: "2"), qos: .atMostOnce,
                properties: [.topicAlias(1), .userProperty("k", "v")])))
            let qos2 = MQTTPublishPacket(topic: "q", payload: ByteBuffer(string: "x"), qos: .exactlyOnce, packetID: 7)
            try await outbound.write(.publish(qos2))
            guard case .pubrec(let rec1)? = try await packets.next() else { throw Unexpected() }
            var duplicate = qos2
            duplicate.dup = true
            try await outbound.write(.publish(duplicate))  // as if our PUBREC had been lost
            guard case .pubrec(let rec2)? = try await packets.next() else { throw Unexpected() }
            #expect(rec1.packetID == 7 && rec2.packetID == 7)
            try await outbound.write(.pubrel(MQTTAckPacket(packetID: 7)))
            guard case .pubcomp(let comp)? = try await packets.next() else { throw Unexpected() }
            #expect(comp.packetID == 7)
            let received = try await collect(client, count: 3)
            #expect(received.map(\.topic) == ["a/b", "a/b", "q"])
            #expect(received.map(\.payload.text) == ["1", "2", "x"])
            #expect(received[1].properties.userProperties == [MQTTUserProperty("k", "v")])
            try await Task.sleep(for: .milliseconds(100))
            let extra = await collectPending(client)
            #expect(extra == 0, "the duplicate QoS 2 publish is not delivered twice")
        }
        await client.shutdown()
    }
}

struct Unexpected: Error {}

func waitFor(_ seconds: Double = 5, _ condition: @Sendable () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + .seconds(seconds)
    while ContinuousClock.now < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return condition()
}
