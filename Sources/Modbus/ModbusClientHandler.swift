import Logging
import NIOCore

/// A request on its way into the pipeline: the handler owns it from then on and completes `promise`.
struct ModbusClientRequest: Sendable {
    var request: ModbusRequest
    var pdu: [UInt8]
    var unitId: UInt8
    var timeout: TimeAmount
    var promise: EventLoopPromise<ModbusResponse>
}

/// The client's per-connection state, confined to the channel's event loop: framing, transaction
/// ids, in-flight requests, their timeouts and (for serial lines and UDP) the queue of requests
/// waiting for the line. Replies are matched by transaction id (MBAP) or taken as the reply to the
/// single outstanding request (RTU, ASCII). Nothing here is touched off the event loop.
final class ModbusClientHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ModbusClientRequest
    typealias OutboundOut = ByteBuffer

    /// Bound on queued + in-flight requests per connection.
    static let maxPending = 256

    private final class Pending {
        let id: UInt64
        let request: ModbusClientRequest
        var transactionId: UInt16 = 0
        var timer: Scheduled<Void>?
        init(id: UInt64, request: ModbusClientRequest) {
            self.id = id
            self.request = request
        }
    }

    private var framer: any ModbusFramer
    /// How many requests may be on the wire at once; the rest wait in `waiting`.
    private let window: Int
    /// RTU/ASCII: no transaction ids, so input left over from an earlier exchange is flushed
    /// before each request.
    private let flushBeforeRequest: Bool
    /// Each read is one whole datagram: leftovers of a bad one must not prefix the next.
    private let datagrams: Bool
    private let usesTransactionIds: Bool
    private let logger: Logger
    /// RTU/ASCII: a write to unit 0 is a broadcast no device answers; it is taken as done once
    /// the devices had this long to carry it out ("MODBUS over Serial Line" §2.1: the master's
    /// turnaround delay). nil for MBAP, where unit 0 is an ordinary address.
    private let broadcastTurnaround: TimeAmount?
    static let defaultBroadcastTurnaround = TimeAmount.milliseconds(100)
    /// RTU on a serial line: keeps t3.5 of silence before each request and drops a reply cut
    /// short by a silence.
    private var rtuClock: RTULineClock?
    private var nextTransactionId: UInt16 = 1
    private var nextId: UInt64 = 0
    private var inFlight: [UInt16: Pending] = [:]
    private var waiting = CircularBuffer<Pending>()
    private var context: ChannelHandlerContext?

    init(framing: ModbusFraming, window: Int, datagrams: Bool, rtuTiming: RTULineTiming? = nil, logger: Logger) {
        self.framer = framing.makeFramer(role: .client)
        self.window = max(1, window)
        self.flushBeforeRequest = framing != .socket
        self.datagrams = datagrams
        self.usesTransactionIds = framing == .socket
        self.broadcastTurnaround = framing == .socket ? nil : Self.defaultBroadcastTurnaround
        self.logger = logger
        self.rtuClock = rtuTiming.map(RTULineClock.init)
    }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    func handlerRemoved(context: ChannelHandlerContext) {
        failAll(ModbusClientError.connectionClosed)
        self.context = nil
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        // The write promise only says "the handler took it"; the reply goes to request.promise.
        promise?.succeed()
        let request = unwrapOutboundIn(data)
        guard inFlight.count + waiting.count < Self.maxPending else {
            request.promise.fail(ModbusClientError.tooManyPendingRequests)
            return
        }
        nextId &+= 1
        let pending = Pending(id: nextId, request: request)
        let id = pending.id
        pending.timer = context.eventLoop.assumeIsolated().scheduleTask(in: request.timeout) { [self] in
            self.timedOut(id)
        }
        if inFlight.count >= window {
            waiting.append(pending)
        } else {
            transmit(pending, context: context)
        }
    }

    private func transmit(_ pending: Pending, context: ChannelHandlerContext) {
        if usesTransactionIds {
            // Skip ids still in flight (only possible after 65536 requests with one stuck).
            while inFlight[nextTransactionId] != nil { nextTransactionId &+= 1 }
            pending.transactionId = nextTransactionId
            nextTransactionId &+= 1
        }
        inFlight[pending.transactionId] = pending
        let adu = ModbusADU(unitId: pending.request.unitId, transactionId: pending.transactionId,
                            pdu: pending.request.pdu)
        let bytes = framer.encode(adu)
        let delay = rtuClock?.delayBeforeSending(at: .now()) ?? .zero
        guard delay > .zero else { return send(bytes, for: pending, context: context) }
        // Too soon after the line's last byte: send once t3.5 of silence has passed, unless the
        // request timed out or the connection went away meanwhile.
        context.eventLoop.assumeIsolated().scheduleTask(in: delay) { [self] in
            guard let context = self.context, self.inFlight[pending.transactionId] === pending else { return }
            self.send(bytes, for: pending, context: context)
            context.flush()
        }
    }

    private func send(_ bytes: [UInt8], for pending: Pending, context: ChannelHandlerContext) {
        if flushBeforeRequest {
            // Whatever arrived since the last reply (a late answer to a timed-out request, line
            // noise) must not be read as the answer to this one.
            framer.reset()
        }
        rtuClock?.sent(bytes: bytes.count, at: .now())
        var buffer = context.channel.allocator.buffer(capacity: bytes.count)
        buffer.writeBytes(bytes)
        context.write(wrapOutboundOut(buffer), promise: nil)
        if let broadcastTurnaround, pending.request.unitId == 0, pending.request.request.isWrite {
            context.eventLoop.assumeIsolated().scheduleTask(in: broadcastTurnaround) { [self] in
                guard self.inFlight[pending.transactionId] === pending else { return }
                self.inFlight[pending.transactionId] = nil
                pending.timer?.cancel()
                pending.request.promise.succeed(.writeAcknowledged)
                if let context = self.context { self.transmitNext(context: context) }
            }
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        if datagrams { framer.reset() }
        if rtuClock?.received(at: .now()) == true {
            do throws(ModbusCodecError) { try framer.lineWasSilent() } catch {
                logger.warning("discarded Modbus input", metadata: ["error": "\(error)"])
            }
        }
        buffer.withUnsafeReadableBytes { framer.append($0) }
        while true {
            do {
                guard let adu = try framer.nextFrame() else { break }
                received(adu, context: context)
            } catch {
                logger.warning("discarded Modbus input", metadata: ["error": "\(error)"])
                if datagrams { break }
                if error.lostStreamPosition {
                    // Nothing after this can be framed reliably: fail what is pending and hang up.
                    failAll(ModbusClientError.malformedResponse(error.message))
                    context.close(promise: nil)
                    return
                }
            }
        }
    }

    private func received(_ adu: ModbusADU, context: ChannelHandlerContext) {
        let key: UInt16 = usesTransactionIds ? adu.transactionId : 0
        guard let pending = inFlight[key] else {
            logger.debug("dropped a Modbus reply nobody waits for (late or unsolicited)",
                         metadata: ["transaction": "\(adu.transactionId)", "unit": "\(adu.unitId)"])
            return
        }
        // MBAP replies are matched by transaction id alone: some TCP devices answer with unit 0 or
        // 255 whatever was asked. On a shared serial line, another unit's frame is not our reply.
        guard usesTransactionIds || adu.unitId == pending.request.unitId else {
            logger.debug("ignored a Modbus reply from unit \(adu.unitId), waiting for \(pending.request.unitId)")
            return
        }
        inFlight[key] = nil
        pending.timer?.cancel()
        do {
            pending.request.promise.succeed(try ModbusResponse.decode(pdu: adu.pdu, for: pending.request.request))
        } catch let error as ModbusException {
            pending.request.promise.fail(error)
        } catch {
            pending.request.promise.fail(ModbusClientError.malformedResponse("\(error)"))
        }
        transmitNext(context: context)
    }

    private func transmitNext(context: ChannelHandlerContext) {
        guard inFlight.count < window, let next = waiting.popFirst() else { return }
        transmit(next, context: context)
        context.flush()
    }

    private func timedOut(_ id: UInt64) {
        if let entry = inFlight.first(where: { $0.value.id == id }) {
            inFlight[entry.key] = nil
            entry.value.request.promise.fail(ModbusClientError.timeout)
            if let context { transmitNext(context: context) }
        } else if let index = waiting.firstIndex(where: { $0.id == id }) {
            let pending = waiting.remove(at: index)
            pending.request.promise.fail(ModbusClientError.timeout)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        failAll(ModbusClientError.connectionClosed)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        logger.warning("Modbus connection error", metadata: ["error": "\(error)"])
        failAll(ModbusClientError.connectionClosed)
        context.close(promise: nil)
    }

    private func failAll(_ error: ModbusClientError) {
        let all = Array(inFlight.values) + Array(waiting)
        inFlight.removeAll()
        waiting.removeAll()
        for pending in all {
            pending.timer?.cancel()
            pending.request.promise.fail(error)
        }
    }
}

/// UDP: unwraps received datagrams and addresses outgoing ones to the connected peer.
final class ModbusDatagramAdapter: ChannelDuplexHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.fireChannelRead(wrapInboundOut(unwrapInboundIn(data).data))
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard let remote = context.channel.remoteAddress else {
            promise?.fail(ModbusClientError.notConnected)
            return
        }
        context.write(wrapOutboundOut(AddressedEnvelope(remoteAddress: remote, data: unwrapOutboundIn(data))),
                      promise: promise)
    }
}

extension TimeAmount {
    /// A Swift `Duration` as NIO time, clamped to what fits.
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        let limit = Int64.max / 1_000_000_000 - 1
        self = .nanoseconds(max(0, min(seconds, limit)) * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
