import GatewayKit
import Synchronization

/// Counters of one Request connector, readable from any thread while it runs.
public final class RequestConnectorStatistics: Sendable {
    public struct Snapshot: Sendable, Equatable {
        /// Polls sent (one per tick that was not skipped; sub-requests not included).
        public var polls: Int
        /// Polls answered 2xx.
        public var pollsAnswered: Int
        /// Polls that failed: no answer (refused, timed out), an error status, an answer the
        /// converter could not read (bad JSON, nothing at `dataUnpackExpression`).
        public var pollFailures: Int
        /// Ticks skipped because the mapping's previous poll was still running.
        public var skippedTicks: Int
        /// Answer bytes received.
        public var bytesReceived: Int
        /// Device readings handed to the gateway and accepted / refused.
        public var devicesSent: Int
        public var sendRejected: Int
        /// Attribute updates written to devices / that failed (no answer or an error status).
        public var attributeWrites: Int
        public var attributeWriteFailures: Int
        /// RPCs handled / that did not get a 2xx answer in time.
        public var rpcRequests: Int
        public var rpcFailures: Int
    }

    private let polls = Atomic<Int>(0)
    private let answered = Atomic<Int>(0)
    private let failures = Atomic<Int>(0)
    private let skipped = Atomic<Int>(0)
    private let bytes = Atomic<Int>(0)
    private let sent = Atomic<Int>(0)
    private let rejected = Atomic<Int>(0)
    private let writes = Atomic<Int>(0)
    private let writeFailures = Atomic<Int>(0)
    private let rpcs = Atomic<Int>(0)
    private let rpcFailed = Atomic<Int>(0)

    public init() {}

    public var snapshot: Snapshot {
        Snapshot(polls: polls.load(ordering: .relaxed), pollsAnswered: answered.load(ordering: .relaxed),
                 pollFailures: failures.load(ordering: .relaxed), skippedTicks: skipped.load(ordering: .relaxed),
                 bytesReceived: bytes.load(ordering: .relaxed), devicesSent: sent.load(ordering: .relaxed),
                 sendRejected: rejected.load(ordering: .relaxed), attributeWrites: writes.load(ordering: .relaxed),
                 attributeWriteFailures: writeFailures.load(ordering: .relaxed), rpcRequests: rpcs.load(ordering: .relaxed),
                 rpcFailures: rpcFailed.load(ordering: .relaxed))
    }

    public var traffic: ConnectorTraffic {
        let now = snapshot
        return ConnectorTraffic(messagesIn: Int64(now.pollsAnswered), bytesIn: Int64(now.bytesReceived),
                                errors: Int64(now.pollFailures + now.sendRejected + now.attributeWriteFailures + now.rpcFailures))
    }

    func countPoll() { polls.add(1, ordering: .relaxed) }
    func countAnswer(bytes count: Int) {
        answered.add(1, ordering: .relaxed)
        bytes.add(count, ordering: .relaxed)
    }
    func countPollFailure() { failures.add(1, ordering: .relaxed) }
    func countSkippedTicks(_ count: Int) { skipped.add(count, ordering: .relaxed) }
    func countSent() { sent.add(1, ordering: .relaxed) }
    func countRejected() { rejected.add(1, ordering: .relaxed) }
    func countAttributeWrite(failed: Bool) {
        writes.add(1, ordering: .relaxed)
        if failed { writeFailures.add(1, ordering: .relaxed) }
    }
    func countRPC(failed: Bool) {
        rpcs.add(1, ordering: .relaxed)
        if failed { rpcFailed.add(1, ordering: .relaxed) }
    }
}
