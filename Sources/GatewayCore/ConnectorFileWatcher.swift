import Foundation
import GatewayKit
import Logging

/// Hot reload of local edits: every `checkConnectorsConfigurationInSeconds` (0: every second; the
/// reference then checks on every pass of its main loop) the main file, every `*.json` file of
/// the configuration directory and every connector file the main file names (also in subfolders,
/// `"configuration": "modbus/plc1.json"`) are `stat`ed; only when one changed (size or
/// modification time) is the connector list read again and applied as a diff, so only the
/// connectors whose file (or entry in tb_gateway.json) changed restart — the reference restarts
/// them all. A file that no longer parses is refused and its connector keeps running as it was.
/// Nothing is parsed while nothing changes: a large connector file costs no memory between edits.
struct ConnectorFileWatcher: Sendable {
    let directory: String
    let environment: [String: String]
    /// Seconds between checks (0 counts as 1).
    let period: Int
    let logger: Logger

    /// What identifies a file's content cheaply.
    struct Stamp: Equatable {
        var size: Int64
        var modified: Double
    }

    func run(applyingTo connectors: ConnectorManager) async {
        var connectorFiles = connectorFileNames()
        var stamps = currentStamps(connectorFiles)
        var lastFailure: String?
        while !Task.isCancelled {
            do { try await Task.sleep(for: .seconds(max(1, period))) } catch { return }
            let now = currentStamps(connectorFiles)
            guard now != stamps else { continue }
            // The main file may name other connector files now.
            connectorFiles = connectorFileNames()
            stamps = currentStamps(connectorFiles)
            let entries: [ConnectorEntry]
            do {
                entries = try GatewayConfiguration.load(directory: directory, environment: environment).connectors
                lastFailure = nil
            } catch {
                // Logged once per distinct problem, not every period.
                if lastFailure != "\(error)" {
                    logger.error("configuration not reloaded; connectors keep running as they are: \(error)")
                    lastFailure = "\(error)"
                }
                continue
            }
            await connectors.apply(entries)
        }
    }

    /// Size and modification time of every JSON/YAML file directly in the configuration directory
    /// and of every connector file the main file names.
    func currentStamps(_ connectorFiles: [String]) -> [String: Stamp] {
        let manager = FileManager.default
        var stamps: [String: Stamp] = [:]
        let topLevel = ((try? manager.contentsOfDirectory(atPath: directory)) ?? [])
            .filter { $0.hasSuffix(".json") || $0.hasSuffix(".yaml") }
        for name in Set(topLevel + connectorFiles) {
            // The gateway's own files change as it runs; they are not connector configuration.
            if name == "connected_devices.json" { continue }
            let path = (directory as NSString).appendingPathComponent(name)
            guard let attributes = try? manager.attributesOfItem(atPath: path) else { continue }
            stamps[name] = Stamp(size: (attributes[.size] as? NSNumber)?.int64Value ?? -1,
                                 modified: (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0)
        }
        return stamps
    }

    /// The `configuration` of every `connectors` entry of the main file (the main file only is
    /// read, not the connector files).
    func connectorFileNames() -> [String] {
        guard let (_, document) = try? GatewayConfiguration.readMainDocument(directory: directory),
              case .array(let entries)? = document["connectors"] else { return [] }
        return entries.compactMap { $0["configuration"]?.stringValue }
    }
}
