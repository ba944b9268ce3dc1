import Foundation
import Logging

/// The gateway's log handler: each record goes to the handlers logs.json gives its logger
/// (`LogRouting`; without a logs.json, standard error in swift-log's format) and to the remote sink.
///
/// It keeps the logger's metadata itself and formats it only with a record: `StreamLogHandler`
/// formats its metadata on every change, and libraries change it per request (Hummingbird sets a
/// request id on every HTTP request's logger), which cost a few per cent of the REST connector's
/// CPU while nearly nothing is logged.
struct GatewayLogHandler: LogHandler {
    private let label: String
    private let routing: LogRouting
    private let outputs: [LogRouting.Output]
    private let loggerName: String
    /// Records of a connector or its converter (metadata `connector`) go to the connector's own outputs.
    private let routesConnectorRecords: Bool
    private var stream: StreamLogHandler
    var metadata: Logger.Metadata = [:]

    init(label: String, routing: LogRouting) {
        self.label = label
        self.routing = routing
        let name = LogRouting.loggerName(forLabel: label)
        loggerName = name ?? label
        routesConnectorRecords = name == "connector" || name == "converter"
        outputs = routing.outputs(forLabel: label)
        stream = StreamLogHandler.standardError(label: label)
        stream.logLevel = routing.level(forLabel: label)
    }

    var logLevel: Logger.Level {
        get { stream.logLevel }
        set { stream.logLevel = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var record = event
        if !metadata.isEmpty {
            // The record's own metadata wins over the logger's, as in StreamLogHandler.
            record.metadata = metadata.merging(event.metadata ?? [:]) { _, explicit in explicit }
        }
        let connector = record.metadata?["connector"].map { "\($0)" }
        let targets = routesConnectorRecords && connector != nil
            ? routing.outputs(forConnector: connector!, logger: loggerName) : outputs
        let level = PythonLogLevel(event.level)
        var pythonRecords: [Bool: PythonLogRecord] = [:]  // by "in the connector's own file"
        for output in targets where level >= output.level {
            guard let format = output.format else {
                stream.log(event: record)
                continue
            }
            let pythonRecord = pythonRecords[output.isConnectorFile] ?? makePythonRecord(
                record, connector: connector, showsConnector: !output.isConnectorFile)
            pythonRecords[output.isConnectorFile] = pythonRecord
            let line = format.render(pythonRecord)
            switch output.sink {
            case .standardOutput: Self.write(line, to: STDOUT_FILENO)
            case .standardError: Self.write(line, to: STDERR_FILENO)
            case .file(let file): file.append(line)
            }
        }
        RemoteLogSink.shared.note(level: event.level, label: label, connector: connector, message: "\(event.message)")
    }

    /// The message with the metadata in front, as swift-log's own format puts it (`[key=value] text`;
    /// the Python gateway has no metadata, its messages spell such values out). A connector's own
    /// file leaves out which connector it is.
    private func makePythonRecord(_ record: LogEvent, connector: String?, showsConnector: Bool) -> PythonLogRecord {
        var message = "\(record.message)"
        let pairs = (record.metadata ?? [:]).filter { showsConnector || $0.key != "connector" }
            .sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        if !pairs.isEmpty { message = "[\(pairs.joined(separator: " "))] " + message }
        // %(funcName)s: the name alone, as Python's (`run`, not `run(_:)`).
        let function = record.function.split(separator: "(", maxSplits: 1).first.map(String.init) ?? record.function
        return PythonLogRecord(time: Date(), level: PythonLogLevel(record.level), loggerName: pythonLoggerName(connector: connector),
                               message: message, file: record.file, function: function, line: record.line)
    }

    /// %(name)s as the reference's: a connector's logger is named after it, its converter's
    /// `<name>_converter`.
    private func pythonLoggerName(connector: String?) -> String {
        guard let connector else { return loggerName }
        return loggerName == "converter" ? connector + "_converter" : connector
    }

    /// One `write` per line, so lines of different threads never mix.
    private static func write(_ line: String, to descriptor: Int32) {
        var bytes = Array(line.utf8)
        bytes.append(0x0A)
        _ = bytes.withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress, $0.count) }
    }
}
