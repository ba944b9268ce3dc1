import NIOCore
#if canImport(Glibc)
import Glibc
#endif

/// The per-connection NIO handler: forwards decoded packets to the client core and writes packets
/// for it. The core (session state) outlives connections; this handler lives and dies with one channel.
final class MQTTChannelHandler: ChannelInboundHandler {
    typealias InboundIn = MQTTPacket
    typealias OutboundOut = MQTTPacket

    private let core: MQTTClientCore
    private(set) var context: ChannelHandlerContext?
    /// First error seen on this channel (TLS failure, decode error, ...), reported when it closes.
    private(set) var firstError: (any Error)?

    private let acknowledgesReadsImmediately: Bool

    init(core: MQTTClientCore, acknowledgesReadsImmediately: Bool) {
        self.core = core
        self.acknowledgesReadsImmediately = acknowledgesReadsImmediately
    }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        core.received(unwrapInboundIn(data), on: self)
    }

    /// Linux re-arms delayed ACKs after a while, so quick-ack mode is set again after every read:
    /// one setsockopt per read batch, which also sends an ACK the kernel was holding back.
    func channelReadComplete(context: ChannelHandlerContext) {
        #if os(Linux)
        if acknowledgesReadsImmediately {
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

    func channelInactive(context: ChannelHandlerContext) {
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
        context.write(wrapOutboundOut(packet), promise: promise)
    }

    func flush() { context?.flush() }

    func close(error: (any Error)?) {
        if let error { record(error) }
        context?.close(promise: nil)
    }

    func setReading(_ on: Bool) {
        guard let context else { return }
        try? context.channel.syncOptions?.setOption(ChannelOptions.autoRead, value: on)
        if on { context.read() }
    }
}
