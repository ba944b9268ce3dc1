import Foundation
import GatewayKit
import Logging
import Synchronization

/// Every device the gateway has seen, its owning connector and its ThingsBoard name, persisted
/// in `connected_devices.json` so that a restarted gateway still routes RPCs and attribute
/// updates of devices that have not sent data yet (reference §1.6, §1.12).
///
/// The data path asks on every message whether the device is new or changed owner; that is one
/// lock and one dictionary lookup. The file is rewritten only when something changes.
final class DeviceRegistry: Sendable {
    enum Sighting: Equatable {
        /// Known, same connector: nothing to do.
        case known
        /// First sight: announce it (`v1/gateway/connect`) and send its connector attributes.
        case new
        /// Another connector now reports it: re-send its connector attributes.
        case ownerChanged
        /// It was reported disconnected (by its connector or for inactivity) and is back: announce it.
        case reconnected
    }

    private struct State {
        var records: [String: DeviceRecord] = [:]
        /// ThingsBoard name → original name, for renamed devices.
        var originalNames: [String: String] = [:]
        /// When each device last sent data (epoch ms); not persisted.
        var lastData: [String: Int64] = [:]
        /// Records changed since the file was last written.
        var unsaved = false
        /// `runFileSaver` waiting for a change.
        var saver: CheckedContinuation<Void, Never>?
    }

    /// Changes within this long after the first go to the file in one write.
    static let saveDelay = Duration.milliseconds(200)

    private let state: Mutex<State>
    private let file: String?
    private let logger: Logger

    /// - Parameter file: where to persist; nil keeps the registry in memory (tests, check-config).
    init(file: String?, logger: Logger) {
        self.file = file
        self.logger = logger
        var initial = State()
        if let file, let data = FileManager.default.contents(atPath: file), !data.isEmpty {
            do {
                if case .object(let entries) = try JSONValue.parse(Array(data)) {
                    for (name, value) in entries {
                        guard let record = DeviceRecord(json: value) else {
                            logger.warning("\(file): entry for \"\(name)\" not understood; dropped")
                            continue
                        }
                        initial.records[name] = record
                        if let renamed = record.renaming { initial.originalNames[renamed] = name }
                    }
                }
            } catch {
                logger.error("\(file) is not valid JSON (\(error)); starting with no known devices")
            }
        }
        state = Mutex(initial)
    }

