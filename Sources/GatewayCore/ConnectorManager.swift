import GatewayKit
import Logging
import Synchronization

/// Owns the running connectors: builds each from its configuration entry, runs it under its
/// supervisor, and applies configuration changes as a diff — a connector whose entry and file did
/// not change keeps running; a changed one is stopped and started again with its new
/// configuration; a removed one is stopped; a new one is started. A configuration that is refused
/// leaves the running connector (if any) as it was, and the reason is returned to the caller.
///
/// `run` is the gateway's "connectors" service: every connector runs as a child task of it, so a
/// graceful shutdown stops them all.
final class ConnectorManager: Sendable {
    /// One running connector.
    struct Slot: Sendable {
        /// Name, type, id and file; without the parsed document, which can be megabytes and is not
        /// needed once the connector is built.
        var entry: ConnectorEntry
        /// Which configuration runs, for "did it change?" (nil: the entry had no document).
        var fingerprint: JSONFingerprint?
        var supervisor: ConnectorSupervisor
        var downlink: (any DownlinkConnector)?
        fileprivate var stop: AsyncStream<Void>.Continuation
        fileprivate var stopped: AsyncStream<Void>
    }

    private enum Command: Sendable {
        case start(ConnectorSupervisor, stop: AsyncStream<Void>, stopped: AsyncStream<Void>.Continuation)
        /// A configuration change was applied: once its parsed files are gone, return their pages.
        case trimMemory
    }

    private let slots = Mutex<[String: Slot]>([:])
    private let commands: AsyncStream<Command>
    private let commandQueue: AsyncStream<Command>.Continuation
    /// One `apply` at a time (remote configuration and the file watcher may overlap).
    private let changes = ChangeQueue()
    /// The last refusal per connector, so a file that stays broken is reported once, not at
    /// every reload.
    private let refusals = Mutex<[String: String]>([:])
    /// The configuration the gateway started with, until `applyInitial()` hands it over: parsed
    /// documents are not kept for the life of the gateway.
    private let initial: Mutex<[ConnectorEntry]>
    private let context: any GatewayContext
    private let ingest: DataIngest
    private let logger: Logger
    /// Called with the name of a connector removed from the configuration, once it stopped.
    private let connectorRemoved: @Sendable (String) async -> Void

    init(context: any GatewayContext, ingest: DataIngest, initial: [ConnectorEntry], logger: Logger,
         connectorRemoved: @escaping @Sendable (String) async -> Void = { _ in }) {
        self.context = context
        self.connectorRemoved = connectorRemoved
        self.ingest = ingest
        self.initial = Mutex(initial)
        self.logger = logger
        (commands, commandQueue) = AsyncStream.makeStream(of: Command.self)
    }

    // MARK: reading

    var running: [Slot] { slots.withLock { Array($0.values) }.sorted { $0.entry.name < $1.entry.name } }
    var supervisors: [ConnectorSupervisor] { running.map(\.supervisor) }
    var downlinks: [any DownlinkConnector] { running.compactMap(\.downlink) }

    func downlink(named name: String) -> (any DownlinkConnector)? { slots.withLock { $0[name]?.downlink } }

    // MARK: running

    /// Runs every started connector until cancelled (graceful shutdown).
    func run() async {
        await withDiscardingTaskGroup { group in
            for await command in commands {
                switch command {
                case .start(let supervisor, let stop, let stopped):
                    group.addTask {
                        await Self.runUntilStopped(supervisor, stop: stop)
                        stopped.finish()
                    }
                case .trimMemory:
                    // The callers of `apply` drop the parsed documents when it returns; the
                    // connectors have built their runtime state by then too, so the set-up code
                    // has run its course as well.
                    group.addTask { [logger] in
                        guard (try? await Task.sleep(for: .seconds(2))) != nil else { return }
                        MemoryUpkeep.trimNow(logger: logger)
                    }
                }
            }
        }
    }

