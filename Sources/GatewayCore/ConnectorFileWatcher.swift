import Foundation
import GatewayKit
import Logging

/// Hot reload of local edits: every `checkConnectorsConfigurationInSeconds` the configuration
/// directory's connector list and files are read again and applied as a diff, so only the
/// connectors whose file (or entry in tb_gateway.json) changed restart — the reference restarts
/// them all. A file that no longer parses is refused and its connector keeps running as it was.
struct ConnectorFileWatcher: Sendable {
    let directory: String
    let environment: [String: String]
    /// Seconds between checks; 0: never.
    let period: Int
    let logger: Logger

    func run(applyingTo connectors: ConnectorManager) async {
        guard period > 0 else { return }
        var lastFailure: String?
        while !Task.isCancelled {
            do { try await Task.sleep(for: .seconds(period)) } catch { return }
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
}
