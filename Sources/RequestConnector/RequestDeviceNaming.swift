import Expressions
import GatewayKit

/// How a mapping names its device and profile. Both spellings of the reference are read:
/// the old `deviceNameJsonExpression` / `deviceTypeJsonExpression`, and the newer
/// `deviceInfo {deviceNameExpressionSource, deviceNameExpression, deviceProfileExpressionSource,
/// deviceProfileExpression}` (source `constant`: the text as it is; `request`/`message`: an
/// expression over the answer).
public struct RequestDeviceNaming: Sendable {
    enum Source: Sendable {
        case constant(String)
        case expression(ValueExpression)
    }

    let name: Source
    let type: Source

    /// `converter` is the mapping's `converter` object.
    public init(_ converter: ConfigReader) throws(ConfigError) {
        if let deviceInfo = try converter.child("deviceInfo") {
            name = try Self.source(deviceInfo, expressionKey: "deviceNameExpression",
                                   sourceKey: "deviceNameExpressionSource", default: nil)
            type = try Self.source(deviceInfo, expressionKey: "deviceProfileExpression",
                                   sourceKey: "deviceProfileExpressionSource", default: "default")
        } else {
            name = try Self.source(converter, expressionKey: "deviceNameJsonExpression", sourceKey: nil, default: nil)
            type = try Self.source(converter, expressionKey: "deviceTypeJsonExpression", sourceKey: nil, default: "default")
        }
    }

    /// The device name in `record`; placeholders that find nothing stay as written (the
    /// reference's fallback), so a broken expression shows up as an odd device name, not lost data.
    public func deviceName(in record: JSONValue?) -> String { Self.text(name, record) }

    public func deviceType(in record: JSONValue?) -> String { Self.text(type, record) }

    private static func text(_ source: Source, _ record: JSONValue?) -> String {
        switch source {
        case .constant(let text): return text
        case .expression(let expression):
            return expression.text(in: record ?? .null, keepingUnresolved: true) ?? expression.source
        }
    }

    private static func source(_ reader: ConfigReader, expressionKey: String, sourceKey: String?,
                               default fallback: String?) throws(ConfigError) -> Source {
        guard let text = try reader.string(expressionKey, nonEmpty: true) else {
            if let fallback { return .constant(fallback) }
            throw reader.failure(expressionKey, expected: "a device name expression such as \"${serial}\"", found: nil)
        }
        if let sourceKey, try reader.string(sourceKey, nonEmpty: true)?.lowercased() == "constant" {
            return .constant(text)
        }
        do {
            return .expression(try ValueExpression(text))
        } catch {
            throw reader.failure(expressionKey, expected: "a valid expression (\(error.reason))", found: .string(text))
        }
    }
}
