import NIOCore

/// An HTTP proxy the connection goes through (`CONNECT host:port`), as paho's `proxy_set` with
/// an HTTP proxy does for the reference gateway (`proxy_host` / `proxy_port`).
public struct MQTTHTTPProxy: Sendable, Equatable {
    public var host: String
    public var port: Int

    /// 8080 when no port is given, as the reference's PySocks uses for HTTP proxies.
    public init(host: String, port: Int = 8080) {
        self.host = host
        self.port = port
    }
}

/// First handler of a channel to the proxy: asks it to open a tunnel to the broker and fulfils
/// `established` once it answered 2xx (or fails it with the proxy's answer). The owner then puts
/// the TLS and MQTT handlers behind it and removes it; bytes that came after the proxy's answer
/// are passed on then.
final class HTTPConnectTunnelHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let established: EventLoopPromise<Void>
    private let target: String
    private var answer = ByteBuffer()
    private var done = false
    /// Limit of the proxy's answer head, so a misbehaving proxy cannot grow it without bound.
    private static let maximumHead = 16 * 1024

    init(targetHost: String, targetPort: Int, established: EventLoopPromise<Void>) {
        // An IPv6 literal goes in brackets in the authority.
        target = targetHost.contains(":") ? "[\(targetHost)]:\(targetPort)" : "\(targetHost):\(targetPort)"
        self.established = established
    }

    func channelActive(context: ChannelHandlerContext) {
        let request = "CONNECT \(target) HTTP/1.1\r\nHost: \(target)\r\n\r\n"
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(string: request)), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        guard !done else { return context.fireChannelRead(wrapInboundOut(bytes)) }
        answer.writeBuffer(&bytes)
        let view = answer.readableBytesView
        guard let end = view.firstRange(of: Array("\r\n\r\n".utf8)) else {
            if answer.readableBytes > Self.maximumHead { fail(context, "an answer head longer than \(Self.maximumHead) bytes") }
            return
        }
        let head = String(decoding: view[view.startIndex..<end.lowerBound], as: UTF8.self)
        let statusLine = head.split(separator: "\r\n", maxSplits: 1).first.map(String.init) ?? ""
        let parts = statusLine.split(separator: " ")
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let status = Int(parts[1]), (200..<300).contains(status) else {
            return fail(context, "\"\(statusLine)\"")
        }
        done = true
        answer.moveReaderIndex(to: end.upperBound)
        established.succeed()
    }

    /// Called once the handlers behind it are in place: bytes that followed the answer.
    func passOnRemainder(context: ChannelHandlerContext) {
        guard answer.readableBytes > 0 else { return }
        context.fireChannelRead(wrapInboundOut(answer))
        answer = ByteBuffer()
    }

    /// A connection to the proxy that never became active (refused, timed out) removes the
    /// handler without any other event: the promise must not be left unfulfilled.
    func handlerRemoved(context: ChannelHandlerContext) {
        if !done {
            done = true
            established.fail(MQTTError.proxyRefused("the connection to the proxy closed before the tunnel was open"))
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if !done { fail(context, "the connection closed before the tunnel was open") }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if !done {
            done = true
            established.fail(error)
            context.close(promise: nil)
        } else {
            context.fireErrorCaught(error)
        }
    }

    private func fail(_ context: ChannelHandlerContext, _ what: String) {
        guard !done else { return }
        done = true
        established.fail(MQTTError.proxyRefused(what))
        context.close(promise: nil)
    }
}
