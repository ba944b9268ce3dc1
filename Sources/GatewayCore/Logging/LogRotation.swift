import Foundation

/// Where a file handler of logs.json writes and when it starts a new file: the rules of Python's
/// `FileHandler`, `RotatingFileHandler` and `TimedRotatingFileHandler` (with the reference's
/// `maxBytes` extension), so a migrated logs.json keeps the files, names and number of backups
/// the Python gateway kept.
struct LogFileSettings: Sendable, Equatable {
    enum Rotation: Sendable, Equatable {
        /// `logging.FileHandler`: one file that grows.
        case none
        /// `RotatingFileHandler`: `service.log.1` … `.<backupCount>`, newest first.
        case size(maxBytes: Int, backupCount: Int)
        /// `TimedRotatingFileHandler`: `service.log.<start of the period>`; the reference's class
        /// also starts a new file at `maxBytes` (archives then stamped to the second, `.1`, `.2` on a clash).
        case time(LogRotationSchedule, backupCount: Int, maxBytes: Int)
    }

    var path: String
    var rotation: Rotation
    /// `WatchedFileHandler`: the file is opened again when something else (logrotate) moved or removed it.
    var reopensWhenMoved = false
    /// `"mode": "w"`: the file is emptied when the gateway starts, not appended to.
    var truncatesAtStart = false
}

/// `when` and `interval` of a `TimedRotatingFileHandler`.
struct LogRotationSchedule: Sendable, Equatable {
    enum Unit: Sendable, Equatable {
        case seconds, minutes, hours, days, midnight
        case weekday(Int)  // W0 (Monday) … W6
    }

    var unit: Unit
    /// Seconds between two rollovers (`interval` × the unit).
    var period: Double
    var utc: Bool

    /// Python's `when` ("S", "M", "H", "D", "midnight", "W0"…"W6", any case).
    init(when: String, interval: Int, utc: Bool) throws(PythonLogFormatError) {
        let multiple = Double(max(interval, 1))
        self.utc = utc
        switch when.uppercased() {
        case "S": unit = .seconds; period = multiple
        case "M": unit = .minutes; period = 60 * multiple
        case "H": unit = .hours; period = 3600 * multiple
        case "D": unit = .days; period = 86_400 * multiple
        case "MIDNIGHT": unit = .midnight; period = 86_400 * multiple
        case let text where text.count == 2 && text.hasPrefix("W"):
            guard let day = Int(text.dropFirst()), (0...6).contains(day) else {
                throw .init(reason: "when \"\(when)\" names no weekday (W0 is Monday … W6 Sunday)")
            }
            unit = .weekday(day); period = 7 * 86_400
        default:
            throw .init(reason: "when \"\(when)\" is not one of S, M, H, D, midnight, W0…W6")
        }
    }

    /// strftime pattern of an archive's name (`service.log.2026-11-24`).
    var suffixFormat: String {
        switch unit {
        case .seconds: return "%Y-%m-%d_%H-%M-%S"
        case .minutes: return "%Y-%m-%d_%H-%M"
        case .hours: return "%Y-%m-%d_%H"
        case .days, .midnight, .weekday: return "%Y-%m-%d"
        }
    }

    /// The first rollover after `time` (Python's `computeRollover`): a period later, or for
    /// midnight and weekdays the next midnight (of that weekday, as Python counts it). Midnights are
    /// the calendar's, so a day of 23 or 25 hours around a daylight-saving change ends at midnight too.
    func firstRollover(after time: Double) -> Double {
        switch unit {
        case .seconds, .minutes, .hours, .days:
            return time + period
        case .midnight, .weekday:
            var seconds = time_t(time.rounded(.down))
            var parts = tm()
            if utc { gmtime_r(&seconds, &parts) } else { localtime_r(&seconds, &parts) }
            var days = 1
            if case .weekday(let day) = unit {
                // tm_wday counts from Sunday, Python's weekday() from Monday. As Python: on the day
                // itself the coming midnight, else the midnight that ends that weekday.
                let today = (Int(parts.tm_wday) + 6) % 7
                if today != day { days += today < day ? day - today : 6 - today + day + 1 }
            }
            parts.tm_mday += Int32(days)
            parts.tm_hour = 0
            parts.tm_min = 0
            parts.tm_sec = 0
            parts.tm_isdst = -1
            return Double(utc ? timegm(&parts) : mktime(&parts))
        }
    }

    /// The rollover after one that happened at `now`: never in the past.
    func nextRollover(now: Double) -> Double {
        var next = firstRollover(after: now)
        while next <= now { next += period }
        return next
    }

    /// The stamp of the archive written at `now` for the rollover due at `rolloverAt`: as Python,
    /// the start of the period it holds (`rolloverAt` − the period), an hour moved when daylight
    /// saving differs between then and now, so a day's archive carries that day's date.
    func archiveStamp(rolloverAt: Double, now: Double, secondsFormat: Bool) -> String {
        let format = secondsFormat ? "%Y-%m-%d_%H-%M-%S" : suffixFormat
        var start = rolloverAt - period
        if !utc {
            let daylightNow = Self.isDaylightSaving(now)
            if daylightNow != Self.isDaylightSaving(start) { start += daylightNow ? 3600 : -3600 }
        }
        return Strftime.format(format, start, utc: utc)
    }

    private static func isDaylightSaving(_ time: Double) -> Bool {
        var seconds = time_t(time.rounded(.down))
        var parts = tm()
        localtime_r(&seconds, &parts)
        return parts.tm_isdst > 0
    }
}

/// Archive names of a rotated file, for deleting the oldest beyond `backupCount`.
enum LogArchives {
    /// Archives of `base` in its folder: `base.<stamp>` or `base.<stamp>.<n>` whose stamp has the
    /// shape of `format` (digits where strftime puts numbers), oldest first.
    static func timed(base: String, format: String) -> [String] {
        let folder = (base as NSString).deletingLastPathComponent
        let prefix = (base as NSString).lastPathComponent + "."
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.isEmpty ? "." : folder)) ?? []
        let shape = stampShape(format)
        var found: [(stamp: String, index: Int, name: String)] = []
        for name in names where name.hasPrefix(prefix) {
            let rest = name.dropFirst(prefix.count)
            let stamp = rest.prefix(shape.count)
            guard stamp.count == shape.count, zip(stamp, shape).allSatisfy(matches) else { continue }
            let tail = rest.dropFirst(shape.count)
            var index = 0
            if !tail.isEmpty {
                guard tail.first == ".", let number = Int(tail.dropFirst()), number > 0 else { continue }
                index = number
            }
            found.append((String(stamp), index, name))
        }
        found.sort { ($0.stamp, $0.index) < ($1.stamp, $1.index) }
        return found.map { (folder as NSString).appendingPathComponent($0.name) }
    }

    /// "%Y-%m-%d" → "dddd-dd-dd" (d: a digit).
    private static func stampShape(_ format: String) -> [Character] {
        var shape: [Character] = []
        var escaped = false
        for character in format {
            if escaped {
                shape += character == "Y" ? Array("dddd") : Array("dd")
                escaped = false
            } else if character == "%" {
                escaped = true
            } else {
                shape.append(character)
            }
        }
        return shape
    }

    private static func matches(_ pair: (Character, Character)) -> Bool {
        pair.1 == "d" ? pair.0.isASCII && pair.0.isNumber : pair.0 == pair.1
    }
}
