import Logging

/// The gateway's log handler: standard error as before, plus the remote sink.
///
/// It keeps the logger's metadata itself and hands it to `StreamLogHandler` only with a record:
/// `StreamLogHandler` formats its metadata on every change, and libraries change it per request
/// (Hummingbird sets a request id on every HTTP request's logger), which cost a few per cent of
/// the REST connector's CPU while nearly nothing is logged.
struct GatewayLogHandler: LogHandler {
    private var stream: StreamLogHandler
    private let label: String
    var metadata: Logger.Metadata = [:]

    init(label: String, level: Logger.Level) {
        self.label = label
        stream = StreamLogHandler.standardError(label: label)
        stream.logLevel = level
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
        stream.log(event: record)
        let connector = record.metadata?["connector"].map { "\($0)" }
        RemoteLogSink.shared.note(level: event.level, label: label, connector: connector, message: "\(event.message)")
    }
}
