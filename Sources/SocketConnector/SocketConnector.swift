import GatewayKit
import Logging
import NIOCore
import NIOPosix

/// Registers the socket connector under type "socket".
public enum SocketConnectorFactory: ConnectorFactory {
    public static let type = "socket"

    public static func make(_ setup: ConnectorSetup) throws -> any Connector {
        let configuration = try SocketConnectorConfiguration.parse(setup.configuration, file: setup.configurationFile)
        return SocketConnector(identity: setup.identity, configuration: configuration, context: setup.context,
                               logger: setup.logger)
    }
}

/// A TCP or UDP server that devices send raw bytes to (reference §5.4 "Socket"). Each message
/// (one TCP read or one datagram, at most `bufferSize` bytes) is matched to the device entries
/// whose address filter takes the peer's `ip:port`; each such entry either answers a waiting
/// two-way RPC, or is an attribute request, or is converted into readings.
///
/// TCP: one child task per connection reads its messages in order; a connection's unread input
/// is bounded (NIO back-pressure stops reading the socket), so an idle or slow connection costs
/// no CPU and bounded memory. UDP: one task reads the datagrams. When the gateway makes `send`
/// wait, reading pauses. Attribute requests are answered beside the read path (at most 8 at a
/// time, 256 waiting), so a slow ThingsBoard never holds up device data.
public struct SocketConnector: Connector {
    public let identity: ConnectorIdentity
    public let configuration: SocketConnectorConfiguration
    public let statistics = SocketConnectorStatistics()
    let context: any GatewayContext
    let logger: Logger
    let routes: [SocketDeviceRoute]
    let peers = SocketPeerRegistry()
    let replies = SocketReplyWaiters()
    let unknownPeerLog = SharedBurstLimiter()
    let failureLog = SharedBurstLimiter()
    let group: any EventLoopGroup

    public init(identity: ConnectorIdentity, configuration: SocketConnectorConfiguration, context: any GatewayContext,
                logger: Logger, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.identity = identity
        self.configuration = configuration
        self.context = context
        self.logger = logger
        self.group = group
        routes = configuration.devices.map { SocketDeviceRoute(device: $0, converter: SocketUplinkConverter(device: $0)) }
    }

    public func traffic() -> ConnectorTraffic? { statistics.traffic }

    /// The port the server listens on once it is up (useful with `port: 0`); nil before.
    public var listeningPort: Int? { peers.boundPort }

    static let attributeRequestBacklog = 256
    static let attributeRequestWorkers = 8
    /// A write to a device that does not read its socket gives up after this long.
    static let writeTimeout: Duration = .seconds(5)

