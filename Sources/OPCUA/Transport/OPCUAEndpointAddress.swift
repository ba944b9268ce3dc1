/// Host, port and the full URL of an `opc.tcp://host[:port][/path]` endpoint (port 4840 when absent).
public struct OPCUAEndpointAddress: Sendable, Equatable {
    public var url: String
    public var host: String
    public var port: Int

    public init(_ url: String) throws(OPCUAConnectionError) {
        let scheme = "opc.tcp://"
        guard url.lowercased().hasPrefix(scheme) else { throw .invalidEndpointURL(url) }
        let rest = url.dropFirst(scheme.count)
        let authority = rest.prefix { $0 != "/" }
        var host = Substring(authority)
        var port = 4840
        if authority.hasPrefix("[") {   // [IPv6]:port
            guard let close = authority.firstIndex(of: "]") else { throw .invalidEndpointURL(url) }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if after.hasPrefix(":") {
                guard let parsed = Int(after.dropFirst()), (1...65535).contains(parsed) else { throw .invalidEndpointURL(url) }
                port = parsed
            }
        } else if let colon = authority.lastIndex(of: ":") {
            host = authority[..<colon]
            guard let parsed = Int(authority[authority.index(after: colon)...]), (1...65535).contains(parsed) else {
                throw .invalidEndpointURL(url)
            }
            port = parsed
        }
        guard !host.isEmpty else { throw .invalidEndpointURL(url) }
        self.url = url
        self.host = String(host)
        self.port = port
    }
}
