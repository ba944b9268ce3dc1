/// What a client call can fail with, besides `OPCUAConnectionError` (timeouts, connection loss) and
/// `OPCUADecodingError`.
public enum OPCUAClientError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No session right now (never connected, reconnecting, or closed); `reason` says why.
    case notConnected(reason: String)
    /// The server refused a whole service call (ServiceFault or a bad serviceResult).
    case serviceFailed(service: String, status: StatusCode)
    /// GetEndpoints offered nothing matching the configured security policy and mode.
    case noMatchingEndpoint(policy: String, mode: String, offered: [String])
    /// The chosen endpoint has no user token policy for the configured identity.
    case identityNotSupported(String)
    /// A response did not have the shape its request implies (e.g. fewer results than operations).
    case unexpectedResponse(String)
    /// The subscription is unknown to this client (deleted, or never created).
    case unknownSubscription(UInt32)
    case closed

    public var description: String {
        switch self {
        case let .notConnected(reason): "OPC-UA client not connected: \(reason)"
        case let .serviceFailed(service, status): "OPC-UA \(service) failed: \(status)"
        case let .noMatchingEndpoint(policy, mode, offered):
            "OPC-UA server offers no endpoint with security policy \(policy) and mode \(mode) (offered: \(offered.joined(separator: ", ")))"
        case let .identityNotSupported(what): "OPC-UA endpoint does not accept \(what) identity tokens"
        case let .unexpectedResponse(what): "unexpected OPC-UA response: \(what)"
        case let .unknownSubscription(id): "unknown OPC-UA subscription \(id)"
        case .closed: "OPC-UA client was closed"
        }
    }
}
