import Foundation
import GatewayKit
import Logging

/// Hot reload of local edits: every `checkConnectorsConfigurationInSeconds` the main file and
/// every `*.json` file of the configuration directory are `stat`ed; only when one changed (size or
/// modification time) is the connector list read again and applied as a diff, so only the
/// connectors whose file (or entry in tb_gateway.json) changed restart — the reference restarts
/// them all. A file that no longer parses is refused and its connector keeps running as it was.
/// Nothing is parsed while nothing changes: a large connector file costs no memory between edits.
struct ConnectorFileWatcher: Sendable {
    let directory: String
    let environment: [String: String]
    /// Seconds between checks; 0: never.
    let period: Int
    let logger: Logger

    /// What identifies a file's content cheaply.
    struct Stamp: Equatable {
        var size: Int64
        var modified: Double
    }

    func run(applyingTo connectors: ConnectorManager) async {
        guard period > 0 else { return }
        var stamps = currentStamps()
        var lastFailure: String?
        while !Task.isCancelled {
            do { try await Task.sleep(for: .seconds(period)) } catch { return }
            let now = currentStamps()
            guard now != stamps else { continue }
            stamps = now
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

    /// Size and modification time of every JSON/YAML file directly in the configuration directory.
    func currentStamps() -> [String: Stamp] {
        let manager = FileManager.default
        var stamps: [String: Stamp] = [:]
        for name in (try? manager.contentsOfDirectory(atPath: directory)) ?? []
        where name.hasSuffix(".json") || name.hasSuffix(".yaml") {
            // The gateway's own files change as it runs; they are not connector configuration.
            if name == "connected_devices.json" { continue }
            let path = (directory as NSString).appendingPathComponent(name)
            guard let attributes = try? manager.attributesOfItem(atPath: path) else { continue }
            stamps[name] = Stamp(size: (attributes[.size] as? NSNumber)?.int64Value ?? -1,
                                 modified: (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0)
        }
        return stamps
    }
}
