import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

/// One connector's HTTP/1.1 (or HTTPS) listener on SwiftNIO: NIO's HTTP codec, then
/// `RESTChannelHandler` (which also answers what cannot be parsed with 400, in turn). It knows its open connections, so a stop can be graceful:
/// no new connections, idle ones closed, a request in flight closes its connection once answered,
/// and whatever is still open after the grace period is closed.
final class RESTHTTPServer: Sendable {
    private let listener: any Channel
    private let connections: RESTConnectionSet

    private init(listener: any Channel, connections: RESTConnectionSet) {
        self.listener = listener
        self.connections = connections
    }

    var localAddress: SocketAddress? { listener.localAddress }

    /// Binds `host:port` and serves; throws when the address cannot be bound.
    static func start(host: String, port: Int, tls: NIOSSLContext?, handler: RESTRequestHandler,
                      maxBodySize: Int, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton)
        async throws -> RESTHTTPServer
    {
        let connections = RESTConnectionSet()
        let listener = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            // A client may send its request and shut its side; it still gets the answer.
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    guard connections.insert(channel) else {
                        // Accepted while the server stops.
                        channel.close(promise: nil)
                        return
                    }
                    let pipeline = channel.pipeline.syncOperations
                    if let tls { try pipeline.addHandler(NIOSSLServerHandler(context: tls)) }
                    try pipeline.configureHTTPServerPipeline(withPipeliningAssistance: false, withErrorHandling: false)
                    try pipeline.addHandler(RESTChannelHandler(handler: handler, maxBodySize: maxBodySize))
                }
            }
            .bind(host: host, port: port)
            .get()
        return RESTHTTPServer(listener: listener, connections: connections)
    }

    /// Serves until the surrounding task is cancelled, then stops gracefully (at most `grace`
    /// for answers in flight). `beforeQuiescing` runs on a stop once the listener is closed (the
    /// connector releases its held requests there, so their connections can answer and close);
    /// when the listener fails by itself, the connections are closed the same way and this throws.
    func serveUntilCancelled(grace: TimeAmount, beforeQuiescing: @Sendable () -> Void) async throws {
        let listener = self.listener
        try await withTaskCancellationHandler {
            try await listener.closeFuture.get()
        } onCancel: {
            listener.close(promise: nil)
        }
        let stopping = Task.isCancelled
        if stopping { beforeQuiescing() }
        try? await quiesce(grace: grace).get()
        if !stopping { throw RESTServerClosed() }
    }

    private func quiesce(grace: TimeAmount) -> EventLoopFuture<Void> {
        let open = connections.closeForNewcomers()
        let loop = listener.eventLoop
        guard !open.isEmpty else { return loop.makeSucceededVoidFuture() }
        for channel in open { channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent()) }
        let forced = loop.scheduleTask(in: grace) {
            for channel in open { channel.close(promise: nil) }
        }
        let allClosed = EventLoopFuture.andAllComplete(open.map(\.closeFuture), on: loop)
        allClosed.whenComplete { _ in forced.cancel() }
        return allClosed
    }
}

/// The listener closed without being asked to (the socket failed).
struct RESTServerClosed: Error, CustomStringConvertible {
    var description: String { "the REST server's listening socket closed unexpectedly" }
}

/// The open connections of one server, each removed when it closes; after a stop begins, new
/// ones are refused.
final class RESTConnectionSet: Sendable {
    private struct State {
        var open: [ObjectIdentifier: any Channel] = [:]
        var closed = false
    }

    private let state = Mutex(State())

    /// False once the server stops: the caller closes the channel.
    func insert(_ channel: any Channel) -> Bool {
        let key = ObjectIdentifier(channel)
        let admitted = state.withLock { state in
            guard !state.closed else { return false }
            state.open[key] = channel
            return true
        }
        if admitted {
            channel.closeFuture.whenComplete { [self] _ in
                _ = state.withLock { $0.open.removeValue(forKey: key) }
            }
        }
        return admitted
    }

    /// Refuses new connections from now on; returns the open ones.
    func closeForNewcomers() -> [any Channel] {
        state.withLock { state in
            state.closed = true
            return Array(state.open.values)
        }
    }
}
