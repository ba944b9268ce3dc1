import NIOCore
import NIOHTTP1

/// The thin NIO side of one connection: gathers a request (head and body, at most
/// `maxBodySize`), hands it to the endpoint handler on the event loop and writes the answer.
/// Answers known at once (refusals) are written without leaving the event loop; readings go to
/// the gateway through the delivery queue and their answer comes back to the loop.
///
/// Answers go out in request order, one at a time. Requests a client pipelines behind the one
/// being answered wait here; with `maxQueuedRequests` waiting, or while the client does not read
/// its answers (the channel is not writable), the socket is not read. Unlike NIO's pipelining
/// helper, reading does not pause while a single answer is pending, which would cost two
/// `epoll_ctl` calls per request. A request that cannot be parsed is answered 400 in its turn,
/// then the connection closes.
///
/// A graceful stop (`ChannelShouldQuiesceEvent`) closes an idle connection at once and a busy
/// one after the request being read or answered (its answer carries `Connection: close`). A
/// client that half-closes still gets its answers.
final class RESTChannelHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    /// Waiting requests at which the socket is no longer read.
    static let maxQueuedRequests = 16
    /// Waiting requests at which the connection is closed: what one read had already delivered
    /// beyond `maxQueuedRequests` (a client pipelining far more than it reads).
    static let maxBufferedRequests = 256

    /// A request read in full, one refused for its size (413), or one that could not be parsed
    /// (400); the last two close the connection once answered.
    private enum Received {
        case request(HTTPRequestHead, ByteBuffer)
        case tooLarge(HTTPRequestHead)
        case malformed
    }

    private enum Reading {
        case awaitingHead
        case receiving(HTTPRequestHead, ByteBuffer)
        /// After a body over `maxBodySize` or a parse error: nothing more is read as requests.
        case discarding
    }

    private let handler: RESTRequestHandler
    private let maxBodySize: Int
    private var reading = Reading.awaitingHead
    private var answering = false
    private var queued = CircularBuffer<Received>(initialCapacity: 2)
    private var readHeld = false
    private var quiescing = false
    private var inputClosed = false
    /// The connection is closed or closing: nothing more is answered or handed to the gateway.
    private var closing = false
    private var date = HTTPDate()

    init(handler: RESTRequestHandler, maxBodySize: Int) {
        self.handler = handler
        self.maxBodySize = maxBodySize
    }

    // MARK: reading

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !closing else { return }
        switch (unwrapInboundIn(data), reading) {
        case (.head(let head), .awaitingHead):
            if let declared = head.headers.first(name: "content-length").flatMap(Int.init), declared > maxBodySize {
                reading = .discarding
                received(.tooLarge(head), context: context)
                return
            }
            reading = .receiving(head, ByteBuffer())
            // A client that asks first (curl does for large bodies) sends the body at once instead
            // of after its own timeout. HTTP/1.0 has no interim answers; a pipelined request
            // waits for its turn.
            if !answering, queued.isEmpty, head.version.major == 1, head.version.minor >= 1,
               head.headers.first(name: "expect")?.lowercased() == "100-continue" {
                context.writeAndFlush(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: .continue))),
                                      promise: nil)
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
            close(context)
        }
    }

    func read(context: ChannelHandlerContext) {
        if queued.count >= Self.maxQueuedRequests || !context.channel.isWritable {
            readHeld = true
        } else {
            context.read()
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        resumeReadingIfHeld(context)
        context.fireChannelWritabilityChanged()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        switch event {
        case is ChannelShouldQuiesceEvent:
            quiescing = true
            closeIfIdle(context)
        case ChannelEvent.inputClosed:
            inputClosed = true
            closeIfIdle(context)
        default:
            context.fireUserInboundEventTriggered(event)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard error is HTTPParserError, !closing else {
            // TLS and socket errors end the connection.
            close(context)
            return
        }
        // The decoder reads nothing more; what was received before is still answered, in order.
        reading = .discarding
        received(.malformed, context: context)
    }

    func channelInactive(context: ChannelHandlerContext) {
        closing = true
        queued.removeAll()
        context.fireChannelInactive()
    }

    // MARK: answering

    private func received(_ request: Received, context: ChannelHandlerContext) {
        queued.append(request)
        guard queued.count <= Self.maxBufferedRequests else {
            close(context)
            return
        }
        serveQueue(context)
    }

    /// Answers waiting requests in order until one has to wait for the gateway (no recursion:
    /// a client may have pipelined many requests answered at once).
    private func serveQueue(_ context: ChannelHandlerContext) {
        while !answering, !closing, let next = queued.popFirst() {
            answer(next, context: context)
        }
        guard !closing else { return }
        closeIfIdle(context)
        resumeReadingIfHeld(context)
    }

    private func answer(_ request: Received, context: ChannelHandlerContext) {
        answering = true
        switch request {
        case .tooLarge(let head):
            let reply = handler.bodyTooLarge(RESTHTTPRequest(head: head, body: ByteBuffer()), maxBodySize: maxBodySize)
            write(reply, version: head.version, keepAlive: false, context: context)
        case .malformed:
            write(RESTReply(.badRequest, RESTReplyBody(message: "malformed HTTP request")), version: .http1_1,
                  keepAlive: false, context: context)
        case .request(let head, let body):
            switch handler.handle(RESTHTTPRequest(head: head, body: body), on: context.eventLoop) {
            case .reply(let reply):
                write(reply, version: head.version, keepAlive: head.isKeepAlive, context: context)
            case .pending(let answer):
                answer.assumeIsolated().whenComplete { result in
                    let reply = (try? result.get())
                        ?? RESTReply(.internalServerError, RESTReplyBody(message: "the request could not be handled"))
                    self.write(reply, version: head.version, keepAlive: head.isKeepAlive, context: context)
                    self.serveQueue(context)
                }
            }
        }
    }

    private func write(_ reply: RESTReply, version: HTTPVersion, keepAlive: Bool, context: ChannelHandlerContext) {
        answering = false
        guard !closing else { return }
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
        } else if version.major == 1, version.minor == 0 {
            headers.add(name: "connection", value: "keep-alive")
        }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: version, status: reply.status, headers: headers))),
                      promise: nil)
        if let body = reply.body { context.write(wrapOutboundOut(.body(.byteBuffer(body.bytes))), promise: nil) }
        let written = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            closing = true
            queued.removeAll()
            written.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
        }
    }

    // MARK: closing and reading again

    /// Closes when nothing is being read or answered and the client will send nothing more
    /// (half-closed) or the server stops.
    private func closeIfIdle(_ context: ChannelHandlerContext) {
        guard quiescing || inputClosed, !answering, queued.isEmpty, !closing else { return }
        if case .receiving = reading, !inputClosed { return }
        close(context)
    }

    private func close(_ context: ChannelHandlerContext) {
        guard !closing else { return }
        closing = true
        queued.removeAll()
        context.close(promise: nil)
    }

    private func resumeReadingIfHeld(_ context: ChannelHandlerContext) {
        guard readHeld, !closing, queued.count < Self.maxQueuedRequests, context.channel.isWritable else { return }
        readHeld = false
        context.read()
    }
}
