import Foundation
import GatewayKit

/// logs.json as this gateway applies it: the part of Python logging's `dictConfig` a gateway's logs
/// use. Loggers with their levels, handlers and `propagate`; console handlers (`StreamHandler`) and
/// file handlers (`FileHandler`, `RotatingFileHandler`, `TimedRotatingFileHandler` and the
/// reference's own class, with its `TB_GW_LOGS_PATH` and file-name rules); formatters with `%(...)`
/// fields. A handler or formatter this gateway cannot apply is left out with a problem reported
/// at start-up: a logs.json never stops the gateway, as in the reference.
public struct LogsConfiguration: Sendable {
    struct Handler: Sendable {
        enum Destination: Sendable, Equatable {
            case standardOutput, standardError
            case file(LogFileSettings)
        }

        var destination: Destination
        var level: PythonLogLevel
        var format: PythonLogFormat
        /// The reference's own `TimedRotatingFileHandler`: connectors' files are made like it.
        var isReferenceClass = false
    }

    struct LoggerSettings: Sendable {
        var level: PythonLogLevel?
        var handlers: [String]
        var propagate: Bool
    }

    /// False without a logs.json (or with one that is not JSON): records go to standard error only,
    /// in swift-log's format, at INFO.
    var isPresent: Bool
    var handlers: [String: Handler] = [:]
    var loggers: [String: LoggerSettings] = [:]
    /// Python's root logger: WARNING and no handler unless logs.json says otherwise.
    var root = LoggerSettings(level: .warning, handlers: [], propagate: false)
    /// What was left out, and why, one line each ("handler syslog: class … is not supported").
    public internal(set) var problems: [String] = []

    static let absent = LogsConfiguration(isPresent: false)

    private init(isPresent: Bool) { self.isPresent = isPresent }

    /// Reads `<directory>/logs.json`; a missing or unreadable file gives `absent` (with a problem
    /// when it exists but is not JSON).
    static func read(directory: String, environment: [String: String]) -> LogsConfiguration {
        let file = (directory as NSString).appendingPathComponent("logs.json")
        guard let data = FileManager.default.contents(atPath: file) else { return .absent }
        guard let document = try? JSONValue.parse(Array(data)), document.objectValue != nil else {
            var configuration = LogsConfiguration.absent
            configuration.problems = ["logs.json is not a JSON object: logs go to standard error at INFO"]
            return configuration
        }
        return LogsConfiguration(document: document, environment: environment)
    }

    init(document: JSONValue, environment: [String: String]) {
        isPresent = true
        var formats: [String: PythonLogFormat] = [:]
        for (name, formatter) in document["formatters"]?.objectValue ?? [:] {
            let text = formatter["format"]?.stringValue ?? formatter["fmt"]?.stringValue ?? "%(message)s"
            if let style = formatter["style"]?.stringValue, style != "%" {
                problems.append("formatter \(name): style \"\(style)\" is not supported (only %-style); the message alone is written")
                continue
            }
            do {
                formats[name] = try PythonLogFormat(format: text, dateFormat: formatter["datefmt"]?.stringValue)
            } catch {
                problems.append("formatter \(name): \(error.reason); the message alone is written")
            }
        }
        for (name, handler) in document["handlers"]?.objectValue ?? [:] {
            do throws(PythonLogFormatError) {
                guard let destination = try Self.destination(of: handler, environment: environment) else {
                    discardedHandlers.insert(name)
                    continue
                }
                var level = PythonLogLevel.all
                if let value = handler["level"] {
                    guard let parsed = PythonLogLevel(json: value) else {
                        throw .init(reason: "level \(value.jsonString) is not a level such as \"INFO\" or 20")
                    }
                    level = parsed
                }
                let format = handler["formatter"]?.stringValue.flatMap { formats[$0] } ?? .messageOnly
                let className = handler["class"]?.stringValue ?? ""
                handlers[name] = Handler(destination: destination, level: level, format: format,
                                         isReferenceClass: className.hasPrefix("thingsboard_gateway.")
                                             && className.hasSuffix("TimedRotatingFileHandler"))
            } catch {
                problems.append("handler \(name): \(error.reason); left out")
            }
        }
        for (name, logger) in document["loggers"]?.objectValue ?? [:] {
            loggers[name] = settings(of: logger, name: "logger \(name)", propagateByDefault: true)
        }
        if let rootLogger = document["root"] {
            root = settings(of: rootLogger, name: "root", propagateByDefault: false)
            root.level = root.level ?? .warning
        }
    }

    private mutating func settings(of logger: JSONValue, name: String, propagateByDefault: Bool) -> LoggerSettings {
        var level: PythonLogLevel?
        if let value = logger["level"] {
            level = PythonLogLevel(json: value)
            if level == nil { problems.append("\(name): level \(value.jsonString) is not a level such as \"INFO\"; its parent's level applies") }
        }
        let names = (logger["handlers"]?.arrayValue ?? []).compactMap(\.stringValue)
        for missing in names where handlers[missing] == nil && !discardedHandlers.contains(missing) {
            problems.append("\(name): handler \(missing) is not defined or was left out")
        }
        return LoggerSettings(level: level, handlers: names.filter { handlers[$0] != nil },
                              propagate: logger["propagate"]?.boolValue ?? propagateByDefault)
    }

