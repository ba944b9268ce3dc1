import NIOCore
#if canImport(Glibc)
import Glibc
#endif

/// The per-connection NIO handler: decodes the byte stream into packets for the client core, and
/// encodes and writes packets for it. The core (session state) outlives connections; this handler
/// lives and dies with one channel. Decoding here, rather than in a `ByteToMessageHandler` in front,
/// saves boxing every packet into the pipeline's `NIOAny` and casting it back (≈2 % of the CPU of a
/// connector receiving at full speed).
final class MQTTChannelHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let core: MQTTClientCore
    private(set) var context: ChannelHandlerContext?
    /// First error seen on this channel (TLS failure, decode error, ...), reported when it closes.
    private(set) var firstError: (any Error)?

    private let acknowledgesReadsImmediately: Bool
    private let version: MQTTVersion
    /// Acknowledgements of received publishes not yet written: a burst of reads is acknowledged
    /// with one write of one buffer at the next flush instead of one pipeline write per message
    /// (that was ≈4 % of the connector's CPU at high rates). Written before any other packet,
    /// so the order of everything on the wire is the order the core asked for.
    private var pendingAcknowledgements: ByteBuffer?

    private var decoder: NIOSingleStepByteToMessageProcessor<MQTTPacketDecoder>
    /// Set by the first frame that could not be decoded.
    private var streamBroken = false
    /// `readBatching`: holds reads of a slow stream back (nil: every read goes out at once).
    private var readPacer: MQTTReadPacer?
    private var heldRead: Scheduled<Void>?
    /// Requests written (with `readPacer` only) whose answers have not come yet: while any is
    /// outstanding no read is held, so a SUBACK, PINGRESP, PUBACK or PUBCOMP is read as it comes,
    /// also when its request was written while a read was being handled (a PUBREL on a PUBREC).
    /// A server that never answers leaves this above zero: reads are then not held, as without
    /// the option, until the connection ends.
    private var answersAwaited = 0

    init(core: MQTTClientCore, version: MQTTVersion, maximumPacketSize: Int, acknowledgesReadsImmediately: Bool,
         readBatching: TimeAmount? = nil) {
        self.core = core
        self.version = version
        self.acknowledgesReadsImmediately = acknowledgesReadsImmediately
        readPacer = readBatching.flatMap { $0 > .zero ? MQTTReadPacer(interval: $0) : nil }
        decoder = NIOSingleStepByteToMessageProcessor(MQTTPacketDecoder(version: version, maximumPacketSize: maximumPacketSize))
    }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        releaseHeldRead()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !streamBroken else { return }
        let buffer = unwrapInboundIn(data)
        readPacer?.received(bytes: buffer.readableBytes)
        do {
            try decoder.process(buffer: buffer) { packet in
                if readPacer != nil { count(packet) }
                core.received(packet, on: self)
            }
        } catch {
            // A malformed or oversized frame: the stream cannot be resynchronised, so nothing
            // after it is decoded while the connection closes (a TLS close still reads until the
            // peer's close_notify arrives).
            streamBroken = true
            errorCaught(context: context, error: error)
        }
    }

    /// Linux re-arms delayed ACKs after a while, so quick-ack mode is set again after every read:
    /// one setsockopt per read batch, which also sends an ACK the kernel was holding back.
    func channelReadComplete(context: ChannelHandlerContext) {
        #if os(Linux)
        // Reads held back must not hold the kernel's ACKs back too: a broker with Nagle's algorithm
        // on (mosquitto) sends nothing more until its previous segment is acknowledged. A stream
        // read at once is spared the system call.
        if acknowledgesReadsImmediately || readPacer?.isHolding == true {
            try? context.channel.syncOptions?.setOption(Self.quickAck, value: 1)
        }
        #endif
        context.fireChannelReadComplete()
    }

    #if os(Linux)
    private static let quickAck = ChannelOptions.Types.SocketOption(
        level: .tcp, name: NIOBSDSocket.Option(rawValue: CInt(TCP_QUICKACK)))
    #endif

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if firstError == nil { firstError = error }
        context.close(promise: nil)
    }

    /// The channel asks for its next read here (after each read, while `autoRead` is on).
    func read(context: ChannelHandlerContext) {
        guard readPacer != nil else { return context.read() }
        guard heldRead == nil else { return }
        let due = readPacer!.nextRead(now: .now())
        guard let due, answersAwaited == 0 else { return context.read() }
        heldRead = context.eventLoop.assumeIsolated().scheduleTask(deadline: due) { [self] in
            heldRead = nil
            context.read()
        }
    }

    private func releaseHeldRead() {
        heldRead?.cancel()
        heldRead = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        releaseHeldRead()
        core.connectionClosed(self, error: firstError)
        context.fireChannelInactive()
    }

    func record(_ error: any Error) {
        if firstError == nil { firstError = error }
    }

    func write(_ packet: MQTTPacket, promise: EventLoopPromise<Void>? = nil) {
        guard let context else {
            promise?.fail(MQTTError.connectionLost)
            return
        }
        writePendingAcknowledgements(context)
        var buffer = context.channel.allocator.buffer(capacity: 64)
        packet.write(version: version, into: &buffer)
        context.write(wrapOutboundOut(buffer), promise: promise)
        // Its answer (SUBACK, PINGRESP, PUBACK, ...) is read as soon as it comes: a keep-alive or a
        // request timeout must not run out while it waits unread, nor a downlink RPC for it.
        if readPacer != nil, Self.expectsAnswer(packet) {
            answersAwaited += 1
            if heldRead != nil {
                releaseHeldRead()
                context.read()
            }
        }
    }

    /// `readBatching` bookkeeping of one received packet.
    private func count(_ packet: MQTTPacket) {
        switch packet {
        case .publish:
            readPacer?.receivedPublish()
        case .puback, .pubrec, .pubcomp, .suback, .unsuback, .pingresp:
            answersAwaited = max(0, answersAwaited - 1)
        default:
            break
        }
    }

    private static func expectsAnswer(_ packet: MQTTPacket) -> Bool {
        switch packet {
        case .subscribe, .unsubscribe, .pingreq, .pubrel: true
        case .publish(let publish): publish.qos != .atMostOnce
        default: false
        }
    }

    /// Queues a small acknowledgement packet (PUBACK) for the next `flush()`.
    func writeAcknowledgement(_ packet: MQTTPacket) {
        guard let context else { return }
        if pendingAcknowledgements == nil {
            pendingAcknowledgements = context.channel.allocator.buffer(capacity: 256)
        }
        packet.write(version: version, into: &pendingAcknowledgements!)
    }

    private func writePendingAcknowledgements(_ context: ChannelHandlerContext) {
        guard let acknowledgements = pendingAcknowledgements else { return }
        pendingAcknowledgements = nil
        context.write(wrapOutboundOut(acknowledgements), promise: nil)
    }

    func flush() {
        guard let context else { return }
        writePendingAcknowledgements(context)
        context.flush()
    }

    func close(error: (any Error)?) {
        if let error { record(error) }
        context?.close(promise: nil)
    }

    func setReading(_ on: Bool) {
        guard let context else { return }
        try? context.channel.syncOptions?.setOption(ChannelOptions.autoRead, value: on)
        // A held read would read once more after a pause; a resumed stream is read at once.
        releaseHeldRead()
        if on { context.read() }
    }
}
