import Expressions
import GatewayKit
import NIOCore
import NIOPosix

/// Writing to devices: attribute request answers, attribute updates, RPCs.
extension SocketConnector {
    /// Writes `bytes` to `peer`. TCP: over the peer's open connection, else (as the reference)
    /// over a new connection to that address, closed after the write. UDP: a datagram from the
    /// server's own socket, so the device sees the answer come from the address it sends to.
    func write(_ bytes: [UInt8], to peer: SocketPeer) async throws {
        do {
            try await withDeadline(Self.writeTimeout) {
                switch configuration.transport {
                case .tcp:
                    if let writer = peers.connection(to: peer) {
                        try await writer.write(ByteBuffer(bytes: bytes))
                    } else {
                        try await sendOverNewConnection(bytes, to: peer)
                    }
                case .udp:
                    guard let writer = peers.udpWriter else { throw SocketWriteError.notRunning }
                    try await writer.write(AddressedEnvelope(remoteAddress: peer.address, data: ByteBuffer(bytes: bytes)))
                }
            }
            statistics.countWrite(succeeded: true)
        } catch {
            statistics.countWrite(succeeded: false)
            throw error
        }
    }

    private func sendOverNewConnection(_ bytes: [UInt8], to peer: SocketPeer) async throws {
        let channel = try await ClientBootstrap(group: group)
            .connectTimeout(.seconds(3))
            .connect(to: peer.address) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        try await channel.executeThenClose { _, outbound in
            try await outbound.write(ByteBuffer(bytes: bytes))
        }
    }

    /// Where downlink for `device` goes: the peer it last sent from (the reference's
    /// `device['address']`), else its configured address when that has no wildcard.
    func target(of device: SocketDeviceConfiguration) -> SocketPeer? {
        if let peer = peers.lastPeer(of: device.deviceName) { return peer }
        guard device.addressFilter.isExact else { return nil }
        return Self.peer(fromText: device.addressFilter.pattern)
    }

    static func peer(fromText text: String) -> SocketPeer? {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]) else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return try? SocketPeer(host: host, port: port)
    }

    // MARK: attribute requests of devices

    /// Asks ThingsBoard for the attributes devices requested and writes the answers back.
    func serveAttributeRequests(_ requests: AsyncStream<SocketAttributeRequestCall>) async {
        await withTaskGroup(of: Void.self) { group in
            var running = 0
            for await request in requests {
                if running >= Self.attributeRequestWorkers {
                    await group.next()
                    running -= 1
                }
                running += 1
                group.addTask { await self.answer(request) }
            }
        }
    }

    /// The answer as the reference writes it: one key — `json.dumps` of its value (`"abc"`,
    /// `42`, `null` when ThingsBoard has none); several or all keys — `json.dumps` of the object.
    func answer(_ request: SocketAttributeRequestCall) async {
        do {
            let values = try await context.requestAttributes(
                AttributeRequest(deviceName: request.deviceName, keys: request.keys, clientScope: request.clientScope),
                from: identity)
            let reply: JSONValue = request.keys.count == 1 ? (values[request.keys[0]] ?? .null) : .object(values)
            try await write(Array(PythonJSONText.dumps(reply).utf8), to: request.peer)
            logger.debug("Attribute request answered", metadata: ["device": "\(request.deviceName)", "peer": "\(request.peer)"])
        } catch {
            statistics.countAttributeRequestFailure()
            if let suppressed = failureLog.shouldLog() {
                logger.warning("Attribute request of \(request.deviceName) not answered: \(error)",
                               metadata: ["keys": "\(request.keys)", "suppressedSinceLastLog": "\(suppressed)"])
            }
        }
    }
}

enum SocketWriteError: Error, CustomStringConvertible {
    case notRunning
    case timedOut(Duration)

    var description: String {
        switch self {
        case .notRunning: return "the connector's socket is not open"
        case .timedOut(let limit): return "the device did not take the data within \(limit)"
        }
    }
}

/// Runs `operation`, giving up with `SocketWriteError.timedOut` after `limit`.
func withDeadline(_ limit: Duration, _ operation: @escaping @Sendable () async throws -> Void) async throws {
    try await withThrowingTaskGroup(of: Bool.self) { group in
        group.addTask {
            try await operation()
            return true
        }
        group.addTask {
            try await Task.sleep(for: limit)
            return false
        }
        defer { group.cancelAll() }
        guard try await group.next() == true else { throw SocketWriteError.timedOut(limit) }
    }
}
