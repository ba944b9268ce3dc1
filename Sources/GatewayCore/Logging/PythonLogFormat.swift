import Foundation

/// A record as the Python gateway's formatters see it: what a `%(...)` field of logs.json can name.
struct PythonLogRecord {
    var time: Date
    var level: PythonLogLevel
    var loggerName: String
    var message: String
    var file: String
    var function: String
    var line: UInt
}

/// A `logging.Formatter` of logs.json (`format` with `%(field)s` placeholders, `datefmt` for
/// `asctime`), compiled once when the configuration is read, so a record is rendered without
/// parsing the format again.
struct PythonLogFormat: Sendable, Equatable {
    private enum Piece: Sendable, Equatable {
        case text(String)
        case field(Field, Spec)
    }

    private enum Field: String, Sendable {
        case asctime, msecs, created, relativeCreated, levelname, levelno, name, message, msg, filename, module,
             funcName, lineno, pathname, process, processName, thread, threadName, taskName
    }

    /// `%-8s`, `%03d`, `%.3f`: flags, width and precision of one placeholder.
    private struct Spec: Sendable, Equatable {
        var leftAligned = false
        var zeroPadded = false
        var width = 0
        var precision: Int?
        var conversion: Character = "s"
    }

    private let pieces: [Piece]
    private let dateFormat: String?

    /// Python's `logging.Formatter()` without arguments: the message alone.
    static let messageOnly = PythonLogFormat(pieces: [.field(.message, Spec())], dateFormat: nil)

    private init(pieces: [Piece], dateFormat: String?) {
        self.pieces = pieces
        self.dateFormat = dateFormat
    }

    /// Throws a description of the first placeholder this gateway cannot fill.
    init(format: String, dateFormat: String?) throws(PythonLogFormatError) {
        var pieces: [Piece] = []
        var text = ""
        var index = format.startIndex
        while index < format.endIndex {
            let character = format[index]
            index = format.index(after: index)
            guard character == "%" else { text.append(character); continue }
            guard index < format.endIndex else { throw .init(reason: "a lone % at the end") }
            if format[index] == "%" { text.append("%"); index = format.index(after: index); continue }
            guard format[index] == "(", let close = format[index...].firstIndex(of: ")") else {
                throw .init(reason: "a % that is not followed by (field)")
            }
            let name = String(format[format.index(after: index)..<close])
            guard let field = Field(rawValue: name) else { throw .init(reason: "unknown field %(\(name))") }
            index = format.index(after: close)
            var spec = Spec()
            while index < format.endIndex, "-0 +#".contains(format[index]) {
                if format[index] == "-" { spec.leftAligned = true }
                if format[index] == "0" { spec.zeroPadded = true }
                index = format.index(after: index)
            }
            spec.width = Self.number(in: format, at: &index) ?? 0
            if index < format.endIndex, format[index] == "." {
                index = format.index(after: index)
                spec.precision = Self.number(in: format, at: &index) ?? 0
            }
            guard index < format.endIndex, "sdifrxXeEgG".contains(format[index]) else {
                throw .init(reason: "%(\(name)) without a conversion such as s or d")
            }
            spec.conversion = format[index]
            index = format.index(after: index)
            if !text.isEmpty { pieces.append(.text(text)); text = "" }
            pieces.append(.field(field, spec))
        }
        if !text.isEmpty { pieces.append(.text(text)) }
        self.init(pieces: pieces, dateFormat: dateFormat)
    }

    private static func number(in text: String, at index: inout String.Index) -> Int? {
        var digits = ""
        while index < text.endIndex, let digit = text[index].wholeNumberValue, digit < 10 {
            digits.append(text[index])
            index = text.index(after: index)
        }
        return Int(digits)
    }

    func render(_ record: PythonLogRecord) -> String {
        var line = ""
        for piece in pieces {
            switch piece {
            case .text(let text): line += text
            case .field(let field, let spec): line += Self.apply(spec, to: value(of: field, in: record))
            }
        }
        return line
    }

