import GatewayKit

/// One entry of a converter's `attributes` or `timeseries` list:
/// `{"type", "key", "value", "tsField", "dayfirst", "yearfirst", "keySource", "reportStrategy"}`,
/// or the string `"*"` (every top-level field of the message), compiled once.
public struct DatapointMapping: Sendable {
    public enum Key: Sendable {
        /// `keySource: "message"` (default): a value expression rendered as text.
        case message(ValueExpression)
        /// `keySource: "topic"`: a regular expression searched in the topic.
        case topic(TopicExpression)
    }

    public struct Timestamp: Sendable {
        /// The `tsField` path (the text inside `${...}`, or the whole text without `${`).
        let path: Placeholder?
        /// The key searched for when the path finds nothing: the last dotted part of the path,
        /// looked for anywhere in the message, as the reference does.
        public let fieldName: String
        public let dayFirst: Bool
        public let yearFirst: Bool
    }

    public enum Kind: Sendable {
        /// `"*"`: every top-level field of the message.
        case everyField
        case entry(Entry)
    }

    /// One configured key. A class so that reading it for every message is one reference
    /// count, not a copy of each field (that copy was ≈2 % of the MQTT connector's CPU).
    public final class Entry: Sendable {
        public let key: Key
        public let value: ValueExpression
        public let type: ValueType
        public let typeName: String
        public let timestamp: Timestamp?
        public let reportStrategy: ReportStrategy?

        init(key: Key, value: ValueExpression, type: ValueType, typeName: String, timestamp: Timestamp?,
             reportStrategy: ReportStrategy?) {
            self.key = key
            self.value = value
            self.type = type
            self.typeName = typeName
            self.timestamp = timestamp
            self.reportStrategy = reportStrategy
        }
    }

    public let kind: Kind

    public static let everyField = DatapointMapping(kind: .everyField)

    init(kind: Kind) { self.kind = kind }

    /// Parses one entry object. Errors name the key path (e.g. `mapping[0].converter.timeseries[2].value`).
    public init(_ reader: ConfigReader) throws(ConfigError) {
        let typeName = try reader.string("type", nonEmpty: true) ?? "string"
        let keySource = try reader.choice("keySource", of: ["message", "topic"], default: "message")
        let keyText = try Self.text(reader, "key")
        let valueText = try Self.text(reader, "value")
        let key: Key
        do {
            key = keySource == "topic" ? .topic(try TopicExpression(keyText)) : .message(try ValueExpression(keyText))
        } catch {
            throw reader.failure("key", expected: "a valid \(keySource == "topic" ? "topic" : "key") expression (\(error.reason))",
                                 found: .string(keyText))
        }
        let value: ValueExpression
        do {
            value = try ValueExpression(valueText)
        } catch {
            throw reader.failure("value", expected: "a valid value expression (\(error.reason))", found: .string(valueText))
        }
        var timestamp: Timestamp?
        if let tsField = try reader.string("tsField", nonEmpty: true) {
            let tag = Self.tsFieldTag(tsField)
            timestamp = Timestamp(path: try? Placeholder(tag),
                                  fieldName: String(tag.split(separator: ".", omittingEmptySubsequences: false).last ?? ""),
                                  dayFirst: try reader.bool("dayfirst", default: false),
                                  yearFirst: try reader.bool("yearfirst", default: false))
        }
        let reportStrategy = try ReportStrategy.parse(in: reader)
        kind = .entry(Entry(key: key, value: value, type: ValueType(configName: typeName), typeName: typeName,
                            timestamp: timestamp, reportStrategy: reportStrategy))
    }

    /// Parses a whole `attributes`/`timeseries` setting at `key` of `reader`: absent → empty,
    /// the string "*" → every field, else a list of entry objects and "*" strings.
    public static func list(_ key: String, in reader: ConfigReader) throws(ConfigError) -> [DatapointMapping] {
        guard let value = reader.value(key) else { return [] }
        switch value {
        case .string("*"):
            return [.everyField]
        case .array(let elements):
            var mappings: [DatapointMapping] = []
            for (index, element) in elements.enumerated() {
                if case .string("*") = element {
                    mappings.append(.everyField)
                } else {
                    mappings.append(try DatapointMapping(ConfigReader(element, file: reader.file,
                                                                      path: "\(reader.keyPath(key))[\(index)]")))
                }
            }
            return mappings
        default:
            throw reader.failure(key, expected: "a list of datapoint entries or \"*\"", found: value)
        }
    }

    /// `key`/`value` are strings in every reference config; a number or boolean written there is
    /// taken as its text, as the reference's string handling would.
    private static func text(_ reader: ConfigReader, _ key: String) throws(ConfigError) -> String {
        switch reader.value(key) {
        case .string(let text)?: return text
        case .int(let number)?: return String(number)
        case .uint(let number)?: return String(number)
        case .double(let number)?: return PythonText.floatRepr(number)
        case .bool(let flag)?: return flag ? "True" : "False"
        case nil: throw reader.failure(key, expected: "a string (expression)", found: nil)
        case let other?: throw reader.failure(key, expected: "a string (expression)", found: other)
        }
    }

    /// The text inside `${...}` (from the first `${` to the last `}`), or the whole text.
    static func tsFieldTag(_ expression: String) -> String {
        if let open = expression.firstRange(of: "${"), let close = expression.lastIndex(of: "}"), open.upperBound <= close {
            return String(expression[open.upperBound..<close])
        }
        return expression
    }
}
