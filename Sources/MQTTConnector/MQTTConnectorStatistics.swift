import GatewayKit
import Synchronization

/// Counters of one MQTT connector, readable from any thread while it runs.
public final class MQTTConnectorStatistics: Sendable {
    public struct Snapshot: Sendable, Equatable {
        /// Messages taken from the broker.
        public var messagesReceived: Int
        /// Messages that matched no mapping and no request.
        public var messagesUnmatched: Int
        /// Messages (or parts of them) that could not be converted: bad JSON, no device name, ...
        public var malformedMessages: Int
        /// Device readings (`ConvertedData`) handed to the gateway and accepted into its write queue.
        public var devicesSent: Int
        /// Device readings the gateway refused.
        public var sendRejected: Int
        public var connectRequests: Int
        public var disconnectRequests: Int
        /// Successful broker connections (1 + reconnects).
        public var connections: Int
        public var failedConnectionAttempts: Int
        /// Connections on which every filter was subscribed (SUBACK received).
        public var subscribedConnections: Int
        /// Attribute requests of devices recognised / not answered (ThingsBoard silent, backlog full, publish failed).
        public var attributeRequests: Int
        public var attributeRequestsFailed: Int
        /// Messages published to devices: attribute updates, RPC requests, attribute request answers.
        public var messagesPublished: Int
        public var publishFailures: Int
        /// RPCs handled / two-way RPCs whose device did not answer in time.
        public var rpcRequests: Int
        public var rpcTimeouts: Int
    }

    private let received = Atomic<Int>(0)
    private let receivedBytes = Atomic<Int>(0)
    private let unmatched = Atomic<Int>(0)
    private let malformed = Atomic<Int>(0)
    private let sent = Atomic<Int>(0)
    private let rejected = Atomic<Int>(0)
    private let connects = Atomic<Int>(0)
    private let disconnects = Atomic<Int>(0)
    private let connectionCount = Atomic<Int>(0)
    private let failedConnections = Atomic<Int>(0)
    private let subscribed = Atomic<Int>(0)
    private let attributeRequestCount = Atomic<Int>(0)
    private let attributeRequestFailures = Atomic<Int>(0)
    private let published = Atomic<Int>(0)
    private let publishFailed = Atomic<Int>(0)
    private let rpcs = Atomic<Int>(0)
    private let rpcTimeoutCount = Atomic<Int>(0)

    public init() {}

    public var snapshot: Snapshot {
        Snapshot(messagesReceived: received.load(ordering: .relaxed),
                 messagesUnmatched: unmatched.load(ordering: .relaxed),
                 malformedMessages: malformed.load(ordering: .relaxed),
                 devicesSent: sent.load(ordering: .relaxed),
                 sendRejected: rejected.load(ordering: .relaxed),
                 connectRequests: connects.load(ordering: .relaxed),
                 disconnectRequests: disconnects.load(ordering: .relaxed),
                 connections: connectionCount.load(ordering: .relaxed),
                 failedConnectionAttempts: failedConnections.load(ordering: .relaxed),
                 subscribedConnections: subscribed.load(ordering: .relaxed),
                 attributeRequests: attributeRequestCount.load(ordering: .relaxed),
                 attributeRequestsFailed: attributeRequestFailures.load(ordering: .relaxed),
                 messagesPublished: published.load(ordering: .relaxed),
                 publishFailures: publishFailed.load(ordering: .relaxed),
                 rpcRequests: rpcs.load(ordering: .relaxed),
                 rpcTimeouts: rpcTimeoutCount.load(ordering: .relaxed))
    }

    func countReceived(bytes: Int) {
        received.add(1, ordering: .relaxed)
        receivedBytes.add(bytes, ordering: .relaxed)
    }

    /// Totals for the gateway's metrics: errors are malformed messages, failed publishes,
    /// failed connection attempts, unanswered attribute requests and RPC timeouts.
    public var traffic: ConnectorTraffic {
        let snapshot = self.snapshot
        let errors = snapshot.malformedMessages + snapshot.publishFailures + snapshot.failedConnectionAttempts
            + snapshot.attributeRequestsFailed + snapshot.rpcTimeouts
        return ConnectorTraffic(messagesIn: Int64(snapshot.messagesReceived),
                                bytesIn: Int64(receivedBytes.load(ordering: .relaxed)), errors: Int64(errors))
    }
    func countUnmatched() { unmatched.add(1, ordering: .relaxed) }
    func countMalformed() { malformed.add(1, ordering: .relaxed) }
    func countSent() { sent.add(1, ordering: .relaxed) }
    func countRejected() { rejected.add(1, ordering: .relaxed) }
    func countConnectRequest() { connects.add(1, ordering: .relaxed) }
    func countDisconnectRequest() { disconnects.add(1, ordering: .relaxed) }
    func countConnection() { connectionCount.add(1, ordering: .relaxed) }
    func countFailedConnection() { failedConnections.add(1, ordering: .relaxed) }
    func countSubscribed() { subscribed.add(1, ordering: .relaxed) }
    func countAttributeRequest() { attributeRequestCount.add(1, ordering: .relaxed) }
    func countAttributeRequestFailed() { attributeRequestFailures.add(1, ordering: .relaxed) }
    func countPublished() { published.add(1, ordering: .relaxed) }
    func countPublishFailure() { publishFailed.add(1, ordering: .relaxed) }
    func countRPC() { rpcs.add(1, ordering: .relaxed) }
    func countRPCTimeout() { rpcTimeoutCount.add(1, ordering: .relaxed) }
}
