import NIOCore

/// A remote device endpoint: its address and the `"ip:port"` text address filters match.
public struct SocketPeer: Sendable, Hashable, CustomStringConvertible {
    public let address: SocketAddress
    public let text: String

    public init(_ address: SocketAddress) {
        self.address = address
        text = "\(address.ipAddress ?? "?"):\(address.port ?? 0)"
    }

    /// `host` must be a numeric IP address, as the reference's peers always are.
    public init(host: String, port: Int) throws {
        self.init(try SocketAddress(ipAddress: host, port: port))
    }

    public var description: String { text }
}
