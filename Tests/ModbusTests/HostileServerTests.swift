import Modbus
import NIOCore
import NIOPosix
import Synchronization
import Testing
import TestSupport

/// A Modbus TCP device that answers every request with its proper reply, often mangled (wrong
/// transaction id, bad length, flipped bits, cut short, extra bytes): each request the client
/// sends still ends, with a response or an error, and the client never traps. Seeded, so a
/// failure can be replayed.
@Suite("Modbus TCP client against a device that mangles its replies", .timeLimit(.minutes(2)))
struct HostileServerTests {
    /// Answers each MBAP request with the reply it asks for, mutated three times in four.
    final class ManglingResponder: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        private var mutator: ByteMutator
        init(seed: UInt64) { mutator = ByteMutator(seed: seed) }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let request = Array(unwrapInboundIn(data).readableBytesView)
            guard request.count >= 8 else { return }
            let pdu = Array(request[7...])
            var reply = Array(request[0..<4]) + [0, 0, request[6]] + Self.properReplyPDU(to: pdu, &mutator)
            let length = reply.count - 6
            reply[4] = UInt8(length >> 8)
            reply[5] = UInt8(length & 0xFF)
            if mutator.below(4) != 0 { reply = mutator.mutate(reply) }
            for piece in mutator.split(reply) {  // Separate segments, so reads see them apart.
                context.writeAndFlush(NIOAny(context.channel.allocator.buffer(bytes: piece)), promise: nil)
            }
        }

        private static func properReplyPDU(to pdu: [UInt8], _ mutator: inout ByteMutator) -> [UInt8] {
            guard pdu.count >= 5 else { return [(pdu.first ?? 0) | 0x80, 0x03] }
            let count = Int(pdu[3]) << 8 | Int(pdu[4])
            let random = { (n: Int, m: inout ByteMutator) in (0..<n).map { _ in UInt8(truncatingIfNeeded: m.next()) } }
            switch pdu[0] {
            case 1, 2: return [pdu[0], UInt8((count + 7) / 8)] + random((count + 7) / 8, &mutator)
            case 3, 4: return [pdu[0], UInt8(truncatingIfNeeded: count * 2)] + random(count * 2, &mutator)
            default: return Array(pdu[0..<5])
            }
        }
    }

    final class ConnectionCounter: Sendable {
        let count = Atomic<Int>(0)
    }

    @Test func everyRequestEndsWhateverTheDeviceAnswers() async throws {
        let connections = ConnectionCounter()
        let listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    // Each connection its own stream of mutations (the client reconnects after a bad frame).
                    let connection = connections.count.add(1, ordering: .relaxed).newValue
                    try channel.pipeline.syncOperations.addHandler(ManglingResponder(seed: 0x4D42_4854_0000 | UInt64(connection)))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        defer { listener.close(promise: nil) }
        let client = ModbusClient(endpoint: .tcp(host: "127.0.0.1", port: listener.localAddress!.port!), framing: .socket)
        let requests: [ModbusRequest] = [
            .readCoils(address: 0, count: 10), .readDiscreteInputs(address: 3, count: 1),
            .readHoldingRegisters(address: 0, count: 4), .readInputRegisters(address: 7, count: 2),
            .writeSingleCoil(address: 1, value: true), .writeSingleRegister(address: 2, value: 0x1234),
            .writeMultipleCoils(address: 0, values: [true, false, true]), .writeMultipleRegisters(address: 0, values: [1, 2]),
        ]
        var answered = 0, failed = 0
        for iteration in 0..<240 {
            if !(await client.isConnected) { try await client.connect(timeout: .seconds(2)) }
            let started = ContinuousClock.now
            do {
                _ = try await client.send(requests[iteration % requests.count], unitId: 1, timeout: .milliseconds(50))
                answered += 1
            } catch {
                failed += 1
            }
            #expect(ContinuousClock.now - started < .seconds(2), "iteration \(iteration) waited too long")
        }
        #expect(answered > 20, "the unmangled replies should be taken")
        #expect(failed > 20, "the mangled replies should be refused")
        await client.close()
    }
}
