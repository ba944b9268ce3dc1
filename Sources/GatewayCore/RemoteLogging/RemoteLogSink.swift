import Foundation
import GatewayKit
import Logging
import Synchronization

/// Where log records go besides standard error when ThingsBoard asked for them with the shared
/// attribute `RemoteLoggingLevel` (reference §1.10), and the per-logger error counters behind
/// `<logger>_ERRORS_COUNT`. Logging never waits for it: records beyond the bounded queue are
/// dropped (and counted), as the reference's queue of 1000 drops them.
final class RemoteLogSink: Sendable {
    struct Record: Sendable {
        var ts: Int64
        /// The telemetry key: SERVICE_LOGS, CONNECTION_LOGS, STORAGE_LOGS, EXTENSION_LOGS or
        /// `<connector name>_LOGS`.
        var key: String
        var line: String
        /// Core loggers' records are also sent as `LOGS`, as the reference's do; a connector's
        /// only under its own key.
        var alsoAsLOGS: Bool
    }

    static let shared = RemoteLogSink()
    static let queueCapacity = 1000

    private let level = Mutex<Logger.Level?>(nil)
    /// Connectors whose file has `enableRemoteLogging` true, with the level their records are
    /// sent from.
    private let connectorLevels = Mutex<[String: Logger.Level]>([:])
    private let errors = Mutex<[String: Int64]>([:])
    private let dropped = Atomic<Int>(0)
    let records: AsyncStream<Record>
    private let queue: AsyncStream<Record>.Continuation

    /// One per process (`shared`); tests make their own.
    init() {
        (records, queue) = AsyncStream.makeStream(of: Record.self, bufferingPolicy: .bufferingNewest(Self.queueCapacity))
    }

    /// nil: remote logging off (`NONE`).
    var remoteLevel: Logger.Level? {
        get { level.withLock { $0 } }
        set { level.withLock { $0 = newValue } }
    }

    /// A connector's `enableRemoteLogging` (nil: off) as its file says, set when it starts.
    func setConnectorLogging(_ connector: String, level: Logger.Level?) {
        connectorLevels.withLock { $0[connector] = level }
    }

    /// Called by the log handler for every record at or above the local level. The gateway's
    /// own loggers go to ThingsBoard from `RemoteLoggingLevel` on; a connector's from its own
    /// level when its file enables remote logging, as the reference does.
    func note(level recordLevel: Logger.Level, label: String, connector: String?, message: String) {
        if recordLevel >= .error {
            let name = Self.counterName(label: label, connector: connector)
            errors.withLock { $0[name, default: 0] += 1 }
        }
        let isConnector = label == "connector" || label == "converter"
        let threshold = isConnector ? connector.flatMap { name in connectorLevels.withLock { $0[name] } } : level.withLock { $0 }
        guard let threshold, recordLevel >= threshold else { return }
        guard let key = Self.key(label: label, connector: connector) else { return }
        let ts = WallClock.milliseconds()
        let line = "\(Self.timestamp(ts)) - |\(Self.pythonName(recordLevel))| - [\(label)] - \(message)"
        if case .dropped = queue.yield(Record(ts: ts, key: key, line: line, alsoAsLOGS: !isConnector)) {
            dropped.add(1, ordering: .relaxed)
        }
    }

    /// The error counters since the last reset, by logger name.
    func errorCounts() -> [String: Int64] { errors.withLock { $0 } }
    func resetErrorCounts() { errors.withLock { $0 = [:] } }

    static func key(label: String, connector: String?) -> String? {
        switch label {
        case "service", "gateway": return "SERVICE_LOGS"
        case "tb_connection", "uplink": return "CONNECTION_LOGS"
        case "storage": return "STORAGE_LOGS"
        case "extension": return "EXTENSION_LOGS"
        case "connector": return connector.map { "\($0)_LOGS" }
        // The reference's converter logger is `<name>_converter`, so its key is that + `_LOGS`.
        case "converter": return connector.map { "\($0)_converter_LOGS" }
        default: return nil
        }
    }

    static func counterName(label: String, connector: String?) -> String {
        // A converter's errors count as its connector's (the reference's `attr_name`).
        if label == "connector" || label == "converter", let connector { return connector }
        return label
    }

    /// `RemoteLoggingLevel` values: NONE|CRITICAL|ERROR|WARNING|INFO|DEBUG|TRACE.
    static func parseLevel(_ text: String) -> Logger.Level?? {
        switch text.uppercased() {
        case "NONE": return .some(nil)
        case "CRITICAL": return .some(.critical)
        case "ERROR": return .some(.error)
        case "WARNING", "WARN": return .some(.warning)
        case "INFO": return .some(.info)
        case "DEBUG": return .some(.debug)
        case "TRACE": return .some(.trace)
        default: return nil
        }
    }

    static func pythonName(_ level: Logger.Level) -> String {
        switch level {
        case .trace: "TRACE"
        case .debug: "DEBUG"
        case .info, .notice: "INFO"
        case .warning: "WARNING"
        case .error: "ERROR"
        case .critical: "CRITICAL"
        }
    }

    /// "2026-11-21 23:43:12,123", the Python logging default.
    static func timestamp(_ ms: Int64) -> String {
        var seconds = time_t(ms / 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(format: "%04d-%02d-%02d %02d:%02d:%02d,%03d", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday,
                      parts.tm_hour, parts.tm_min, parts.tm_sec, Int(ms % 1000))
    }
}
