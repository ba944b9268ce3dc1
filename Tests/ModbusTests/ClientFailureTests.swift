import Foundation
import Modbus
import NIOCore
import NIOPosix
import Testing
import TestSupport

/// Timeouts and lost connections, against peers that misbehave on purpose: a TCP listener that
/// never answers, one that hangs up on the first request, and one that answers late.
@Suite struct ClientFailureTests {
    /// A raw TCP listener whose connections run `behaviour` on every read.
    final class Misbehaving: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        enum Behaviour: Sendable { case silent, hangUp, answerLate(TimeAmount, [UInt8]), answerGarbage([UInt8]) }
        let behaviour: Behaviour
        init(_ behaviour: Behaviour) { self.behaviour = behaviour }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let request = unwrapInboundIn(data)
            switch behaviour {
            case .silent:
                break
            case .hangUp:
                context.close(promise: nil)
            case .answerGarbage(let bytes):
                var buffer = context.channel.allocator.buffer(capacity: bytes.count)
                buffer.writeBytes(bytes)
                context.writeAndFlush(NIOAny(buffer), promise: nil)
            case .answerLate(let delay, let pdu):
                // Answer with the same transaction id and unit, after the client gave up.
                let header = request.getBytes(at: request.readerIndex, length: 7) ?? []
                guard header.count == 7 else { return }
                let reply = Array(header[0..<4]) + [0, UInt8(pdu.count + 1), header[6]] + pdu
                let channel = context.channel
                context.eventLoop.scheduleTask(in: delay) {
                    var buffer = channel.allocator.buffer(capacity: reply.count)
                    buffer.writeBytes(reply)
                    channel.writeAndFlush(buffer, promise: nil)
                }
            }
        }
    }

    static func listen(_ behaviour: Misbehaving.Behaviour) async throws -> any Channel {
        try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Misbehaving(behaviour))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
    }

    @Test func aServerThatNeverAnswersTimesOut() async throws {
        let listener = try await Self.listen(.silent)
        defer { listener.close(promise: nil) }
        let client = ModbusClient(endpoint: .tcp(host: "127.0.0.1", port: listener.localAddress!.port!), framing: .socket)
        try await client.connect(timeout: .seconds(2))
        let start = ContinuousClock.now
        await #expect(throws: ModbusClientError.timeout) {
            try await client.send(.readHoldingRegisters(address: 0, count: 1), unitId: 1, timeout: .milliseconds(200))
        }
        let waited = ContinuousClock.now - start
        #expect(waited >= .milliseconds(200) && waited < .seconds(2))
        #expect(await client.isConnected)
        await client.close()
    }

    @Test func peerHangingUpFailsEveryPendingRequestPromptly() async throws {
        let listener = try await Self.listen(.hangUp)
        defer { listener.close(promise: nil) }
        let client = ModbusClient(endpoint: .tcp(host: "127.0.0.1", port: listener.localAddress!.port!), framing: .socket)
        try await client.connect(timeout: .seconds(2))
        let start = ContinuousClock.now
        await withTaskGroup(of: (any Error)?.self) { group in
            for _ in 0..<3 {
                group.addTask {
                    do {
                        _ = try await client.send(.readCoils(address: 0, count: 1), unitId: 1, timeout: .seconds(10))
                        return nil
                    } catch { return error }
                }
            }
            for await error in group {
                #expect(error as? ModbusClientError == .connectionClosed)
            }
        }
        #expect(ContinuousClock.now - start < .seconds(5))
        #expect(await waitUntil(timeout: 2) { await !client.isConnected })
        await #expect(throws: ModbusClientError.notConnected) {
            try await client.send(.readCoils(address: 0, count: 1), unitId: 1, timeout: .seconds(1))
        }
    }

    @Test func aLateReplyIsNotTakenAsTheNextRequestsReply() async throws {
        // Replies "03 02 00 07" (register = 7) 300 ms after each request.
        let listener = try await Self.listen(.answerLate(.milliseconds(300), hex("03 02 00 07")))
        defer { listener.close(promise: nil) }
        let client = ModbusClient(endpoint: .tcp(host: "127.0.0.1", port: listener.localAddress!.port!), framing: .socket)
        try await client.connect(timeout: .seconds(2))
        await #expect(throws: ModbusClientError.timeout) {
            try await client.send(.readHoldingRegisters(address: 0, count: 1), unitId: 1, timeout: .milliseconds(100))
        }
        // The second request's own reply arrives after 300 ms; the first's late reply (~200 ms
        // from now) must be dropped, not delivered here.
        let start = ContinuousClock.now
        let response = try await client.send(.readHoldingRegisters(address: 0, count: 1), unitId: 1, timeout: .seconds(3))
        #expect(response == .registers([7]))
        #expect(ContinuousClock.now - start >= .milliseconds(280))
        await client.close()
    }

    @Test func aStreamThatLosesMBAPFramingIsClosed() async throws {
        // An HTTP server is not a Modbus device: its "length" field is impossible.
        let listener = try await Self.listen(.answerGarbage(ascii("HTTP/1.1 400 Bad Request\r\n\r\n")))
        defer { listener.close(promise: nil) }
        let client = ModbusClient(endpoint: .tcp(host: "127.0.0.1", port: listener.localAddress!.port!), framing: .socket)
        try await client.connect(timeout: .seconds(2))
        do {
            _ = try await client.send(.readCoils(address: 0, count: 1), unitId: 1, timeout: .seconds(5))
            Issue.record("a garbage reply was accepted")
        } catch let ModbusClientError.malformedResponse(why) {
            #expect(why.contains("MBAP length"))
        }
        #expect(await waitUntil(timeout: 2) { await !client.isConnected })
    }

    @Test func aCancelledCallerStopsWaitingAtOnce() async throws {
        let listener = try await Self.listen(.silent)
        defer { listener.close(promise: nil) }
        let client = ModbusClient(endpoint: .tcp(host: "127.0.0.1", port: listener.localAddress!.port!), framing: .socket)
        try await client.connect(timeout: .seconds(2))
        let start = ContinuousClock.now
        let task = Task { try await client.send(.readCoils(address: 0, count: 1), unitId: 1, timeout: .seconds(30)) }
        try await Task.sleep(for: .milliseconds(100))
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(ContinuousClock.now - start < .seconds(5))
        await client.close()
    }

    @Test func invalidRequestsAreRefusedBeforeTheWire() async throws {
        let client = ModbusClient(endpoint: .tcp(host: "127.0.0.1", port: 1), framing: .socket)
        await #expect(throws: ModbusCodecError.self) {
            try await client.send(.readHoldingRegisters(address: 0, count: 200), unitId: 1, timeout: .seconds(1))
        }
        await #expect(throws: ModbusClientError.notConnected) {
            try await client.send(.readHoldingRegisters(address: 0, count: 2), unitId: 1, timeout: .seconds(1))
        }
    }
}
