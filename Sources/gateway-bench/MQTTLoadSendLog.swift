import Foundation

/// Wall-clock time in microseconds since the epoch (CLOCK_REALTIME, the clock Python's
/// `time.time()` reads), so publish times compare directly with the sink's arrival times.
@inline(__always)
func wallClockMicroseconds() -> Int64 {
    var now = timespec()
    clock_gettime(CLOCK_REALTIME, &now)
    return Int64(now.tv_sec) * 1_000_000 + Int64(now.tv_nsec) / 1_000
}

/// Publish times of one publisher (a closed-loop worker or the open-loop pacer), appended without
/// locks; the logs of all publishers are merged once at the end.
struct MQTTLoadSendRecords: Sendable {
    /// Flat pairs (sequence number, publish µs) — one allocation that grows, no per-entry objects.
    private(set) var flat: [Int64] = []

    init(reserving count: Int = 0) { flat.reserveCapacity(count * 2) }

    @inline(__always)
    mutating func append(sequence: Int, microseconds: Int64) {
        flat.append(Int64(sequence))
        flat.append(microseconds)
    }

    var count: Int { flat.count / 2 }
}

/// The `--send-log` file: one line per published message, `<seq> <publish time, µs since epoch>`,
/// ordered by sequence number. Plain text so any script can join it with the sink's arrivals.
enum MQTTLoadSendLog {
    static func write(_ parts: [MQTTLoadSendRecords], to path: String) throws {
        var pairs: [(sequence: Int64, microseconds: Int64)] = []
        pairs.reserveCapacity(parts.reduce(0) { $0 + $1.count })
        for part in parts {
            var index = 0
            while index < part.flat.count {
                pairs.append((part.flat[index], part.flat[index + 1]))
                index += 2
            }
        }
        pairs.sort { $0.sequence < $1.sequence }
        var text: [UInt8] = []
        text.reserveCapacity(pairs.count * 26)
        for pair in pairs {
            text.append(contentsOf: String(pair.sequence).utf8)
            text.append(UInt8(ascii: " "))
            text.append(contentsOf: String(pair.microseconds).utf8)
            text.append(UInt8(ascii: "\n"))
        }
        guard FileManager.default.createFile(atPath: path, contents: Data(text)) else {
            throw BenchError("cannot write the send log \(path)")
        }
    }
}