    /// Re-binds the persisted devices to the running connectors (by id and name, else by name,
    /// else by an id no other connector shares: connector files copied with their `id` share it)
    /// and drops those whose connector is gone, as the reference does at start.
    func bind(to connectors: [ConnectorIdentity]) {
        let byIDAndName = Dictionary(connectors.map { ("\($0.id)\u{0}\($0.name)", $0) }, uniquingKeysWith: { first, _ in first })
        let byName = Dictionary(connectors.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let idCounts = Dictionary(connectors.map { ($0.id, 1) }, uniquingKeysWith: +)
        let byUniqueID = Dictionary(connectors.filter { idCounts[$0.id] == 1 }.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        mutate { state in
            var changed = false
            for (name, record) in state.records {
                if let connector = byIDAndName["\(record.connectorID)\u{0}\(record.connectorName)"]
                    ?? byName[record.connectorName] ?? byUniqueID[record.connectorID] {
                    if record.connectorID != connector.id || record.connectorName != connector.name {
                        state.records[name]?.connectorID = connector.id
                        state.records[name]?.connectorName = connector.name
                        changed = true
                    }
                } else {
                    state.records[name] = nil
                    if let renamed = record.renaming { state.originalNames[renamed] = nil }
                    changed = true
                }
            }
            return changed
        }
    }

    /// Notes that `connector` reports `device`; returns the name to publish it under (its
    /// ThingsBoard name after a rename) and what changed.
    func sighting(of device: String, type: String?, by connector: ConnectorIdentity,
                  at now: Int64 = WallClock.milliseconds()) -> (name: String, change: Sighting) {
        var result: (name: String, change: Sighting) = (device, .known)
        mutate { state in
            state.lastData[device] = now
            if var record = state.records[device] {
                result.name = record.renaming ?? device
                var changed = false
                if record.connectorName != connector.name || record.connectorID != connector.id {
                    record.connectorName = connector.name
                    record.connectorID = connector.id
                    result.change = .ownerChanged
                    changed = true
                }
                if record.disconnected {
                    record.disconnected = false
                    if result.change == .known { result.change = .reconnected }
                    changed = true
                }
                if let type, type != record.deviceType {
                    record.deviceType = type
                    changed = true
                }
                if changed { state.records[device] = record }
                return changed
            }
            state.records[device] = DeviceRecord(connector: connector, deviceType: type ?? "default")
            result.change = .new
            return true
        }
        return result
    }

    /// The connector reported the device gone; it stays owned (RPCs still reach the connector).
    /// Returns false when the device was not connected (unknown, or already disconnected).
    @discardableResult
    func markDisconnected(_ device: String) -> Bool {
        var wasConnected = false
        mutate { state in
            guard state.records[device]?.disconnected == false else { return false }
            state.records[device]?.disconnected = true
            wasConnected = true
            return true
        }
        return wasConnected
    }

    /// Connected devices whose last data is older than `timeout` ms (devices not heard from since
    /// start count from `since`): `checkingDeviceActivity`.
    func inactiveDevices(timeout: Int64, now: Int64, since start: Int64) -> [String] {
        state.withLock { state in
            state.records.compactMap { name, record in
                guard !record.disconnected else { return nil }
                return now - (state.lastData[name] ?? start) > timeout ? name : nil
            }.sorted()
        }
    }

    /// The connector owning a device, by the name ThingsBoard uses for it.
    func owner(ofThingsBoardName name: String) -> (connector: String, device: String)? {
        state.withLock { state in
            let original = state.originalNames[name] ?? name
            guard let record = state.records[original] else { return nil }
            return (record.connectorName, original)
        }
    }

    /// The name ThingsBoard knows a device by (its new name after a rename).
    func thingsBoardName(of device: String) -> String {
        state.withLock { $0.records[device]?.renaming ?? device }
    }

    /// ThingsBoard renamed a device (`gateway_device_renamed` `{"old": "new"}`).
    @discardableResult
    func rename(_ thingsBoardName: String, to newName: String) -> Bool {
        var found = false
        mutate { state in
            let original = state.originalNames[thingsBoardName] ?? thingsBoardName
            guard var record = state.records[original] else { return false }
            found = true
            if let previous = record.renaming { state.originalNames[previous] = nil }
            record.renaming = newName == original ? nil : newName
            if let renamed = record.renaming { state.originalNames[renamed] = original }
            state.records[original] = record
            return true
        }
        return found
    }

    /// ThingsBoard deleted a device (`gateway_device_deleted`): forget it.
    @discardableResult
    func delete(_ thingsBoardName: String) -> Bool {
        var found = false
        mutate { state in
            let original = state.originalNames[thingsBoardName] ?? thingsBoardName
            guard let record = state.records.removeValue(forKey: original) else { return false }
            found = true
            if let renamed = record.renaming { state.originalNames[renamed] = nil }
            return true
        }
        return found
    }

    /// ThingsBoard name → connector name, for `gateway_devices` and the status endpoint.
    var devicesByConnector: [String: String] {
        state.withLock { state in
            var result: [String: String] = [:]
            for (name, record) in state.records { result[record.renaming ?? name] = record.connectorName }
            return result
        }
    }

    var snapshot: [String: DeviceRecord] { state.withLock { $0.records } }

    /// Applies `change`; when it reports a change, wakes the file saver. The data path never
    /// writes the file itself: rewriting it inside a sighting cost each new device a file write
    /// (≈1.5 ms here), so a hundred new devices delayed their first readings by up to 60 ms.
    private func mutate(_ change: (inout State) -> Bool) {
        let saver = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard change(&state), file != nil else { return nil }
            state.unsaved = true
            defer { state.saver = nil }
            return state.saver
        }
        saver?.resume()
    }

    /// Writes the file after changes — at most once per `saveDelay`, so a burst of new devices is
    /// one write — and once more when cancelled (graceful shutdown). A crash loses at most the
    /// changes of the last `saveDelay`: those devices are announced again with their next data.
    func runFileSaver() async {
        guard let file else { return }
        while !Task.isCancelled {
            await withTaskCancellationHandler {
                await withCheckedContinuation { continuation in
                    let resumeNow = state.withLock { state -> Bool in
                        if state.unsaved || Task.isCancelled { return true }
                        state.saver = continuation
                        return false
                    }
                    if resumeNow { continuation.resume() }
                }
            } onCancel: {
                let saver = state.withLock { state -> CheckedContinuation<Void, Never>? in
                    defer { state.saver = nil }
                    return state.saver
                }
                saver?.resume()
            }
            try? await Task.sleep(for: Self.saveDelay)
            saveIfChanged(to: file)
        }
        saveIfChanged(to: file)
    }

    /// Only `runFileSaver` writes, so snapshots reach the file in order.
    private func saveIfChanged(to file: String) {
        let records = state.withLock { state -> [String: DeviceRecord]? in
            guard state.unsaved else { return nil }
            state.unsaved = false
            return state.records
        }
        if let records { write(records, to: file) }
    }

    private func write(_ records: [String: DeviceRecord], to file: String) {
        var document: JSONObject = [:]
        for name in records.keys.sorted() { document[name] = records[name]!.json }
        do {
            try Data(JSONValue.object(document).prettyBytes).write(to: URL(fileURLWithPath: file), options: .atomic)
        } catch {
            logger.error("cannot save \(file): \(error)")
        }
    }
}
