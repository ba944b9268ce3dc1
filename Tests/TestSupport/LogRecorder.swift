import Logging
import Synchronization

/// Keeps the messages logged through its loggers, so a test can check what a user would read in
/// one logger's output (the converter's file, say) and not in another's.
public final class LogRecorder: Sendable {
    private let recorded = Mutex<[String]>([])

    public init() {}

    /// Everything logged so far, as "LEVEL message [key=value ...]" (the logger's metadata and the
    /// record's, sorted by key).
    public var lines: [String] { recorded.withLock { $0 } }

    /// A logger (level trace) whose records land here.
    public func logger(_ label: String) -> Logger {
        Logger(label: label) { _ in Handler(recorder: self) }
    }

    fileprivate func append(_ line: String) { recorded.withLock { $0.append(line) } }

    private struct Handler: LogHandler {
        let recorder: LogRecorder
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let merged = metadata.merging(event.metadata ?? [:]) { $1 }
            let fields = merged.keys.sorted().map { "\($0)=\(merged[$0]!)" }.joined(separator: " ")
            recorder.append("\(event.level.rawValue.uppercased()) \(event.message)" + (fields.isEmpty ? "" : " [\(fields)]"))
        }
    }
}
