import Foundation

/// strftime as Python's `time.strftime(format, time.localtime(t))` (or `gmtime` for UTC): log
/// timestamps (`datefmt`) and the names of rotated log files.
enum Strftime {
    static func format(_ pattern: String, _ seconds: Double, utc: Bool = false) -> String {
        var time = time_t(seconds.rounded(.down))
        var parts = tm()
        if utc { gmtime_r(&time, &parts) } else { localtime_r(&time, &parts) }
        var buffer = [CChar](repeating: 0, count: 256)
        let count = strftime(&buffer, buffer.count, pattern, &parts)
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
