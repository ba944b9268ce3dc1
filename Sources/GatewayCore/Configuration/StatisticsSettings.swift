import Foundation
import GatewayKit

/// `thingsboard.statistics` (reference §1.11): the gateway's periodic statistics telemetry and
/// the custom statistics commands.
public struct StatisticsSettings: Sendable, Equatable {
    public var enabled = false
    /// Seconds between statistics messages (at least 10).
    public var sendPeriodSeconds = 60
    public var customEnabled = false
    public var customSendPeriodSeconds = 300
    /// The custom commands file (`configuration`, e.g. "statistics.json"), resolved in the config directory.
    public var commandsFile: String?

    public init() {}

    init(_ section: ConfigReader, directory: String) throws(ConfigError) {
        enabled = try section.bool("enable", default: true)
        sendPeriodSeconds = max(10, try section.int("statsSendPeriodInSeconds", default: 60, in: 1...86_400))
        customEnabled = try section.bool("enableCustom", default: false)
        customSendPeriodSeconds = try section.int("customStatsSendPeriodInSeconds", default: 300, in: 1...604_800)
        commandsFile = try section.string("configuration").map {
            $0.hasPrefix("/") ? $0 : (directory as NSString).appendingPathComponent($0)
        }
    }
}

/// One custom statistics command (`statistics.json`): its output becomes gateway telemetry
/// under `attributeOnGateway`.
public struct CustomStatisticsCommand: Sendable, Equatable {
    public var key: String
    /// argv; a command given as one string runs with `/bin/sh -c`.
    public var arguments: [String]
    public var timeoutSeconds: Double

    static func load(file: String) throws(ConfigError) -> [CustomStatisticsCommand] {
        let name = (file as NSString).lastPathComponent
        guard let data = FileManager.default.contents(atPath: file) else {
            throw ConfigError(file: name, keyPath: "", expected: "a list of statistics commands", found: "no such file")
        }
        let document: JSONValue
        do {
            document = try JSONValue.parse(Array(data))
        } catch {
            throw ConfigError(file: name, keyPath: "", expected: "valid JSON", found: "\(error)")
        }
        guard case .array(let items) = document else {
            throw ConfigError(file: name, keyPath: "", expected: "a list of statistics commands", found: document.kindName)
        }
        var commands: [CustomStatisticsCommand] = []
        for (index, item) in items.enumerated() {
            let reader = try ConfigReader(item, file: name, path: "[\(index)]")
            let key = try reader.string("attributeOnGateway", default: nil)
            let arguments: [String]
            switch reader.value("command") {
            case .string(let line)?: arguments = ["/bin/sh", "-c", line]
            case .array(let list)? where !list.isEmpty && list.allSatisfy({ $0.stringValue != nil }):
                arguments = list.compactMap(\.stringValue)
            default:
                throw reader.failure("command", expected: "a shell command string or a list of arguments",
                                     found: reader.value("command"))
            }
            commands.append(CustomStatisticsCommand(key: key, arguments: arguments,
                                                    timeoutSeconds: try reader.number("timeout", default: 10, positive: true)))
        }
        return commands
    }
}