    /// Handlers whose class writes nothing (`NullHandler`): loggers may name them without a problem.
    private var discardedHandlers: Set<String> = []

    /// Nil for a handler that writes nothing by design (`logging.NullHandler`).
    private static func destination(of handler: JSONValue, environment: [String: String]) throws(PythonLogFormatError)
        -> Handler.Destination? {
        let className = handler["class"]?.stringValue ?? ""
        let shortName = className.split(separator: ".").last.map(String.init) ?? className
        switch shortName {
        case "NullHandler":
            return nil
        case "StreamHandler":
            return handler["stream"]?.stringValue == "ext://sys.stdout" ? .standardOutput : .standardError
        case "FileHandler", "WatchedFileHandler", "RotatingFileHandler", "TimedRotatingFileHandler":
            guard var path = handler["filename"]?.stringValue, !path.isEmpty else {
                throw .init(reason: "no \"filename\"")
            }
            if className.hasPrefix("thingsboard_gateway.") {
                path = referenceFilePath(path, logsFolder: environment["TB_GW_LOGS_PATH"])
            }
            let backupCount = Int(handler["backupCount"]?.intValue ?? 0)
            let maxBytes = Int(handler["maxBytes"]?.intValue ?? 0)
            switch shortName {
            case "RotatingFileHandler":
                var settings = LogFileSettings(path: path, rotation: .size(maxBytes: maxBytes, backupCount: backupCount))
                // As Python: with maxBytes the mode is always "a".
                settings.truncatesAtStart = maxBytes == 0 && handler["mode"]?.stringValue?.hasPrefix("w") == true
                return .file(settings)
            case "TimedRotatingFileHandler":
                let schedule = try LogRotationSchedule(when: handler["when"]?.stringValue ?? "h",
                                                       interval: Int(handler["interval"]?.intValue ?? 1),
                                                       utc: handler["utc"]?.boolValue ?? false)
                return .file(LogFileSettings(path: path, rotation: .time(schedule, backupCount: backupCount,
                                                                          maxBytes: maxBytes)))
            default:
                // Python opens with `mode` ("a" unless told; "w" empties the file at start).
                var settings = LogFileSettings(path: path, rotation: .none)
                settings.reopensWhenMoved = shortName == "WatchedFileHandler"
                settings.truncatesAtStart = handler["mode"]?.stringValue?.hasPrefix("w") == true
                return .file(settings)
            }
        default:
            throw .init(reason: "class \"\(className)\" is not supported (console and file handlers are)")
        }
    }

    /// The reference's handler class renames the file to snake case (`MyConnector.log` →
    /// `my_connector.log`) and, with `TB_GW_LOGS_PATH`, puts it in that folder.
    static func referenceFilePath(_ path: String, logsFolder: String?) -> String {
        let original = (path as NSString).lastPathComponent
        let renamed = snakeCase(original.replacingOccurrences(of: ".log", with: "")) + ".log"
        if let logsFolder, !logsFolder.isEmpty { return logsFolder + "/" + renamed }
        return path.replacingOccurrences(of: original, with: renamed)
    }

    /// The reference's `to_snake_case`, on code points with its ASCII classes: runs of white space
    /// and dashes become `_`, an ASCII capital after `[a-z0-9]` gets a `_` before it, then lower
    /// case, only `[A-Za-z0-9_]` kept, no repeated or outer `_`.
    static func snakeCase(_ name: String) -> String {
        func isLowerOrDigit(_ scalar: Unicode.Scalar) -> Bool { ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) }
        var spaced: [Unicode.Scalar] = []
        var inDelimiterRun = false
        for scalar in name.unicodeScalars {
            let isDelimiter = scalar.properties.isWhitespace || scalar == "-"
            if !isDelimiter || !inDelimiterRun { spaced.append(isDelimiter ? "_" : scalar) }
            inDelimiterRun = isDelimiter
        }
        var result = ""
        var previous: Unicode.Scalar?
        for scalar in spaced {
            if ("A"..."Z").contains(scalar), let previous, isLowerOrDigit(previous) { result.append("_") }
            result.unicodeScalars.append(contentsOf: String(scalar).lowercased().unicodeScalars)
            previous = scalar
        }
        var cleaned = ""
        for scalar in result.unicodeScalars where scalar.isASCII && (scalar.properties.isAlphabetic || isLowerOrDigit(scalar) || scalar == "_") {
            if scalar == "_", cleaned.unicodeScalars.last == "_" { continue }
            cleaned.unicodeScalars.append(scalar)
        }
        return String(cleaned.drop { $0 == "_" }.reversed().drop { $0 == "_" }.reversed())
    }
}
