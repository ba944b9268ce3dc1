import Logging
import NIOCore

/// What a server does with one request ADU, whatever the transport: nil when the unit is not
/// served (a device on a shared line stays silent for other units), else the reply ADU.
enum ModbusServerLogic {
    /// `serialLine`: RTU/ASCII framing, where unit 0 is a broadcast: a write is carried out for
    /// every unit served and nobody answers (a read to unit 0 is ignored).
    static func reply(to adu: ModbusADU, store: ModbusDataStore, serialLine: Bool) -> ModbusADU? {
        if serialLine && adu.unitId == 0 {
            if let request = try? ModbusRequest.decode(pdu: adu.pdu), request.isWrite {
                for unit in store.unitIds ?? [0] { _ = try? store.handle(request, unitId: unit) }
            }
            return nil
        }
        guard store.serves(unitId: adu.unitId) else { return nil }
        var pdu: [UInt8]
        do {
            let request = try ModbusRequest.decode(pdu: adu.pdu)
            do {
                let response = try store.handle(request, unitId: adu.unitId)
                pdu = try ModbusResponse.encodePDU(response, for: request)
            } catch let exception as ModbusException {
                pdu = exception.pdu
            } catch {
                pdu = ModbusException(function: request.functionCode.rawValue, code: .serverDeviceFailure).pdu
            }
        } catch {
            pdu = error.pdu
        }
        return ModbusADU(unitId: adu.unitId, transactionId: adu.transactionId, pdu: pdu)
    }
}

/// A stream connection (TCP client, serial line) served by a `ModbusServer`: frames requests,
/// answers them from the store. State is per connection and confined to its event loop.
final class ModbusServerHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var framer: any ModbusFramer
    private let store: ModbusDataStore
    private let logger: Logger
    /// RTU on a serial line: replies wait for t3.5 of silence after the request; a request cut
    /// short by a silence is dropped.
    private var rtuClock: RTULineClock?
    private let serialLine: Bool

    init(framing: ModbusFraming, store: ModbusDataStore, rtuTiming: RTULineTiming? = nil, logger: Logger) {
        self.framer = framing.makeFramer(role: .server)
        self.serialLine = framing != .socket
        self.store = store
        self.logger = logger
        self.rtuClock = rtuTiming.map(RTULineClock.init)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        if rtuClock?.received(at: .now()) == true {
            do throws(ModbusCodecError) { try framer.lineWasSilent() } catch {
                logger.warning("discarded Modbus request bytes", metadata: ["error": "\(error)"])
            }
        }
        buffer.withUnsafeReadableBytes { framer.append($0) }
        var wrote = false
        while true {
            do {
                guard let adu = try framer.nextFrame() else { break }
                guard let reply = ModbusServerLogic.reply(to: adu, store: store, serialLine: serialLine) else { continue }
                let bytes = framer.encode(reply)
                var out = context.channel.allocator.buffer(capacity: bytes.count)
                out.writeBytes(bytes)
                let delay = rtuClock?.delayBeforeSending(at: .now()) ?? .zero
                rtuClock?.sent(bytes: bytes.count, at: .now() + delay)
                if delay > .zero {
                    context.eventLoop.assumeIsolated().scheduleTask(in: delay) { [self] in
                        context.writeAndFlush(self.wrapOutboundOut(out), promise: nil)
                    }
                } else {
                    context.write(wrapOutboundOut(out), promise: nil)
                    wrote = true
                }
            } catch {
                logger.warning("discarded Modbus request bytes", metadata: ["error": "\(error)"])
                if error.lostStreamPosition {
                    context.close(promise: nil)
                    return
                }
            }
        }
        if wrote { context.flush() }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        logger.debug("Modbus server connection error", metadata: ["error": "\(error)"])
        context.close(promise: nil)
    }
}

/// UDP: each datagram is one request, answered to its sender.
final class ModbusDatagramServerHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    private let framing: ModbusFraming
    private let store: ModbusDataStore
    private let logger: Logger

    init(framing: ModbusFraming, store: ModbusDataStore, logger: Logger) {
        self.framing = framing
        self.store = store
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        var framer = framing.makeFramer(role: .server)
        envelope.data.withUnsafeReadableBytes { framer.append($0) }
        do {
            guard let adu = try framer.nextFrame(),
                  let reply = ModbusServerLogic.reply(to: adu, store: store, serialLine: framing != .socket) else {
                return
            }
            let bytes = framer.encode(reply)
            var out = context.channel.allocator.buffer(capacity: bytes.count)
            out.writeBytes(bytes)
            context.writeAndFlush(wrapOutboundOut(AddressedEnvelope(remoteAddress: envelope.remoteAddress, data: out)),
                                  promise: nil)
        } catch {
            logger.warning("discarded Modbus datagram", metadata: ["error": "\(error)"])
        }
    }
}
