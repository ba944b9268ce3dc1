import Expressions
import GatewayKit

/// A device name or profile of `converter.deviceInfo`: `deviceNameExpressionSource: "request"`
/// (a value expression over the request data, e.g. `${sensorName}` or `${vendor}-${id}`) or
/// `"constant"`. Compiled once at config load.
public struct RESTDeviceExpression: Sendable, CustomStringConvertible {
    public enum Source: String, Sendable {
        case request, constant
    }

    public let source: Source
    public let expression: String
    private let compiled: ValueExpression?

    /// `source` nil: inferred as the reference's old-config adapter does (`request` when the text
    /// has a `${...}` placeholder, else `constant`). "message" is taken as "request".
    init(source: Source?, expression: String) throws(ExpressionError) {
        let resolved = source ?? (expression.contains("${") ? .request : .constant)
        self.source = resolved
        self.expression = expression
        compiled = try resolved == .request ? ValueExpression(expression) : nil
    }

    public var description: String { "\(source.rawValue):\(expression)" }

    /// The text for one record; nil when a placeholder finds nothing (or the result is empty).
    func evaluate(in record: JSONValue) -> String? {
        guard let compiled else { return expression.isEmpty ? nil : expression }
        guard let text = compiled.text(in: record, keepingUnresolved: false), !text.isEmpty else { return nil }
        return text
    }

    /// Parses `deviceInfo.<prefix>Expression` / `<prefix>ExpressionSource` of `deviceInfo`.
    static func parse(_ deviceInfo: ConfigReader, prefix: String) throws(ConfigError) -> RESTDeviceExpression? {
        let key = prefix + "Expression"
        guard let text = try deviceInfo.string(key, nonEmpty: true) else { return nil }
        let sourceKey = key + "Source"
        var source: Source?
        if let name = try deviceInfo.string(sourceKey) {
            switch name {
            case "request", "message": source = .request
            case "constant": source = .constant
            default:
                throw deviceInfo.failure(sourceKey, expected: "one of \"request\", \"constant\"", found: .string(name))
            }
        }
        do {
            return try RESTDeviceExpression(source: source, expression: text)
        } catch {
            throw deviceInfo.failure(key, expected: "a valid expression (\(error.reason))", found: .string(text))
        }
    }
}
