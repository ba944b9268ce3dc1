import Logging
import NIOCore
import NIOPosix
import NIOSSL

/// A Modbus client (master) over TCP, UDP, TLS or a serial line, with socket (MBAP), RTU or ASCII
/// framing. By default one request is on the wire at a time and the others queue, as with the
/// reference gateway's pymodbus client: many devices (pymodbus's own server included) answer only
/// the first of several requests that arrive together. MBAP over TCP can pipeline up to
/// `maxRequestsInFlight` requests, matched by transaction id. The connection's state lives in a NIO
/// handler on its event loop; this actor only owns the channel. It never reconnects by itself:
/// after a loss `send` throws `notConnected` until `connect` is called again.
public actor ModbusClient {
    public let endpoint: ModbusEndpoint
    public let framing: ModbusFraming
    private let tls: NIOSSLContext?
    private let group: any EventLoopGroup
    private let logger: Logger
    private let maxRequestsInFlight: Int
    private var channel: (any Channel)?

    public init(endpoint: ModbusEndpoint, framing: ModbusFraming, tls: NIOSSLContext? = nil,
                group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
                logger: Logger = Logger(label: "modbus.client"), maxRequestsInFlight: Int = 1) {
        self.endpoint = endpoint
        self.maxRequestsInFlight = max(1, maxRequestsInFlight)
        self.framing = framing
        self.tls = tls
        self.group = group
        self.logger = logger
    }

    public var isConnected: Bool { channel?.isActive ?? false }

    /// Opens the connection (or serial port). A no-op when already connected.
    public func connect(timeout: Duration) async throws {
        if isConnected { return }
        if let old = channel {
            channel = nil
            try? await old.close()
        }
        let new = try await openChannel(timeout: timeout)
        if isConnected {
            // Another connect won the race while this one was awaiting; keep the first.
            try? await new.close()
            return
        }
        channel = new
        logger.debug("Modbus connected", metadata: ["endpoint": "\(endpoint)"])
    }

    /// Sends one request and waits for its reply. Throws `ModbusException` for an exception reply,
    /// `ModbusClientError` (`.timeout`, `.notConnected`, `.connectionClosed`, `.malformedResponse`),
    /// or `ModbusCodecError` when the request itself is invalid (count out of range).
    public func send(_ request: ModbusRequest, unitId: UInt8, timeout: Duration) async throws -> ModbusResponse {
        let pdu = try request.encodePDU()
        guard let channel, channel.isActive else { throw ModbusClientError.notConnected }
        let promise = channel.eventLoop.makePromise(of: ModbusResponse.self)
        let message = ModbusClientRequest(request: request, pdu: pdu, unitId: unitId,
                                          timeout: TimeAmount(timeout), promise: promise)
        channel.writeAndFlush(message).whenFailure { _ in
            // Only fails when the handler never saw the request (channel already closed).
            promise.fail(ModbusClientError.connectionClosed)
        }
        // A cancelled caller stops waiting at once; the request keeps its place on the line until
        // its reply or timeout (a later completion of the promise is ignored by NIO).
        return try await withTaskCancellationHandler {
            try await promise.futureResult.get()
        } onCancel: {
            promise.fail(CancellationError())
        }
    }

    /// Closes the connection; pending requests fail with `.connectionClosed`.
    public func close() async {
        guard let channel else { return }
        self.channel = nil
        try? await channel.close()
    }

    private func openChannel(timeout: Duration) async throws -> any Channel {
        let logger = self.logger
        let framing = self.framing
        // Pipelining needs transaction ids: MBAP over a stream only.
        let window = framing == .socket ? maxRequestsInFlight : 1
        switch endpoint {
        case .tcp(let host, let port):
            let tls = self.tls
            let serverHostname = host.first.map { $0.isLetter } == true ? host : nil
            let handshake = group.next().makePromise(of: Void.self)
            let channel: any Channel
            do {
                channel = try await ClientBootstrap(group: group)
                    .connectTimeout(TimeAmount(timeout))
                    .channelOption(.tcpOption(.tcp_nodelay), value: 1)
                    .channelInitializer { channel in
                        channel.eventLoop.makeCompletedFuture {
                            if let tls {
                                let handler = try NIOSSLClientHandler(context: tls, serverHostname: serverHostname)
                                try channel.pipeline.syncOperations.addHandler(handler)
                                try channel.pipeline.syncOperations.addHandler(TLSHandshakeWaiter(promise: handshake))
                            }
                            try channel.pipeline.syncOperations.addHandler(
                                ModbusClientHandler(framing: framing, window: window, datagrams: false, logger: logger))
                        }
                    }
                    .connect(host: host, port: port).get()
            } catch {
                handshake.fail(error)
                throw error
            }
            guard tls != nil else {
                handshake.succeed()
                return channel
            }
            // connect only succeeds once the server's certificate has been accepted.
            let deadline = channel.eventLoop.scheduleTask(in: TimeAmount(timeout)) {
                handshake.fail(ModbusClientError.timeout)
            }
            do {
                try await handshake.futureResult.get()
                deadline.cancel()
                return channel
            } catch {
                deadline.cancel()
                try? await channel.close()
                throw error
            }
        case .udp(let host, let port):
            guard tls == nil else { throw ModbusClientError.unsupported("TLS over UDP") }
            return try await DatagramBootstrap(group: group)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(ModbusDatagramAdapter())
                        try channel.pipeline.syncOperations.addHandler(
                            ModbusClientHandler(framing: framing, window: 1, datagrams: true, logger: logger))
                    }
                }
                .connect(host: host, port: port).get()
        case .serial(let settings):
            guard tls == nil else { throw ModbusClientError.unsupported("TLS on a serial line") }
            let descriptor = try SerialPort.open(settings)
            let rtuTiming = framing == .rtu ? RTULineTiming(settings) : nil
            return try await NIOPipeBootstrap(group: group)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(
                            ModbusClientHandler(framing: framing, window: 1, datagrams: false,
                                                rtuTiming: rtuTiming, logger: logger))
                    }
                }
                .takingOwnershipOfDescriptor(inputOutput: descriptor).get()
        }
    }
}
