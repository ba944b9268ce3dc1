import NIOCore
import NIOSSL
import NIOTLS  // TLSUserEvent; built as a dependency of NIOSSL

/// Completes `promise` when the TLS handshake finishes (or fails, or the connection closes first),
/// so `ModbusClient.connect` only returns once the peer's certificate has been accepted.
final class TLSHandshakeWaiter: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let promise: EventLoopPromise<Void>

    init(promise: EventLoopPromise<Void>) { self.promise = promise }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case TLSUserEvent.handshakeCompleted = event { promise.succeed() }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        promise.fail(error)
        context.fireErrorCaught(error)
    }

    func channelInactive(context: ChannelHandlerContext) {
        promise.fail(ModbusClientError.connectionClosed)
        context.fireChannelInactive()
    }
}
