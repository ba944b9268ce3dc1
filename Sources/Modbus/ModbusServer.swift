import Logging
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization

/// A Modbus server (slave) answering from a `ModbusDataStore`: TCP (optionally TLS), UDP, or a
/// serial line, with any framing. Units the store does not serve get no answer.
public final class ModbusServer: Sendable {
    public let endpoint: ModbusEndpoint
    public let framing: ModbusFraming
    private let store: ModbusDataStore
    private let tls: NIOSSLContext?
    private let group: any EventLoopGroup
    private let logger: Logger

    private struct State {
        var channel: (any Channel)?
        var boundPort: Int?
        /// Open TCP connections, closed by `stop` along with the listener.
        var connections: [ObjectIdentifier: any Channel] = [:]
    }
    private let state = Mutex(State())

    public init(endpoint: ModbusEndpoint, framing: ModbusFraming, store: ModbusDataStore, tls: NIOSSLContext? = nil,
                group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
                logger: Logger = Logger(label: "modbus.server")) {
        self.endpoint = endpoint
        self.framing = framing
        self.store = store
        self.tls = tls
        self.group = group
        self.logger = logger
    }

    /// The port actually bound (useful with port 0); nil before `start` and for serial lines.
    public var boundPort: Int? { state.withLock { $0.boundPort } }

    /// Binds (or opens the serial port). Throws if already started.
    public func start() async throws {
        guard state.withLock({ $0.channel == nil }) else {
            throw ModbusClientError.unsupported("server already started")
        }
        let channel = try await open()
        let port = channel.localAddress?.port
        let stale = state.withLock { state -> (any Channel)? in
            guard state.channel == nil else { return channel }
            state.channel = channel
            state.boundPort = port
            return nil
        }
        if let stale {
            try? await stale.close()
            throw ModbusClientError.unsupported("server already started")
        }
        logger.info("Modbus server listening", metadata: ["endpoint": "\(endpoint)", "port": "\(port ?? 0)"])
    }

    /// Stops listening and closes every open connection.
    public func stop() async {
        let (channel, connections) = state.withLock { state -> ((any Channel)?, [any Channel]) in
            defer {
                state.channel = nil
                state.boundPort = nil
                state.connections = [:]
            }
            return (state.channel, Array(state.connections.values))
        }
        try? await channel?.close()
        for connection in connections { try? await connection.close() }
    }

    private func track(_ connection: any Channel) {
        let key = ObjectIdentifier(connection)
        state.withLock { $0.connections[key] = connection }
        connection.closeFuture.whenComplete { [weak self] _ in
            self?.state.withLock { _ = $0.connections.removeValue(forKey: key) }
        }
    }

    private func open() async throws -> any Channel {
        let framing = self.framing
        let store = self.store
        let logger = self.logger
        switch endpoint {
        case .tcp(let host, let port):
            let tls = self.tls
            return try await ServerBootstrap(group: group)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
                .childChannelInitializer { [weak self] channel in
                    self?.track(channel)
                    return channel.eventLoop.makeCompletedFuture {
                        if let tls {
                            try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls))
                        }
                        try channel.pipeline.syncOperations.addHandler(
                            ModbusServerHandler(framing: framing, store: store, logger: logger))
                    }
                }
                .bind(host: host, port: port).get()
        case .udp(let host, let port):
            guard tls == nil else { throw ModbusClientError.unsupported("TLS over UDP") }
            return try await DatagramBootstrap(group: group)
                .channelOption(.socketOption(.so_reuseaddr), value: 1)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(
                            ModbusDatagramServerHandler(framing: framing, store: store, logger: logger))
                    }
                }
                .bind(host: host, port: port).get()
        case .serial(let settings):
            guard tls == nil else { throw ModbusClientError.unsupported("TLS on a serial line") }
            let descriptor = try SerialPort.open(settings)
            let rtuTiming = framing == .rtu ? RTULineTiming(settings) : nil
            return try await NIOPipeBootstrap(group: group)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(
                            ModbusServerHandler(framing: framing, store: store, rtuTiming: rtuTiming, logger: logger))
                    }
                }
                .takingOwnershipOfDescriptor(inputOutput: descriptor).get()
        }
    }
}
