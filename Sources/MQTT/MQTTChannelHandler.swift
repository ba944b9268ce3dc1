import NIOCore

/// The per-connection NIO handler: forwards decoded packets to the client core and writes packets
/// for it. The core (session state) outlives connections; this handler lives and dies with one channel.
final class MQTTChannelHandler: ChannelInboundHandler {
    typealias InboundIn = MQTTPacket
    typealias OutboundOut = MQTTPacket

    private let core: MQTTClientCore
    private(set) var context: ChannelHandlerContext?
    /// First error seen on this channel (TLS failure, decode error, ...), reported when it closes.
    private(set) var firstError: (any Error)?

    init(core: MQTTClientCore) { self.core = core }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        core.received(unwrapInboundIn(data), on: self)
    }

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
