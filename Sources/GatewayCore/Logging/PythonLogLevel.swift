import GatewayKit
import Logging

/// A level as Python logging numbers it (logs.json may give `"INFO"` or `20`; 0 lets everything
/// through), with the reference's TRACE (5) below DEBUG.
struct PythonLogLevel: Sendable, Equatable, Comparable {
    var number: Int

    static let all = PythonLogLevel(number: 0)
    static let trace = PythonLogLevel(number: 5)
    static let debug = PythonLogLevel(number: 10)
    static let info = PythonLogLevel(number: 20)
    static let warning = PythonLogLevel(number: 30)
    static let error = PythonLogLevel(number: 40)
    static let critical = PythonLogLevel(number: 50)

    init(number: Int) { self.number = number }

    init(_ level: Logger.Level) {
        switch level {
        case .trace: number = 5
        case .debug: number = 10
        case .info: number = 20
        case .notice: number = 25
        case .warning: number = 30
        case .error: number = 40
        case .critical: number = 50
        }
    }

    /// `"DEBUG"`, `"warning"`, `10`, `"10"`; `"NOTSET"` is 0. Nil for anything else.
    init?(json: JSONValue) {
        if let number = json.intValue { self.init(number: Int(number)); return }
        guard let text = json.stringValue else { return nil }
        if let number = Int(text) { self.init(number: number); return }
        switch text.uppercased() {
        case "NOTSET": self = .all
        case "TRACE": self = .trace
        case "DEBUG": self = .debug
        case "INFO": self = .info
        case "WARNING", "WARN": self = .warning
        case "ERROR": self = .error
        case "CRITICAL", "FATAL": self = .critical
        case "NONE": self = PythonLogLevel(number: 100)
        default: return nil
        }
    }

    /// The swift-log level a logger needs so that no record this level lets through is dropped early.
    var swiftLevel: Logger.Level {
        switch number {
        case ...5: return .trace
        case ...10: return .debug
        case ...20: return .info
        case ...25: return .notice
        case ...30: return .warning
        case ...40: return .error
        default: return .critical
        }
    }

    /// `%(levelname)s`: Python's names (notice, which Python has not, shows as INFO).
    var name: String {
        switch number {
        case ...5: return "TRACE"
        case ...10: return "DEBUG"
        case ...29: return "INFO"
        case ...39: return "WARNING"
        case ...49: return "ERROR"
        default: return "CRITICAL"
        }
    }

    static func < (lhs: PythonLogLevel, rhs: PythonLogLevel) -> Bool { lhs.number < rhs.number }
}
