/// CreateSubscription parameters (Part 4 §5.13.2). The server revises them; the client keeps what
/// was asked so that a re-created subscription asks the same again.
public struct OPCUASubscriptionParameters: Sendable, Equatable {
    public var publishingInterval: Duration
    /// Publishing intervals without a Publish response before the server deletes the subscription
    /// (must be at least 3 × `maxKeepAliveCount`).
    public var lifetimeCount: UInt32
    /// Publishing intervals without data before the server sends a keep-alive.
    public var maxKeepAliveCount: UInt32
    /// 0 = no limit.
    public var maxNotificationsPerPublish: UInt32
    public var priority: UInt8

    public init(publishingInterval: Duration = .milliseconds(500), lifetimeCount: UInt32 = 60,
                maxKeepAliveCount: UInt32 = 10, maxNotificationsPerPublish: UInt32 = 0, priority: UInt8 = 0) {
        self.publishingInterval = publishingInterval
        self.lifetimeCount = lifetimeCount
        self.maxKeepAliveCount = maxKeepAliveCount
        self.maxNotificationsPerPublish = maxNotificationsPerPublish
        self.priority = priority
    }
}

/// One node attribute to monitor. `clientHandle` is the caller's key: data changes carry it, and it
/// stays the same when the client re-creates the item after a reconnect.
public struct OPCUAMonitoredItem: Sendable, Hashable {
    public var nodeId: NodeId
    public var attributeId: UInt32
    public var clientHandle: UInt32
    /// nil = the subscription's publishing interval (-1 on the wire).
    public var samplingInterval: Duration?
    public var queueSize: UInt32
    public var discardOldest: Bool

    public init(nodeId: NodeId, attributeId: UInt32 = 13, clientHandle: UInt32, samplingInterval: Duration? = nil,
                queueSize: UInt32 = 1, discardOldest: Bool = true) {
        self.nodeId = nodeId
        self.attributeId = attributeId
        self.clientHandle = clientHandle
        self.samplingInterval = samplingInterval
        self.queueSize = queueSize
        self.discardOldest = discardOldest
    }
}

/// What the server said about one monitored item (a bad status means it is not monitored; the
/// client still retries it after a reconnect, as a node may appear later).
public struct OPCUAMonitoredItemResult: Sendable, Equatable {
    public var clientHandle: UInt32
    public var status: StatusCode
    public var revisedSamplingInterval: Double
    public var revisedQueueSize: UInt32
}

/// The client's memory of one subscription: enough to re-create it on a new session.
struct OPCUASubscriptionRecord: Sendable {
    var parameters: OPCUASubscriptionParameters
    /// The server's id on the current session; nil while there is none.
    var serverId: UInt32?
    var revisedPublishingInterval: Double = 0
    var revisedMaxKeepAliveCount: UInt32 = 0
    /// In the order they were added, so re-creation sends them in the same order.
    var items: [OPCUAMonitoredItem] = []
    var serverItemIds: [UInt32: UInt32] = [:]
    /// Sequence number of the last notification message received (nil: none yet on this server id).
    var lastSequenceNumber: UInt32?
}

extension Duration {
    /// Milliseconds as a Double (OPC-UA's Duration type).
    var opcuaMilliseconds: Double {
        Double(components.seconds) * 1000 + Double(components.attoseconds) / 1e15
    }
}
