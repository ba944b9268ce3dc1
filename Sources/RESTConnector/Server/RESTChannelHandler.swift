import NIOCore
import NIOHTTP1

/// The thin NIO side of one connection: gathers a request (head and body, at most
/// `maxBodySize`), hands it to the endpoint handler on the event loop and writes the answer.
/// Answers known at once (refusals) are written without leaving the event loop; readings go to
/// the gateway through the delivery queue and their answer comes back to the loop.
///
/// Answers go out in request order, one at a time: requests a client pipelines behind the one
/// being answered wait here (at most `maxQueuedRequests`; beyond that the socket is not read).
/// Unlike NIO's pipelining helper, reading does not pause while an answer is pending, which
/// would cost two `epoll_ctl` calls per request.
///
/// A graceful stop (`ChannelShouldQuiesceEvent`) closes an idle connection at once and a busy
/// one after the answer in progress (sent with `Connection: close`).
final class RESTChannelHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    static let maxQueuedRequests = 16

    /// A request read in full, or one refused for its size (answered 413 in its turn, then the
    /// connection closes).
    private enum Received {
        case request(HTTPRequestHead, ByteBuffer)
        case tooLarge(HTTPRequestHead)
    }

    private enum Reading {
        case awaitingHead
        case receiving(HTTPRequestHead, ByteBuffer)
        /// After a body over `maxBodySize`: nothing more is read as requests.
        case discarding
    }

    private let handler: RESTRequestHandler
    private let maxBodySize: Int
    private var reading = Reading.awaitingHead
    private var answering = false
    private var queued = CircularBuffer<Received>(initialCapacity: 2)
    private var readHeld = false
    private var quiescing = false
    private var date = HTTPDate()

    init(handler: RESTRequestHandler, maxBodySize: Int) {
        self.handler = handler
        self.maxBodySize = maxBodySize
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch (unwrapInboundIn(data), reading) {
        case (.head(let head), .awaitingHead):
            if let declared = head.headers.first(name: "content-length").flatMap(Int.init), declared > maxBodySize {
                reading = .discarding
                received(.tooLarge(head), context: context)
            } else {
                reading = .receiving(head, ByteBuffer())
                // A client that asks first (curl does for large bodies) sends the body at once
                // instead of after its own timeout.
                if !answering, queued.isEmpty,
                   head.headers.first(name: "expect")?.lowercased() == "100-continue" {
                    context.writeAndFlush(wrapOutboundOut(.head(HTTPResponseHead(version: head.version,
                                                                                 status: .continue))),
                                          promise: nil)
                }
            }
        case (.body(let part), .receiving(let head, var body)):
            guard body.readableBytes + part.readableBytes <= maxBodySize else {
                reading = .discarding
                received(.tooLarge(head), context: context)
                return
            }
            reading = .discarding  // leaves `body` the only reference while it grows
            if body.readableBytes == 0 { body = part } else { body.writeImmutableBuffer(part) }
            reading = .receiving(head, body)
        case (.end, .receiving(let head, let body)):
            reading = .awaitingHead
            received(.request(head, body), context: context)
        case (_, .discarding):
            break
        default:
            // NIO's HTTP decoder keeps parts in order; anything else is a bug better ended with
            // the connection than with a confused answer.
            context.close(promise: nil)
        }
    }

    func read(context: ChannelHandlerContext) {
        if queued.count >= Self.maxQueuedRequests {
            readHeld = true
        } else {
            context.read()
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard event is ChannelShouldQuiesceEvent else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        quiescing = true
        if !answering { context.close(promise: nil) }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // Malformed requests already got their 400 from NIO's protocol error handler; TLS and
        // socket errors end the connection.
        context.close(promise: nil)
    }

    private func received(_ request: Received, context: ChannelHandlerContext) {
        if answering || !queued.isEmpty {
            queued.append(request)
        } else {
            answer(request, context: context)
        }
    }

    private func answer(_ request: Received, context: ChannelHandlerContext) {
        answering = true
        switch request {
        case .tooLarge(let head):
            let reply = handler.bodyTooLarge(RESTHTTPRequest(head: head, body: ByteBuffer()), maxBodySize: maxBodySize)
            write(reply, for: head, keepAlive: false, context: context)
        case .request(let head, let body):
            switch handler.handle(RESTHTTPRequest(head: head, body: body), on: context.eventLoop) {
            case .reply(let reply):
                write(reply, for: head, keepAlive: head.isKeepAlive, context: context)
            case .pending(let answer):
                answer.assumeIsolated().whenSuccess { reply in
                    self.write(reply, for: head, keepAlive: head.isKeepAlive, context: context)
                }
            }
        }
    }

    private func write(_ reply: RESTReply, for request: HTTPRequestHead, keepAlive: Bool,
                       context: ChannelHandlerContext) {
        let keepAlive = keepAlive && !quiescing
        var headers = HTTPHeaders()
        headers.reserveCapacity(4 + reply.extraHeaders.count)
        headers.add(name: "date", value: date.now())
        if let body = reply.body {
            headers.add(name: "content-type", value: body.contentType)
            headers.add(name: "content-length", value: String(body.bytes.readableBytes))
        } else {
            headers.add(name: "content-length", value: "0")
        }
        for (name, value) in reply.extraHeaders { headers.add(name: name, value: value) }
        if !keepAlive {
            headers.add(name: "connection", value: "close")
        } else if request.version.major == 1, request.version.minor == 0 {
            headers.add(name: "connection", value: "keep-alive")
        }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: request.version, status: reply.status,
                                                             headers: headers))), promise: nil)
        if let body = reply.body { context.write(wrapOutboundOut(.body(.byteBuffer(body.bytes))), promise: nil) }
        let written = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        answering = false
        guard keepAlive else {
            queued.removeAll()
            written.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
            return
        }
        if let next = queued.popFirst() {
            answer(next, context: context)
        }
        if readHeld, queued.count < Self.maxQueuedRequests {
            readHeld = false
            context.read()
        }
    }
}
