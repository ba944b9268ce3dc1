import Foundation
import GatewayKit
import Storage

/// `iot-gateway check-config`: validates everything a start would and prints a summary.
public enum ConfigurationCheck {
    public struct Report: Sendable {
        public var ok: Bool
        public var text: String
    }

    /// Where logs go; a folder per line for scripts/install-service.sh (which creates it for the
    /// service's user and lets the service write there); logs.json's problems as warnings, which
    /// do not fail the check (the gateway starts with the rest of logs.json).
    static func logLines(directory: String, environment: [String: String]) -> [String] {
        let logs = LogsConfiguration.read(directory: directory, environment: environment)
        let routing = LogRouting(configuration: logs, override: nil)
        let files = routing.filePaths
        let console = !logs.isPresent || routing.attachedHandlers.contains {
            $0.destination == .standardOutput || $0.destination == .standardError
        }
        let destinations = files + (console ? ["the console"] : [])
        var lines = ["logs: " + (destinations.isEmpty ? "nowhere (no logger of logs.json has a console or file handler)"
                                                       : files.isEmpty ? "console only" : destinations.joined(separator: ", "))]
        let workingDirectory = FileManager.default.currentDirectoryPath
        let folders = Set(files.map { path -> String in
            let absolute = path.hasPrefix("/") ? path : (workingDirectory as NSString).appendingPathComponent(path)
            return ((absolute as NSString).deletingLastPathComponent as NSString).standardizingPath
        })
        lines += folders.sorted().map { "log folder: \($0)" }
        lines += logs.problems.map { "WARNING logs.json: \($0)" }
        return lines
    }

    public static func run(directory: String, environment: [String: String]) -> Report {
        var lines = ["configuration directory: \(directory)"]
        let loaded: LoadedConfiguration
        do {
            loaded = try GatewayConfiguration.load(directory: directory, environment: environment)
        } catch {
            return Report(ok: false, text: (lines + ["ERROR \(error)"]).joined(separator: "\n"))
        }
        var ok = true
        let settings = loaded.configuration.thingsboard
        lines.append("ThingsBoard: \(settings.host):\(settings.port) (\(settings.tls ? "TLS" : "plain TCP"), QoS \(settings.qos), auth \(settings.security.typeName)\(settings.provisioning != nil ? ", provisioning configured" : ""))")
        for certificate in settings.watchedCertificates {
            let (line, usable) = CertificateExpiryWatch.summary(of: certificate, warnWithinDays: settings.certificateDaysLeft)
            lines.append(line)
            ok = ok && usable
        }
        do {
            let storage = try StorageConfiguration(json: loaded.configuration.storage, file: loaded.configuration.mainFile)
            lines.append("storage: \(storage.typeName) (\(storage.readPackSize) events per pack)")
            // Read by scripts/install-service.sh, which lets the service write there.
            if let folder = storage.folder(baseDirectory: FileManager.default.currentDirectoryPath) {
                lines.append("storage folder: \(folder)")
            }
        } catch {
            ok = false
            lines.append("ERROR storage: \(error)")
        }
        lines += logLines(directory: directory, environment: environment)
        lines.append("connectors: \(loaded.connectors.count)")
        for entry in loaded.connectors {
            if let error = entry.error {
                ok = false
                lines.append("  ERROR \(entry.name) (\(entry.type.isEmpty ? "?" : entry.type), \(entry.file)): \(error)")
                continue
            }
            guard let factory = ConnectorRegistry.factory(for: entry.type) else {
                // Not an error of the configuration: the gateway starts and runs the others (a
                // migrated folder may hold connectors of types, or custom `class` connectors, this
                // gateway does not have), so an install is not refused for it.
                lines.append("  SKIP  \(entry.name) (\(entry.type), \(entry.file)): type \"\(entry.type)\" is not built in (available: \(ConnectorRegistry.knownTypes.joined(separator: ", "))); the gateway runs without it")
                continue
            }
            let setup = ConnectorSetup(identity: ConnectorIdentity(name: entry.name, type: entry.type, id: entry.id),
                                       configuration: entry.document ?? .null, configurationFile: entry.file,
                                       context: NoGateway(), logger: .init(label: "check"))
            do {
                _ = try entry.rootReportStrategy()
                let connector = try factory.make(setup)
                let devices = entry.document?["devices"]?.arrayValue?.count
                lines.append("  OK    \(entry.name) (\(entry.type), \(entry.file))\(devices.map { ", \($0) device entries" } ?? "")")
                // Runs, but without these parts: not an error, and not to be found out later.
                lines += connector.configurationWarnings.map { "  WARNING \(entry.name): \($0)" }
            } catch {
                ok = false
                lines.append("  ERROR \(entry.name) (\(entry.type), \(entry.file)): \(error)")
            }
        }
        lines.append(ok ? "configuration OK" : "configuration has errors")
        return Report(ok: ok, text: lines.joined(separator: "\n"))
    }

    /// Connectors are only built, never run, during a check.
    struct NoGateway: GatewayContext {
        func send(_ data: ConvertedData, from connector: ConnectorIdentity) async -> SendOutcome { .rejected("configuration check") }
    }
}
