import Foundation
import Logging
import Synchronization

/// Which handlers of logs.json a record reaches, as Python logging would route it: the gateway's
/// loggers carry the reference's logger names (`service`, `tb_connection`, `storage`,
/// `connector`), a logger writes to its handlers and, with `propagate`, to the root's; a record
/// passes a handler at or above that handler's level.
///
/// A connector's records go, as in the reference, to a file of their own beside the `connector`
/// logger's file (`MQTT Broker Connector` → `mqtt_broker_connector_connector.log`, same rotation
/// and format), and to the root's handlers; its converter's records likewise beside the
/// `converter` logger's file (`mqtt_broker_connector_converter.log`).
final class LogRouting: Sendable {
    struct Output: Sendable {
        enum Sink: Sendable {
            case standardOutput, standardError
            case file(LogFile)
        }

        var sink: Sink
        var level: PythonLogLevel
        /// Nil: swift-log's own line (no logs.json).
        var format: PythonLogFormat?
        /// A connector's own file: its lines need not name the connector.
        var isConnectorFile = false
    }

    let configuration: LogsConfiguration
    private let override: Logger.Level?
    private let filesByHandler: [String: LogFile]
    private let connectorFiles = Mutex<[String: LogFile]>([:])

    /// `override`: the command line's `--log-level`, which replaces every logger's level.
    init(configuration: LogsConfiguration, override: Logger.Level?) {
        self.configuration = configuration
        self.override = override
        _ = ProcessStart.seconds  // %(relativeCreated) counts from here
        var byPath: [String: LogFile] = [:]
        var byHandler: [String: LogFile] = [:]
        for (name, handler) in configuration.handlers {
            guard case .file(let settings) = handler.destination else { continue }
            // Two handlers naming one file share it, so their lines never interleave mid-line.
            let file = byPath[settings.path] ?? LogFile(settings: settings)
            byPath[settings.path] = file
            byHandler[name] = file
        }
        filesByHandler = byHandler
    }

    /// Standard error, swift-log's format, INFO (or the command line's level): no logs.json.
    static func standard(override: Logger.Level?) -> LogRouting {
        LogRouting(configuration: .absent, override: override)
    }

    /// The reference's logger for a label of this gateway; nil: the root logger (libraries).
    static func loggerName(forLabel label: String) -> String? {
        switch label {
        case "service", "gateway", "lifecycle": return "service"
        case "tb_connection", "uplink": return "tb_connection"
        case "storage": return "storage"
        case "connector", "request": return "connector"
        case "converter": return "converter"
        default:
            let connectorLibraries = ["opcua", "modbus", "mqtt", "socket", "rest"]
            return connectorLibraries.contains { label.hasPrefix($0) } ? "connector" : nil
        }
    }

    /// The level a logger with this label starts with.
    func level(forLabel label: String) -> Logger.Level {
        if let override { return override }
        guard configuration.isPresent else { return .info }
        return effectiveLevel(of: Self.loggerName(forLabel: label)).swiftLevel
    }

    private func effectiveLevel(of loggerName: String?) -> PythonLogLevel {
        if let loggerName, let level = configuration.loggers[loggerName]?.level, level.number > 0 { return level }
        return configuration.root.level ?? .warning
    }

    func outputs(forLabel label: String) -> [Output] {
        guard configuration.isPresent else { return [Output(sink: .standardError, level: .all, format: nil)] }
        guard let name = Self.loggerName(forLabel: label), let logger = configuration.loggers[name] else {
            return outputs(of: configuration.root.handlers)
        }
        return outputs(of: logger.handlers + (logger.propagate ? configuration.root.handlers : []))
    }

    /// A connector's records (`logger` "connector") or its converter's ("converter"): a file of
    /// their own and the root's handlers. As the reference, the file is made like that logger's
    /// file handler of the reference's class (same folder, rotation and format; no level of its
    /// own), named after the connector and the logger; without such a handler, no file.
    func outputs(forConnector connector: String, logger loggerName: String = "connector") -> [Output] {
        guard configuration.isPresent else { return [Output(sink: .standardError, level: .all, format: nil)] }
        var result: [Output] = []
        let template = configuration.loggers[loggerName]?.handlers.lazy
            .compactMap { name -> (LogsConfiguration.Handler, LogFileSettings)? in
                guard let handler = self.configuration.handlers[name], handler.isReferenceClass,
                      case .file(let settings) = handler.destination else { return nil }
                return (handler, settings)
            }.first
        if let (handler, settings) = template {
            let folder = (settings.path as NSString).deletingLastPathComponent
            let name = LogsConfiguration.snakeCase(connector + "_" + loggerName) + ".log"
            let path = folder.isEmpty ? name : (folder as NSString).appendingPathComponent(name)
            // By path: two connector names that snake-case alike share one file, and its lock.
            let file = connectorFiles.withLock { files in
                if let file = files[path] { return file }
                let file = LogFile(settings: LogFileSettings(path: path, rotation: settings.rotation))
                files[path] = file
                return file
            }
            result.append(Output(sink: .file(file), level: .all, format: handler.format, isConnectorFile: true))
        }
        return result + outputs(of: configuration.root.handlers)
    }

    /// Handlers some logger (or the root) writes to.
    var attachedHandlers: [LogsConfiguration.Handler] {
        let names = Set(configuration.loggers.values.flatMap(\.handlers) + configuration.root.handlers)
        return names.compactMap { configuration.handlers[$0] }
    }

    /// Files this configuration writes (for `check-config`), connectors' files aside.
    var filePaths: [String] {
        Set(attachedHandlers.compactMap { handler -> String? in
            guard case .file(let settings) = handler.destination else { return nil }
            return settings.path
        }).sorted()
    }

    private func outputs(of handlerNames: [String]) -> [Output] {
        var seen: Set<String> = []
        var result: [Output] = []
        for name in handlerNames where seen.insert(name).inserted {
            guard let handler = configuration.handlers[name] else { continue }
            // `--log-level debug` is asked for to see debug records: a handler's own level (the
            // shipped console handler's INFO) does not hide them.
            let level = override.map { min(handler.level, PythonLogLevel($0)) } ?? handler.level
            switch handler.destination {
            case .standardOutput: result.append(Output(sink: .standardOutput, level: level, format: handler.format))
            case .standardError: result.append(Output(sink: .standardError, level: level, format: handler.format))
            case .file:
                guard let file = filesByHandler[name] else { continue }
                result.append(Output(sink: .file(file), level: level, format: handler.format))
            }
        }
        return result
    }
}
