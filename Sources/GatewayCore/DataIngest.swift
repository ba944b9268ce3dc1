import Foundation
import GatewayKit
import Logging
import Storage

/// Where connectors hand their converted data (`GatewayContext.send`): validates it, stamps the
/// time of readings that carry none, and writes it to storage in group commits. `send` returns
/// only after the event is in storage, so with file or sqlite storage a `kill -9` right after
/// loses nothing a connector was told was accepted.
///
/// Time stamps: a device's stamped readings get strictly increasing milliseconds, so two readings
/// in the same millisecond never collapse into one datapoint on ThingsBoard (the reference merges
/// them, "last wins").
public actor DataIngest: GatewayContext {
    public struct Statistics: Sendable, Equatable {
        public var eventsAccepted: Int64 = 0
        public var datapointsAccepted: Int64 = 0
        public var eventsRejected: Int64 = 0
        public var eventsDroppedByStorage: Int64 = 0
        public var perConnector: [String: Int64] = [:]
    }

    private let storage: any EventStorage
    private let logger: Logger
    private let clock: @Sendable () -> Int64
    private var lastStamp: [String: Int64] = [:]
    private var pending: [StoredEvent] = []
    private var pendingWaiters: [CheckedContinuation<SendOutcome, Never>] = []
    private var writerWakeUp: CheckedContinuation<Void, Never>?
    private var stopped = false
    private var stats = Statistics()
    private var storageErrorReported = false

    /// Events waiting for the writer beyond which senders wait for the next commit first.
    static let maxPendingEvents = 50_000

    public init(storage: any EventStorage, logger: Logger,
                clock: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) }) {
        self.storage = storage
        self.logger = logger
        self.clock = clock
    }

    public nonisolated func send(_ data: ConvertedData, from connector: ConnectorIdentity) async -> SendOutcome {
        await accept(data, from: connector)
    }

    private func accept(_ data: ConvertedData, from connector: ConnectorIdentity) async -> SendOutcome {
        guard !stopped else { return .rejected("the gateway is stopping") }
        guard !data.deviceName.isEmpty else {
            stats.eventsRejected += 1
            return .rejected("empty device name")
        }
        guard !data.isEmpty else {
            stats.eventsRejected += 1
            return .rejected("no datapoints for device '\(data.deviceName)'")
        }
        var data = data
        stamp(&data)
        stats.perConnector[connector.name, default: 0] += 1
        let count = Int64(data.datapointCount)
        let event = StoredEvent(data)
        let outcome = await withCheckedContinuation { continuation in
            pending.append(event)
            pendingWaiters.append(continuation)
            writerWakeUp?.resume()
            writerWakeUp = nil
        }
        if outcome == .accepted {
            stats.eventsAccepted += 1
            stats.datapointsAccepted += count
        } else {
            stats.eventsRejected += 1
        }
        return outcome
    }

    private func stamp(_ data: inout ConvertedData) {
        guard data.telemetry.contains(where: { $0.ts == nil }) else { return }
        var next = max(clock(), (lastStamp[data.deviceName] ?? 0) + 1)
        for index in data.telemetry.indices where data.telemetry[index].ts == nil {
            data.telemetry[index].ts = next
            next += 1
        }
        lastStamp[data.deviceName] = next - 1
    }

    /// The writer: takes everything pending and appends it in one batch, until cancelled; then
    /// writes what is still pending and refuses new data.
    public func runWriter() async {
        while true {
            if pending.isEmpty {
                if Task.isCancelled { break }
                await withTaskCancellationHandler {
                    await withCheckedContinuation { continuation in
                        if pending.isEmpty && !Task.isCancelled { writerWakeUp = continuation } else { continuation.resume() }
                    }
                } onCancel: {
                    Task { await self.wakeWriter() }
                }
                continue
            }
            await writePending()
        }
        stopped = true
        await writePending()
    }

    private func wakeWriter() {
        writerWakeUp?.resume()
        writerWakeUp = nil
    }

    private func writePending() async {
        guard !pending.isEmpty else { return }
        let batch = pending
        let waiters = pendingWaiters
        pending = []
        pendingWaiters = []
        do {
            let dropped = try await storage.append(batch)
            stats.eventsDroppedByStorage += Int64(dropped)
            storageErrorReported = false
            for waiter in waiters { waiter.resume(returning: .accepted) }
        } catch {
            if !storageErrorReported {
                logger.error("storage refused events; connectors will retry", metadata: ["error": "\(error)"])
                storageErrorReported = true
            }
            for waiter in waiters { waiter.resume(returning: .rejected("storage error: \(error)")) }
        }
    }

    public func statistics() -> Statistics { stats }
}
