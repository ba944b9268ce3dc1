import Foundation
import Logging

/// What the command line decided, before the configuration is read.
public struct GatewayOptions: Sendable {
    public var configDirectory: String
    public var environment: [String: String]
    public var hostOverride: String?
    public var portOverride: Int?
    public var accessTokenOverride: String?
    public var logLevel: Logger.Level?
    /// Seconds a graceful stop may take (flushing storage) before the process exits anyway.
    public var shutdownTimeout: Duration

    public init(configDirectory: String, environment: [String: String], hostOverride: String? = nil,
                portOverride: Int? = nil, accessTokenOverride: String? = nil, logLevel: Logger.Level? = nil,
                shutdownTimeout: Duration = .seconds(10)) {
        self.configDirectory = configDirectory
        self.environment = environment
        self.hostOverride = hostOverride
        self.portOverride = portOverride
        self.accessTokenOverride = accessTokenOverride
        self.logLevel = logLevel
        self.shutdownTimeout = shutdownTimeout
    }

    /// `--config DIR`, else `TB_GW_CONFIG_DIR`, else `./config`, else (no such folder) the Python
    /// gateway's `/etc/thingsboard-gateway/config`, so `iot-gateway` run by hand on a migrated
    /// machine finds its configuration.
    public static func resolveConfigDirectory(_ explicit: String?, environment: [String: String],
                                              exists: (String) -> Bool = { FileManager.default.fileExists(atPath: $0) }) -> String {
        if let explicit, !explicit.isEmpty { return explicit }
        if let fromEnvironment = environment["TB_GW_CONFIG_DIR"], !fromEnvironment.isEmpty { return fromEnvironment }
        if !exists("./config"), exists(pythonGatewayConfigDirectory) { return pythonGatewayConfigDirectory }
        return "./config"
    }

    public static let pythonGatewayConfigDirectory = "/etc/thingsboard-gateway/config"

    /// Accepts swift-log names and the Python logging names of logs.json (WARNING, CRITICAL, TRACE...).
    public static func logLevel(named text: String) -> Logger.Level? {
        switch text.lowercased() {
        case "trace": return .trace
        case "debug": return .debug
        case "info": return .info
        case "notice": return .notice
        case "warning", "warn": return .warning
        case "error": return .error
        case "critical", "fatal": return .critical
        default: return nil
        }
    }
}
