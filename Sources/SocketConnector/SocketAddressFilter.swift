/// Which peers a device entry takes: `"ip:port"` where `*` stands for any run of characters
/// (`"*:*"` every peer, `"192.168.1.7:*"` one host, any port). The reference turns `*` into the
/// regex `.*` and full-matches `ip:port`; other characters are literal here (in the reference a
/// `.` also matches any character, which no real address filter relies on).
public struct SocketAddressFilter: Sendable, Equatable, CustomStringConvertible {
    public let pattern: String
    private let pieces: [Substring]

    public init(_ pattern: String) {
        self.pattern = pattern
        pieces = pattern.split(separator: "*", omittingEmptySubsequences: false)
    }

    public var description: String { pattern }

    /// True when the filter has no wildcard: the device's address is known before it sends,
    /// so the gateway can reach it (connect to it) for downlink.
    public var isExact: Bool { pieces.count == 1 }

    /// Glob match of the whole `peer` text ("127.0.0.1:53000").
    public func matches(_ peer: String) -> Bool {
        if pieces.count == 1 { return peer == pattern }
        var rest = Substring(peer)
        guard rest.hasPrefix(pieces[0]) else { return false }
        rest = rest.dropFirst(pieces[0].count)
        let last = pieces[pieces.count - 1]
        for piece in pieces[1..<(pieces.count - 1)] where !piece.isEmpty {
            guard let range = rest.firstRange(of: piece) else { return false }
            rest = rest[range.upperBound...]
        }
        return rest.count >= last.count && rest.hasSuffix(last)
    }
}
