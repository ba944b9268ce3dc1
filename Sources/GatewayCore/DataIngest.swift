import Foundation
import GatewayKit
import Logging
import Reporting
import Storage

/// Where connectors hand their converted data (`GatewayContext.send`): validates it, applies the
/// report strategies, stamps the time of readings that carry none, and writes it to storage in
/// group commits. `send` returns
/// only after the event is in storage, so with file or sqlite storage a `kill -9` right after
/// loses nothing a connector was told was accepted. `submit` returns once the event is queued
/// (at most `maxQueuedEvents` wait for the writer), so a streaming connector hands over its next
/// message while the previous ones are written: one commit then carries many events. Submitted
/// events are stored with `appendBuffered` (sqlite writes them up to 20 ms later, or never when
/// they are delivered first); a batch with a `send` or a `submit(whenStored:)` waiting in it is
/// stored with `append`.
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
        /// Messages whose every datapoint a report strategy held back (ON_CHANGE with no change...).
        public var eventsHeldByReportStrategy: Int64 = 0
        /// Periodic reports (ON_REPORT_PERIOD...) written.
        public var periodicReports: Int64 = 0
        public var perConnector: [String: Int64] = [:]
        /// Datapoints accepted per connector.
        public var datapointsPerConnector: [String: Int64] = [:]
        /// Of those, attribute values (the rest are telemetry values).
        public var attributesPerConnector: [String: Int64] = [:]
        /// False while storage refuses events (disk full, unwritable); readiness reports it.
        public var storageWritable = true
    }

    private let storage: any EventStorage
    private let logger: Logger
    private let clock: @Sendable () -> Int64
    /// False with memory storage: there, waiting for the write would guarantee nothing (the
    /// events die with the process either way), so `send` returns once queued, like `submit`.
    private let sendWaitsForWrite: Bool
    private var lastStamp: [String: Int64] = [:]
    private var pending: [StoredEvent] = []
    /// Callers of `send` (and `submit` with `whenStored`) waiting for the write of their events, with the
    /// events' positions in `pending`, told in queue order.
    private var pendingWaiters: [(positions: [Int], resume: @Sendable ([SendOutcome]) -> Void)] = []
    /// What the pending events add to the statistics once written, by connector.
    private var pendingTally: [String: Tally] = [:]
    /// Callers of `submit` waiting for room in the queue.
    private var roomWaiters: [CheckedContinuation<Void, Never>] = []
    /// Bound of the write queue for `submit`: a few commits' worth, so memory stays bounded
    /// when storage is slower than the connectors.
    public static let maxQueuedEvents = 8192
    private var writerWakeUp: CheckedContinuation<Void, Never>?
    private var stopped = false
    private var stats = Statistics()
    private var storageErrorReported = false
    private var reportFilter: ReportFilter
    /// The reporter's current sleep (cancelled to wake it for an earlier deadline) and its end.
    private var reporterSleep: Task<Void, Never>?
    private var reporterSleepsUntil: Int64 = .max
    private var reporterIdle: CheckedContinuation<Void, Never>?

    /// `reportStrategy` is the main section's; `connectorReportStrategies` the connectors' own
    /// root `reportStrategy`, by connector name.
    public init(storage: any EventStorage, logger: Logger, reportStrategy: ReportStrategy? = nil,
                connectorReportStrategies: [String: ReportStrategy] = [:],
                sendWaitsForWrite: Bool = true,
                clock: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) }) {
        self.storage = storage
        self.sendWaitsForWrite = sendWaitsForWrite
        self.logger = logger
        self.clock = clock
        var filter = ReportFilter(gatewayDefault: reportStrategy)
        for (connector, strategy) in connectorReportStrategies { filter.setConnectorDefault(strategy, for: connector) }
        self.reportFilter = filter
    }

    /// A connector's root `reportStrategy`, which applies to its devices unless they (or their
    /// keys) have their own.
    public func setReportStrategy(_ strategy: ReportStrategy?, for connector: String) {
        reportFilter.setConnectorDefault(strategy, for: connector)
    }

    /// A device renamed on ThingsBoard: its report-strategy state follows it (see `ReportFilter.renameDevice`).
    public func renameDevice(_ old: String, to new: String) {
        reportFilter.renameDevice(old, to: new)
        wakeReporter()
    }

    public nonisolated(nonsending) func send(_ data: ConvertedData, from connector: ConnectorIdentity) async -> SendOutcome {
        await accept(data, from: connector, waitForWrite: sendWaitsForWrite)
    }

    public nonisolated(nonsending) func submit(_ data: ConvertedData, from connector: ConnectorIdentity) async -> SendOutcome {
        await accept(data, from: connector, waitForWrite: false)
    }

    /// Queued like `submit`; `whenStored` hears of the write (see `GatewayContext`).
    public nonisolated(nonsending) func submit(_ data: ConvertedData, from connector: ConnectorIdentity,
                                               whenStored: @escaping @Sendable (StoreNotice) -> Void) async -> SendOutcome {
        await acceptTelling(data, from: connector, whenStored: whenStored)
    }

    /// Several readings in order, with one wait for the write that takes them all (they are
    /// queued in one go, so one write batch holds them).
    public nonisolated(nonsending) func sendAll(_ batch: [ConvertedData], from connector: ConnectorIdentity) async
        -> [SendOutcome]
    {
        await acceptAll(batch, from: connector)
    }

    private func accept(_ data: ConvertedData, from connector: ConnectorIdentity, waitForWrite: Bool) async -> SendOutcome {
        // Back-pressure before anything is decided, so stamps stay in queue order.
        if !waitForWrite { await waitForRoom() }
        switch enqueue(data, from: connector) {
        case .rejected(let reason): return .rejected(reason)
        case .settled: return .accepted
        case .queued:
            guard waitForWrite else { return .accepted }
            let position = pending.count - 1
            return await withCheckedContinuation { continuation in
                pendingWaiters.append(([position], { continuation.resume(returning: $0) }))
            }[0]
        }
    }

    private func acceptTelling(_ data: ConvertedData, from connector: ConnectorIdentity,
                               whenStored: @escaping @Sendable (StoreNotice) -> Void) async -> SendOutcome {
        await waitForRoom()
        if stopped {
            whenStored(.notStored("the gateway is stopping"))
            return .rejected("the gateway is stopping")
        }
        switch enqueue(data, from: connector) {
        case .rejected(let reason):
            // Invalid readings: they would be refused again.
            whenStored(.taken)
            return .rejected(reason)
        case .settled:
            whenStored(.taken)
            return .accepted
        case .queued:
            // A waiter makes the writer use `append`, which writes at once (not `appendBuffered`).
            if sendWaitsForWrite {
                pendingWaiters.append(([pending.count - 1], { outcomes in
                    switch outcomes[0] {
                    case .accepted: whenStored(.taken)
                    case .rejected(let reason): whenStored(.notStored(reason))
                    }
                }))
            } else {
                whenStored(.taken)
            }
            return .accepted
        }
    }

    private func acceptAll(_ batch: [ConvertedData], from connector: ConnectorIdentity) async -> [SendOutcome] {
        if !sendWaitsForWrite { await waitForRoom() }
        var outcomes: [SendOutcome] = []
        outcomes.reserveCapacity(batch.count)
        var queued: [Int] = []
        var positions: [Int] = []
        for data in batch {
            switch enqueue(data, from: connector) {
            case .rejected(let reason): outcomes.append(.rejected(reason))
            case .settled: outcomes.append(.accepted)
            case .queued:
                queued.append(outcomes.count)
                positions.append(pending.count - 1)
                outcomes.append(.accepted)
            }
        }
        guard sendWaitsForWrite, !queued.isEmpty else { return outcomes }
        let written = await withCheckedContinuation { continuation in
            pendingWaiters.append((positions, { continuation.resume(returning: $0) }))
        }
        for (index, outcome) in zip(queued, written) { outcomes[index] = outcome }
        return outcomes
    }

    private func waitForRoom() async {
        while pending.count >= Self.maxQueuedEvents, !stopped {
            await withCheckedContinuation { roomWaiters.append($0) }
        }
    }

    private enum Enqueued {
        case rejected(String)
        /// Nothing to write now (held by the report strategy).
        case settled
        /// In the write queue.
        case queued
    }

    private func enqueue(_ data: ConvertedData, from connector: ConnectorIdentity) -> Enqueued {
        guard !stopped else { return .rejected("the gateway is stopping") }
        guard !data.deviceName.isEmpty else {
            stats.eventsRejected += 1
            return .rejected("empty device name")
        }
        guard !data.isEmpty else {
            stats.eventsRejected += 1
            return .rejected("no datapoints for device '\(data.deviceName)'")
        }
        guard var data = reportFilter.admit(data, from: connector.name, now: clock()) else {
            stats.eventsHeldByReportStrategy += 1
            wakeReporterIfDue()
            return .settled
        }
        wakeReporterIfDue()
        stamp(&data)
        stats.perConnector[connector.name, default: 0] += 1
        pendingTally[connector.name, default: Tally()].add(data)
        pending.append(StoredEvent(data))
        wakeWriter()
        return .queued
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

    /// Writes the periodic reports of the report strategies when they are due; sleeps (no
    /// polling) until the next deadline, or until a report gets scheduled when none is.
    public func runReporter() async {
        while !Task.isCancelled {
            let now = clock()
            if let deadline = reportFilter.nextDeadline() {
                if deadline <= now {
                    writeDueReports(now: now)
                    continue
                }
                let sleep = Task<Void, Never> { _ = try? await Task.sleep(for: .milliseconds(deadline - now)) }
                reporterSleep = sleep
                reporterSleepsUntil = deadline
                await withTaskCancellationHandler { await sleep.value } onCancel: { sleep.cancel() }
                reporterSleep = nil
                reporterSleepsUntil = .max
            } else {
                await withTaskCancellationHandler {
                    await withCheckedContinuation { continuation in
                        if Task.isCancelled { continuation.resume() } else { reporterIdle = continuation }
                    }
                } onCancel: {
                    Task { await self.wakeReporter() }
                }
            }
        }
    }

    private func wakeReporterIfDue() {
        guard let deadline = reportFilter.nextDeadline() else { return }
        if reporterIdle != nil {
            wakeReporter()
        } else if deadline < reporterSleepsUntil {
            reporterSleep?.cancel()
        }
    }

    private func wakeReporter() {
        reporterIdle?.resume()
        reporterIdle = nil
    }

    /// Periodic reports are stored like any reading (nobody waits for them); their time is
    /// stamped here so they never share a millisecond with another reading of the device.
    private func writeDueReports(now: Int64) {
        let reports = reportFilter.due(now: now)
        guard !reports.isEmpty, !stopped else { return }
        for (_, report) in reports {
            var data = report
            for index in data.telemetry.indices { data.telemetry[index].ts = nil }
            stamp(&data)
            pending.append(StoredEvent(data))
            stats.periodicReports += 1
        }
        wakeWriter()
    }

    private func wakeWriter() {
        writerWakeUp?.resume()
        writerWakeUp = nil
    }

    private func writePending() async {
        guard !pending.isEmpty else { return }
        let batch = pending
        let waiters = pendingWaiters
        let tally = pendingTally
        pending = []
        pendingWaiters = []
        pendingTally = [:]
        for waiter in roomWaiters { waiter.resume() }
        roomWaiters = []
        do {
            // Nobody waits for `submit`ted events: storage may buffer them briefly.
            let result = waiters.isEmpty ? try await storage.appendBuffered(batch) : try await storage.append(batch)
            stats.eventsDroppedByStorage += Int64(result.dropped)
            storageErrorReported = false
            stats.storageWritable = true
            for (connector, counts) in tally {
                stats.eventsAccepted += counts.events
                stats.datapointsAccepted += counts.datapoints
                stats.datapointsPerConnector[connector, default: 0] += counts.datapoints
                stats.attributesPerConnector[connector, default: 0] += counts.attributes
            }
            // Events a cap refused (`rejectNewest`, or a batch larger than the cap) are not reported
            // as accepted. (The per-connector datapoint counts keep them: they are counted by connector,
            // not by event.)
            stats.eventsAccepted -= Int64(result.refused.count)
            let refused = Set(result.refused)
            for waiter in waiters {
                waiter.resume(waiter.positions.map {
                    refused.contains($0) ? .rejected("storage is full and refused the event (see its overflow policy)") : .accepted
                })
            }
        } catch {
            stats.storageWritable = false
            for counts in tally.values { stats.eventsRejected += counts.events }
            if !storageErrorReported {
                logger.error("storage refused events; they are counted as rejected and connectors that wait for the write are told",
                             metadata: ["error": "\(error)", "events": "\(batch.count)"])
                storageErrorReported = true
            }
            for waiter in waiters {
                waiter.resume(waiter.positions.map { _ in .rejected("storage error: \(error)") })
            }
        }
    }

    /// Counts of queued events, added to the statistics when their write succeeds.
    private struct Tally {
        var events: Int64 = 0
        var datapoints: Int64 = 0
        var attributes: Int64 = 0

        mutating func add(_ data: ConvertedData) {
            events += 1
            datapoints += Int64(data.datapointCount)
            attributes += Int64(data.attributes.count)
        }
    }

    public func statistics() -> Statistics { stats }
}