    private enum Value {
        case text(String)
        case integer(Int64)
        case real(Double)
    }

    private func value(of field: Field, in record: PythonLogRecord) -> Value {
        let seconds = record.time.timeIntervalSince1970
        switch field {
        case .asctime:
            // Python's default: "2026-11-24 06:15:00,123"; with datefmt, strftime alone.
            guard let dateFormat else {
                return .text(Strftime.format("%Y-%m-%d %H:%M:%S", seconds) + "," + Self.milliseconds(seconds))
            }
            return .text(Strftime.format(dateFormat, seconds))
        case .msecs: return .integer(Int64((seconds - seconds.rounded(.down)) * 1000))
        case .created: return .real(seconds)
        case .relativeCreated: return .real((seconds - ProcessStart.seconds) * 1000)
        case .levelname: return .text(record.level.name)
        case .levelno: return .integer(Int64(record.level.number))
        case .name: return .text(record.loggerName)
        case .message, .msg: return .text(record.message)
        case .filename: return .text((record.file as NSString).lastPathComponent)
        case .module: return .text(((record.file as NSString).lastPathComponent as NSString).deletingPathExtension)
        case .funcName: return .text(record.function)
        case .lineno: return .integer(Int64(record.line))
        case .pathname: return .text(record.file)
        case .process: return .integer(Int64(getpid()))
        case .processName: return .text("MainProcess")
        case .thread: return .integer(Self.threadID())
        case .threadName, .taskName: return .text(Thread.current.name.flatMap { $0.isEmpty ? nil : $0 } ?? "Thread-\(Self.threadID())")
        }
    }

    /// Python's `threading.get_ident()`: the pthread handle.
    private static func threadID() -> Int64 { Int64(truncatingIfNeeded: UInt(pthread_self())) }

    private static func milliseconds(_ seconds: Double) -> String {
        let value = Int((seconds - seconds.rounded(.down)) * 1000)
        return value < 10 ? "00\(value)" : value < 100 ? "0\(value)" : "\(value)"
    }

    private static func apply(_ spec: Spec, to value: Value) -> String {
        var text: String
        switch (spec.conversion, value) {
        case ("d", .integer(let number)), ("i", .integer(let number)): text = String(number)
        case ("d", .real(let number)), ("i", .real(let number)): text = String(Int64(number))
        case ("x", .integer(let number)): text = String(number, radix: 16)
        case ("X", .integer(let number)): text = String(number, radix: 16).uppercased()
        case ("f", .real(let number)), ("e", .real(let number)), ("g", .real(let number)):
            text = String(format: "%.\(spec.precision ?? 6)\(spec.conversion)", number)
        case ("f", .integer(let number)):
            text = String(format: "%.\(spec.precision ?? 6)f", Double(number))
        case ("r", .text(let string)):
            text = "'" + string + "'"  // repr() of a str
            if let precision = spec.precision { text = String(text.prefix(precision)) }
        case (_, .text(let string)):
            text = spec.precision.map { String(string.prefix($0)) } ?? string
        case (_, .integer(let number)): text = String(number)
        case (_, .real(let number)): text = String(number)
        }
        guard text.count < spec.width else { return text }
        let padding = spec.width - text.count
        if spec.leftAligned { return text + String(repeating: " ", count: padding) }
        if spec.zeroPadded, spec.conversion != "s" {
            let negative = text.hasPrefix("-")
            let digits = negative ? String(text.dropFirst()) : text
            return (negative ? "-" : "") + String(repeating: "0", count: padding) + digits
        }
        return String(repeating: " ", count: padding) + text
    }
}

struct PythonLogFormatError: Error, Equatable {
    var reason: String
}

/// The process start, for `%(relativeCreated)`.
enum ProcessStart {
    static let seconds = Date().timeIntervalSince1970
}
