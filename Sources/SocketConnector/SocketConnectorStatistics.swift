import GatewayKit
import Synchronization

/// Counters of one socket connector, readable from any thread while it runs.
public final class SocketConnectorStatistics: Sendable {
    public struct Snapshot: Sendable, Equatable {
        /// Messages (TCP reads, UDP datagrams) received, from any peer, and their bytes.
        public var messagesReceived: Int
        public var bytesReceived: Int
        /// Messages from peers that no device's address filter takes (dropped).
        public var unknownPeerMessages: Int
        /// Device readings handed to the gateway and accepted / refused by it.
        public var readingsSent: Int
        public var readingsRejected: Int
        /// TCP connections accepted so far / open now.
        public var connectionsAccepted: Int
        public var connectionsOpen: Int
        /// Attribute requests recognised / not answered (ThingsBoard silent, backlog full, write failed).
        public var attributeRequests: Int
        public var attributeRequestsFailed: Int
        /// Writes to devices (attribute updates, RPCs, attribute answers) done / failed.
        public var writesToDevices: Int
        public var writeFailures: Int
        /// RPCs handled / two-way RPCs whose device did not answer in time.
        public var rpcRequests: Int
        public var rpcTimeouts: Int
    }

    private let received = Atomic<Int>(0)
    private let receivedBytes = Atomic<Int>(0)
    private let unknownPeers = Atomic<Int>(0)
    private let sent = Atomic<Int>(0)
    private let rejected = Atomic<Int>(0)
    private let accepted = Atomic<Int>(0)
    private let open = Atomic<Int>(0)
    private let attributeRequestCount = Atomic<Int>(0)
    private let attributeRequestFailures = Atomic<Int>(0)
    private let writes = Atomic<Int>(0)
    private let writeFailed = Atomic<Int>(0)
    private let rpcs = Atomic<Int>(0)
    private let rpcTimeoutCount = Atomic<Int>(0)

    public init() {}

    public var snapshot: Snapshot {
        Snapshot(messagesReceived: received.load(ordering: .relaxed), bytesReceived: receivedBytes.load(ordering: .relaxed),
                 unknownPeerMessages: unknownPeers.load(ordering: .relaxed), readingsSent: sent.load(ordering: .relaxed),
                 readingsRejected: rejected.load(ordering: .relaxed), connectionsAccepted: accepted.load(ordering: .relaxed),
                 connectionsOpen: open.load(ordering: .relaxed),
                 attributeRequests: attributeRequestCount.load(ordering: .relaxed),
                 attributeRequestsFailed: attributeRequestFailures.load(ordering: .relaxed),
                 writesToDevices: writes.load(ordering: .relaxed), writeFailures: writeFailed.load(ordering: .relaxed),
                 rpcRequests: rpcs.load(ordering: .relaxed), rpcTimeouts: rpcTimeoutCount.load(ordering: .relaxed))
    }

    public var traffic: ConnectorTraffic {
        ConnectorTraffic(messagesIn: Int64(received.load(ordering: .relaxed)),
                         bytesIn: Int64(receivedBytes.load(ordering: .relaxed)),
                         errors: Int64(writeFailed.load(ordering: .relaxed) + attributeRequestFailures.load(ordering: .relaxed)
                                       + unknownPeers.load(ordering: .relaxed)))
    }

    func countMessage(bytes: Int) {
        received.add(1, ordering: .relaxed)
        receivedBytes.add(bytes, ordering: .relaxed)
    }
    func countUnknownPeer() { unknownPeers.add(1, ordering: .relaxed) }
    func countSent(_ outcome: SendOutcome) {
        if outcome == .accepted { sent.add(1, ordering: .relaxed) } else { rejected.add(1, ordering: .relaxed) }
    }
    func countConnectionOpened() {
        accepted.add(1, ordering: .relaxed)
        open.add(1, ordering: .relaxed)
    }
    func countConnectionClosed() { open.subtract(1, ordering: .relaxed) }
    func countAttributeRequest() { attributeRequestCount.add(1, ordering: .relaxed) }
    func countAttributeRequestFailure() { attributeRequestFailures.add(1, ordering: .relaxed) }
    func countWrite(succeeded: Bool) {
        if succeeded { writes.add(1, ordering: .relaxed) } else { writeFailed.add(1, ordering: .relaxed) }
    }
    func countRPC() { rpcs.add(1, ordering: .relaxed) }
    func countRPCTimeout() { rpcTimeoutCount.add(1, ordering: .relaxed) }
}
