import GatewayKit
import Logging

extension ConnectorEntry {
    /// The connector's logger: records carry its name, and the `logLevel` of its file (the
    /// reference's per-connector level, e.g. "DEBUG" for one connector under investigation)
    /// replaces the gateway's level for it. Without one, the gateway's level.
    var logger: Logger {
        var logger = Logger(label: "connector")
        logger[metadataKey: "connector"] = "\(name)"
        if let level = configuredLogLevel { logger.logLevel = level }
        return logger
    }

    /// Its converter's logger (the reference's `<name>_converter`): the same level, its own file
    /// beside the `converter` logger's file.
    var converterLogger: Logger {
        var logger = Logger(label: "converter")
        logger[metadataKey: "connector"] = "\(name)"
        if let level = configuredLogLevel { logger.logLevel = level }
        return logger
    }

    /// `logLevel` of the connector file; `NONE` keeps only critical records.
    var configuredLogLevel: Logger.Level? {
        guard let text = document?["logLevel"]?.stringValue else { return nil }
        if text.uppercased() == "NONE" { return .critical }
        return GatewayOptions.logLevel(named: text)
    }

    /// With `enableRemoteLogging` true, the connector's records at its level go to ThingsBoard
    /// as `<name>_LOGS`, whatever `RemoteLoggingLevel` says (as the reference's per-connector
    /// handler); nil: they do not.
    var remoteLogLevel: Logger.Level? {
        guard document?["enableRemoteLogging"]?.boolValue == true else { return nil }
        return configuredLogLevel ?? .info
    }
}
