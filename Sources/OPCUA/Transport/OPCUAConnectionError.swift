/// Why a request on a connection did not get its answer. Every pending request of a connection
/// that dies fails with `.connectionClosed` at once, so nothing waits for a dead server.
public enum OPCUAConnectionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The TCP connection closed (or never opened); `reason` says what closed it when known.
    case connectionClosed(reason: String)
    /// No answer within the request's timeout (the request handle may still be answered later and is then dropped).
    case timeout(what: String, seconds: Double)
    /// The endpoint URL is not `opc.tcp://host[:port][/path]`.
    case invalidEndpointURL(String)
    /// A framing, security or protocol violation (what the server sent made no sense).
    case protocolError(String)

    public var description: String {
        switch self {
        case let .connectionClosed(reason): "OPC-UA connection closed: \(reason)"
        case let .timeout(what, seconds): "OPC-UA \(what) got no answer within \(seconds) s"
        case let .invalidEndpointURL(url): "invalid OPC-UA endpoint URL '\(url)' (expected opc.tcp://host:port/path)"
        case let .protocolError(what): "OPC-UA protocol error: \(what)"
        }
    }
}