    /// Runs until cancelled (a normal stop, returns without error); throws when the address
    /// cannot be bound.
    public func run() async throws {
        if configuration.wasLegacyLayout {
            logger.warning("Old socket connector configuration format detected; converted automatically")
        }
        let (requests, requestQueue) = AsyncStream.makeStream(of: SocketAttributeRequestCall.self,
                                                              bufferingPolicy: .bufferingOldest(Self.attributeRequestBacklog))
        defer { peers.setBoundPort(nil) }
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { await self.serveAttributeRequests(requests) }
            defer { requestQueue.finish() }
            do {
                switch configuration.transport {
                case .tcp: try await runTCP(requestQueue)
                case .udp: try await runUDP(requestQueue)
                }
            } catch {
                // A graceful stop: the sockets' streams may end with a cancellation error.
                if !Task.isCancelled { throw error }
            }
            requestQueue.finish()
            try await tasks.waitForAll()
        }
    }

    // MARK: servers

    private func runTCP(_ requestQueue: AsyncStream<SocketAttributeRequestCall>.Continuation) async throws {
        let bufferSize = configuration.bufferSize
        let server = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.backlog, value: 128)
            .childChannelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: bufferSize))
            .bind(host: configuration.address, port: configuration.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    // The peer is read here, while the channel is surely open: a device that sends
                    // and closes at once would have no remote address by the time its task runs.
                    (channel.remoteAddress, try NIOAsyncChannel<ByteBuffer, ByteBuffer>(
                        wrappingChannelSynchronously: channel,
                        configuration: .init(backPressureStrategy: .init(lowWatermark: 2, highWatermark: 8))))
                }
            }
        peers.setBoundPort(server.channel.localAddress?.port)
        logger.info("TCP socket is up", metadata: ["address": "\(configuration.address):\(listeningPort ?? configuration.port)",
                                                   "devices": "\(routes.count)"])
        try await withThrowingDiscardingTaskGroup { connections in
            try await server.executeThenClose { inbound in
                for try await (remote, connection) in inbound {
                    connections.addTask { await self.serve(connection, from: remote, requestQueue) }
                }
            }
        }
    }

    private func serve(_ connection: NIOAsyncChannel<ByteBuffer, ByteBuffer>, from remote: SocketAddress?,
                       _ requestQueue: AsyncStream<SocketAttributeRequestCall>.Continuation) async {
        guard let remote else {
            logger.warning("Connection without a peer address closed")
            try? await connection.executeThenClose { _, _ in }
            return
        }
        let peer = SocketPeer(remote)
        statistics.countConnectionOpened()
        defer { statistics.countConnectionClosed() }
        logger.debug("Connection from \(peer) opened")
        do {
            try await connection.executeThenClose { inbound, outbound in
                let id = peers.addConnection(peer, writer: outbound)
                defer { peers.removeConnection(peer, id: id) }
                for try await buffer in inbound {
                    await process(Array(buffer.readableBytesView), from: peer, requestQueue)
                }
            }
            logger.debug("Connection from \(peer) closed")
        } catch {
            logger.debug("Connection from \(peer) ended: \(error)")
        }
    }

    private func runUDP(_ requestQueue: AsyncStream<SocketAttributeRequestCall>.Continuation) async throws {
        let bufferSize = configuration.bufferSize
        let channel = try await DatagramBootstrap(group: group)
            .channelOption(.socketOption(.so_reuseaddr), value: 1)
            .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: bufferSize))
            .bind(host: configuration.address, port: configuration.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<AddressedEnvelope<ByteBuffer>, AddressedEnvelope<ByteBuffer>>(
                        wrappingChannelSynchronously: channel,
                        configuration: .init(backPressureStrategy: .init(lowWatermark: 8, highWatermark: 64)))
                }
            }
        peers.setBoundPort(channel.channel.localAddress?.port)
        logger.info("UDP socket is up", metadata: ["address": "\(configuration.address):\(listeningPort ?? configuration.port)",
                                                   "devices": "\(routes.count)"])
        try await channel.executeThenClose { inbound, outbound in
            peers.setUDPWriter(outbound)
            defer { peers.setUDPWriter(nil) }
            for try await envelope in inbound {
                await process(Array(envelope.data.readableBytesView), from: SocketPeer(envelope.remoteAddress), requestQueue)
            }
        }
    }

    // MARK: messages from devices

    /// Every device entry whose filter takes `peer` gets the message, as in the reference.
    func process(_ message: [UInt8], from peer: SocketPeer,
                 _ requestQueue: AsyncStream<SocketAttributeRequestCall>.Continuation) async {
        statistics.countMessage(bytes: message.count)
        var matched = false
        for route in routes where route.device.addressFilter.matches(peer.text) {
            matched = true
            let device = route.device
            peers.noteMessage(from: peer, device: device.deviceName)
            if replies.offer(message, device: device.deviceName) { continue }
            let requestRules = device.attributeRequests.filter { $0.matches(message) }
            if !requestRules.isEmpty {
                for rule in requestRules { enqueueAttributeRequest(rule, device: device, message: message, peer: peer, requestQueue) }
                continue
            }
            let data = route.converter.convert(message)
            guard !data.isEmpty else { continue }
            let outcome = await context.send(data, from: identity)
            statistics.countSent(outcome)
            if case .rejected(let reason) = outcome, let suppressed = failureLog.shouldLog() {
                logger.warning("Readings of \(device.deviceName) refused: \(reason)", metadata: ["suppressedSinceLastLog": "\(suppressed)"])
            }
        }
        if !matched {
            statistics.countUnknownPeer()
            if let suppressed = unknownPeerLog.shouldLog() {
                logger.warning("Message from \(peer) dropped: no device's address filter takes this peer",
                               metadata: ["bytes": "\(message.count)", "suppressedSinceLastLog": "\(suppressed)"])
            }
        }
    }

    private func enqueueAttributeRequest(_ rule: SocketAttributeRequestRule, device: SocketDeviceConfiguration, message: [UInt8],
                                         peer: SocketPeer, _ requestQueue: AsyncStream<SocketAttributeRequestCall>.Continuation) {
        statistics.countAttributeRequest()
        guard let names = rule.attributeNames(in: message) else {
            statistics.countAttributeRequestFailure()
            if let suppressed = failureLog.shouldLog() {
                logger.warning("Attribute request of \(device.deviceName) ignored: attributeNameExpression \"\(rule.attributeNameExpression)\" selects nothing readable in the message",
                               metadata: ["suppressedSinceLastLog": "\(suppressed)"])
            }
            return
        }
        let call = SocketAttributeRequestCall(deviceName: device.deviceName, keys: names,
                                              clientScope: rule.scope == .client, peer: peer)
        if case .dropped = requestQueue.yield(call) {
            statistics.countAttributeRequestFailure()
            if let suppressed = failureLog.shouldLog() {
                logger.warning("Attribute request of \(device.deviceName) dropped: \(Self.attributeRequestBacklog) requests already wait for ThingsBoard",
                               metadata: ["suppressedSinceLastLog": "\(suppressed)"])
            }
        }
    }
}

/// A device entry with its compiled converter.
struct SocketDeviceRoute: Sendable {
    let device: SocketDeviceConfiguration
    let converter: SocketUplinkConverter
}

/// An attribute request recognised in a device message, waiting to be asked of ThingsBoard.
struct SocketAttributeRequestCall: Sendable {
    let deviceName: String
    let keys: [String]
    let clientScope: Bool
    /// Where the answer goes: the peer that asked.
    let peer: SocketPeer
}
