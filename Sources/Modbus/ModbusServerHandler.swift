import Logging
import NIOCore

/// What a server does with one request ADU, whatever the transport: nil when the unit is not
/// served (a device on a shared line stays silent for other units), else the reply ADU.
enum ModbusServerLogic {
    static func reply(to adu: ModbusADU, store: ModbusDataStore) -> ModbusADU? {
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

    init(framing: ModbusFraming, store: ModbusDataStore, logger: Logger) {
        self.framer = framing.makeFramer(role: .server)
        self.store = store
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        buffer.withUnsafeReadableBytes { framer.append($0) }
        var wrote = false
        while true {
            do {
                guard let adu = try framer.nextFrame() else { break }
                guard let reply = ModbusServerLogic.reply(to: adu, store: store) else { continue }
                let bytes = framer.encode(reply)
                var out = context.channel.allocator.buffer(capacity: bytes.count)
                out.writeBytes(bytes)
                context.write(wrapOutboundOut(out), promise: nil)
                wrote = true
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
            guard let adu = try framer.nextFrame(), let reply = ModbusServerLogic.reply(to: adu, store: store) else {
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
