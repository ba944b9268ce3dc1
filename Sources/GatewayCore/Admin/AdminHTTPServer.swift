import Logging
import NIOCore
import NIOHTTP1
import NIOPosix

/// One answer of the admin endpoint.
struct AdminResponse: Sendable {
    var status: HTTPResponseStatus
    var contentType: String
    var body: [UInt8]

    static func text(_ text: String, status: HTTPResponseStatus = .ok) -> AdminResponse {
        AdminResponse(status: status, contentType: "text/plain; charset=utf-8", body: Array(text.utf8))
    }
}

/// A minimal HTTP/1.1 server for the admin endpoints: GET only, small answers, one request at a
/// time per connection. The answers come from `respond`, which runs as a task off the event loop.
final class AdminHTTPServer: Sendable {
    typealias Responder = @Sendable (_ method: HTTPMethod, _ path: String) async -> AdminResponse

    private let channel: any Channel

    /// Binds `host:port` (0 picks a free port).
    init(host: String, port: Int, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
         respond: @escaping Responder) async throws {
        channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 16)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(AdminRequestHandler(respond: respond))
                }
            }
            .bind(host: host, port: port).get()
    }

    var port: Int? { channel.localAddress?.port }

    func close() async {
        try? await channel.close()
    }
}

/// Reads one request (head, body ignored, end), asks the responder, writes the answer.
private final class AdminRequestHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let respond: AdminHTTPServer.Responder
    private var head: HTTPRequestHead?

    init(respond: @escaping AdminHTTPServer.Responder) {
        self.respond = respond
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
        case .body:
            break
        case .end:
            guard let head else { return }
            self.head = nil
            let path = String(head.uri.split(separator: "?", maxSplits: 1).first ?? "/")
            let keepAlive = head.isKeepAlive
            let version = head.version
            let respond = self.respond
            let method = head.method
            let promise = context.eventLoop.makePromise(of: AdminResponse.self)
            promise.completeWithTask { await respond(method, path) }
            promise.futureResult.assumeIsolated().whenSuccess { response in
                var headers = HTTPHeaders()
                headers.add(name: "Content-Type", value: response.contentType)
                headers.add(name: "Content-Length", value: "\(response.body.count)")
                headers.add(name: "Connection", value: keepAlive ? "keep-alive" : "close")
                let responseHead = HTTPResponseHead(version: version, status: response.status, headers: headers)
                context.write(self.wrapOutboundOut(.head(responseHead)), promise: nil)
                var buffer = context.channel.allocator.buffer(capacity: response.body.count)
                buffer.writeBytes(response.body)
                context.write(self.wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
                context.writeAndFlush(self.wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in
                    if !keepAlive { context.close(promise: nil) }
                }
            }
        }
    }
}
