import Logging
import NIOCore
import NIOPosix

/// Sizes and timeouts of one connection (Hello offer, token lifetime).
public struct OPCUAConnectionOptions: Sendable {
    public var receiveBufferSize: UInt32 = 65536
    public var sendBufferSize: UInt32 = 65536
    /// 0 = no limit (what we accept from the server).
    public var maxMessageSize: UInt32 = 16 * 1024 * 1024
    public var maxChunkCount: UInt32 = 0
    /// Requested security token lifetime; renewed at 75 % of what the server grants.
    public var tokenLifetime: Duration = .seconds(3600)
    /// TCP connect + Hello/Acknowledge + OpenSecureChannel together.
    public var connectTimeout: Duration = .seconds(5)

    public init() {}
}

/// One UA TCP connection with its secure channel: the thread-safe face of `OPCUASecureChannelHandler`.
/// `request` may be called from any task concurrently; responses are matched by request id.
public final class OPCUAConnection: Sendable {
    public let address: OPCUAEndpointAddress
    public let limits: SecureChannelLimits
    private let channel: any Channel
    private let handler: NIOLoopBound<OPCUASecureChannelHandler>

    private init(address: OPCUAEndpointAddress, limits: SecureChannelLimits, channel: any Channel,
                 handler: NIOLoopBound<OPCUASecureChannelHandler>) {
        self.address = address
        self.limits = limits
        self.channel = channel
        self.handler = handler
    }

    /// Connects, exchanges Hello/Acknowledge and opens the secure channel with `security`.
    public static func connect(
        to endpointURL: String,
        security: any OPCUAChannelSecurity = OPCUASecurityNone(),
        options: OPCUAConnectionOptions = OPCUAConnectionOptions(),
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "opcua.connection")
    ) async throws -> OPCUAConnection {
        let address = try OPCUAEndpointAddress(endpointURL)
        let hello = UATCPHello(receiveBufferSize: options.receiveBufferSize, sendBufferSize: options.sendBufferSize,
                               maxMessageSize: options.maxMessageSize, maxChunkCount: options.maxChunkCount,
                               endpointURL: endpointURL)
        let lifetime = UInt32(clamping: options.tokenLifetime.components.seconds * 1000)
        let configuration = OPCUASecureChannelHandler.Configuration(
            hello: hello, security: security, requestedLifetime: lifetime,
            handshakeTimeout: TimeAmount(options.connectTimeout), logger: logger)
        let receiveLimit = Int(options.receiveBufferSize)
        let bootstrap = ClientBootstrap(group: eventLoopGroup)
            .connectTimeout(TimeAmount(options.connectTimeout))
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        ByteToMessageHandler(UATCPChunkDecoder(maxChunkSize: receiveLimit)))
                    try channel.pipeline.syncOperations.addHandler(OPCUASecureChannelHandler(configuration: configuration))
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.connect(host: address.host, port: address.port).get()
        } catch {
            throw OPCUAConnectionError.connectionClosed(reason: "cannot connect to \(address.host):\(address.port): \(error)")
        }
        let handshake = channel.eventLoop.makePromise(of: Void.self)
        let bound = try await channel.eventLoop.submit {
            let handler = try channel.pipeline.syncOperations.handler(type: OPCUASecureChannelHandler.self)
            handler.startHandshake(promise: handshake)
            return NIOLoopBound(handler, eventLoop: channel.eventLoop)
        }.get()
        do {
            try await handshake.futureResult.get()
        } catch {
            channel.close(promise: nil)
            throw error
        }
        let limits = try await channel.eventLoop.submit { bound.value.limits! }.get()
        return OPCUAConnection(address: address, limits: limits, channel: channel, handler: bound)
    }

    /// Sends a request body and returns the raw response body. Fails with `OPCUAConnectionError`
    /// (timeout, connection closed) or `CancellationError`.
    public func send(_ body: ByteBuffer, what: String, timeout: Duration) async throws -> ByteBuffer {
        let promise = channel.eventLoop.makePromise(of: ByteBuffer.self)
        let handler = self.handler
        channel.eventLoop.execute {
            handler.value.send(body, what: what, timeout: TimeAmount(timeout), promise: promise)
        }
        return try await withTaskCancellationHandler {
            try await promise.futureResult.get()
        } onCancel: {
            promise.fail(CancellationError())
        }
    }

    /// Encodes a typed request, sends it and decodes the response (or the ServiceFault).
    public func request<R: OPCUARequest>(_ request: R, timeout: Duration) async throws -> OPCUAServiceResult<R.Response> {
        var writer = OPCUABinaryWriter()
        OPCUAServiceMessage.encode(request, to: &writer)
        let body = try await send(writer.buffer, what: "\(R.self)", timeout: timeout)
        var reader = OPCUABinaryReader(body)
        return try OPCUAServiceMessage.decode(R.Response.self, from: &reader)
    }

    /// Completes when the connection is gone, with the reason.
    public func closed() async -> OPCUAConnectionError {
        try? await channel.closeFuture.get()
        let handler = self.handler
        return (try? await channel.eventLoop.submit { handler.value.closeReason }.get())
            ?? .connectionClosed(reason: "connection lost")
    }

    public var isActive: Bool { channel.isActive }

    /// How many times the security token was renewed on this connection (for tests and metrics).
    public func tokenRenewals() async -> Int {
        let handler = self.handler
        return (try? await channel.eventLoop.submit { handler.value.tokenRenewals }.get()) ?? 0
    }

    /// Sends CloseSecureChannel and closes the socket; pending requests fail.
    public func close() async {
        let promise = channel.eventLoop.makePromise(of: Void.self)
        let handler = self.handler
        channel.eventLoop.execute { handler.value.closeGracefully(promise: promise) }
        try? await promise.futureResult.get()
    }
}
