/// Why a client request failed (besides a `ModbusException` from the server or a
/// `ModbusCodecError` for a request that cannot be encoded).
public enum ModbusClientError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No valid reply within the request's timeout.
    case timeout
    /// `send` before `connect` succeeded, or after the connection was lost or closed.
    case notConnected
    /// The connection closed while the request was pending.
    case connectionClosed
    /// A reply arrived but does not fit the request.
    case malformedResponse(String)
    /// More requests are queued or in flight than the client allows (a bounded queue).
    case tooManyPendingRequests
    /// The endpoint/framing/TLS combination cannot be used (e.g. TLS on a serial line).
    case unsupported(String)

    public var description: String {
        switch self {
        case .timeout: "Modbus request timed out"
        case .notConnected: "Modbus client is not connected"
        case .connectionClosed: "Modbus connection closed"
        case .malformedResponse(let why): "malformed Modbus response: \(why)"
        case .tooManyPendingRequests: "too many pending Modbus requests"
        case .unsupported(let why): "unsupported Modbus setup: \(why)"
        }
    }
}
