/// Where the client's supervision stands; published on `OPCUAClient.states`.
public enum OPCUAClientState: Sendable, Equatable {
    case disconnected
    case connecting
    /// A session is active (`reconnects` counts recoveries so far).
    case connected(reconnects: Int)
    /// The connection, channel or session was lost; the next attempt comes after back-off.
    case reconnecting(attempt: Int, lastError: String)
    case closed
}

/// One value change of a monitored item, as the server reported it.
public struct OPCUADataChange: Sendable, Equatable {
    /// The client's id of the subscription (stable across reconnects).
    public var subscription: OPCUASubscriptionID
    /// The client handle given when the item was monitored (stable across reconnects).
    public var clientHandle: UInt32
    public var value: DataValue

    public init(subscription: OPCUASubscriptionID, clientHandle: UInt32, value: DataValue) {
        self.subscription = subscription
        self.clientHandle = clientHandle
        self.value = value
    }
}

/// The client's name for a subscription. The server's id changes when the client re-creates the
/// subscription after a reconnect; this one does not.
public struct OPCUASubscriptionID: Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public var description: String { "subscription#\(rawValue)" }
}