    private static func runUntilStopped(_ supervisor: ConnectorSupervisor, stop: AsyncStream<Void>) async {
        Logger(label: "connector").info("connector started", metadata: [
            "connector": "\(supervisor.identity.name)", "type": "\(supervisor.identity.type)"])
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await supervisor.run() }
            group.addTask { for await _ in stop {} }  // Ends when stopped (or cancelled).
            await group.next()
            group.cancelAll()
        }
    }

    // MARK: changing

    /// Starts the connectors of the configuration the gateway started with (once).
    func applyInitial() async {
        let entries = initial.withLock { entries in
            defer { entries = [] }
            return entries
        }
        await apply(entries)
        initialApplied.store(true, ordering: .releasing)
    }

    /// False until the connectors the gateway started with were started (or refused).
    var startedInitialConnectors: Bool { initialApplied.load(ordering: .acquiring) }

    /// Waits, at most `limit`, until the connectors the gateway started with were started (or
    /// refused): what is published or answered at the first session must know them. Checks every
    /// 100 ms; this happens once, at start-up.
    @discardableResult
    func initialConnectorsStarted(within limit: Duration) async -> Bool {
        let deadline = ContinuousClock.now + limit
        while !startedInitialConnectors {
            guard ContinuousClock.now < deadline else { return false }
            do { try await Task.sleep(for: .milliseconds(100)) } catch { return false }
        }
        return true
    }
    private let initialApplied = Atomic<Bool>(false)

    /// Brings the running connectors in line with `entries`; returns why entries were refused,
    /// by connector name.
    @discardableResult
    func apply(_ entries: [ConnectorEntry]) async -> [String: String] {
        await changes.enter()
        let refused = await applyNow(entries)
        await changes.leave()
        commandQueue.yield(.trimMemory)
        return refused
    }

    private func applyNow(_ entries: [ConnectorEntry]) async -> [String: String] {
        var refused: [String: String] = [:]
        let wanted = Dictionary(entries.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        for slot in running where wanted[slot.entry.name] == nil {
            logger.info("connector removed from the configuration; stopping", metadata: ["connector": "\(slot.entry.name)"])
            await stop(slot.entry.name)
            await ingest.setReportStrategy(nil, for: slot.entry.name)
            await connectorRemoved(slot.entry.name)
        }
        for entry in entries {
            let current = slots.withLock { $0[entry.name] }
            if let current, current.runs(entry) { continue }
            let built: Built
            do {
                built = try build(entry)
            } catch {
                refused[entry.name] = "\(error)"
                let repeated = refusals.withLock { last in
                    defer { last[entry.name] = "\(error)" }
                    return last[entry.name] == "\(error)"
                }
                if repeated { continue }
                if current == nil {
                    entry.logger.error("connector not started: \(error)")
                } else {
                    entry.logger.error("connector configuration refused; the running configuration stays: \(error)")
                }
                continue
            }
            refusals.withLock { $0[entry.name] = nil }
            if current != nil {
                entry.logger.info("connector configuration changed; restarting it")
                await stop(entry.name)
            }
            await ingest.setReportStrategy(built.reportStrategy, for: entry.name)
            start(entry, built)
        }
        return refused
    }

    /// Why `entry` would be refused, or nil when it would start (nothing is started).
    func check(_ entry: ConnectorEntry) -> String? {
        do {
            _ = try build(entry)
            return nil
        } catch {
            return "\(error)"
        }
    }

    private struct Built {
        var connector: any Connector
        var reportStrategy: ReportStrategy?
    }

    private struct BuildError: Error, CustomStringConvertible {
        var description: String
    }

    /// Validates an entry and builds its connector (nothing runs yet).
    private func build(_ entry: ConnectorEntry) throws -> Built {
        guard let document = entry.document else {
            throw BuildError(description: entry.error.map { "\($0)" } ?? "no configuration")
        }
        guard let factory = ConnectorRegistry.factory(for: entry.type) else {
            throw BuildError(description: "\(entry.file): type \"\(entry.type)\" is not built in (available: \(ConnectorRegistry.knownTypes.joined(separator: ", ")))")
        }
        let strategy = try entry.rootReportStrategy()
        let setup = ConnectorSetup(identity: ConnectorIdentity(name: entry.name, type: entry.type, id: entry.id),
                                   configuration: document, configurationFile: entry.file,
                                   context: context, logger: entry.logger, converterLogger: entry.converterLogger)
        return Built(connector: try factory.make(setup), reportStrategy: strategy)
    }

    private func start(_ entry: ConnectorEntry, _ built: Built) {
        RemoteLogSink.shared.setConnectorLogging(entry.name, level: entry.remoteLogLevel)
        let supervisor = ConnectorSupervisor(connector: built.connector, logger: entry.logger)
        let (stop, stopContinuation) = AsyncStream.makeStream(of: Void.self)
        let (stopped, stoppedContinuation) = AsyncStream.makeStream(of: Void.self)
        slots.withLock {
            var identity = entry
            identity.document = nil
            $0[entry.name] = Slot(entry: identity, fingerprint: entry.document.map(JSONFingerprint.init),
                                  supervisor: supervisor, downlink: built.connector as? any DownlinkConnector,
                                  stop: stopContinuation, stopped: stopped)
        }
        commandQueue.yield(.start(supervisor, stop: stop, stopped: stoppedContinuation))
    }

    /// Stops a connector and waits until it has stopped.
    private func stop(_ name: String) async {
        guard let slot = slots.withLock({ $0.removeValue(forKey: name) }) else { return }
        slot.stop.finish()
        for await _ in slot.stopped {}
    }
}

/// Lets one configuration change run at a time, in arrival order.
private actor ChangeQueue {
    private var gate = SerialGate()

    func enter() async {
        if !gate.tryEnter() { await withCheckedContinuation { gate.enqueue($0) } }
    }

    func leave() { gate.leave() }
}

extension ConnectorManager.Slot {
    /// Same connector, same configuration: nothing to restart.
    func runs(_ other: ConnectorEntry) -> Bool {
        guard entry.type == other.type, entry.id == other.id, entry.file == other.file,
              (entry.error == nil) == (other.error == nil) else {
            return false
        }
        return fingerprint == other.document.map(JSONFingerprint.init)
    }

    /// Same type and an equivalent document.
    func runs(type: String, document: JSONValue) -> Bool {
        entry.type == type && fingerprint == JSONFingerprint(document)
    }
}
