import Expressions
import GatewayKit

/// Where a device name or profile comes from (`deviceInfo.deviceNameExpressionSource`, ...):
/// a value expression over the message, a regex over the topic, or a constant.
public struct MQTTDeviceExpression: Sendable, Equatable, CustomStringConvertible {
    public enum Source: String, Sendable, Equatable, CaseIterable {
        case message, topic, constant
    }

    /// As configured; nil when the config names no source (the bytes converter ignores it).
    public let source: Source?
    public let expression: String
    private let evaluator: Evaluator

    /// Compiled once at config load.
    private enum Evaluator: Sendable {
        case value(ValueExpression)
        case topic(TopicExpression)
        case bytes(ByteSliceExpression)
        case constant(String)
    }

    /// For JSON messages. A missing source is inferred: `message` when the expression has a
    /// `${...}` placeholder, else `constant`. A `constant` with placeholders is filled from the
    /// message too, as the reference treats `constant` and `message` alike (`"Dev-${id}"` → `Dev-7`).
    init(jsonSource source: Source?, expression: String) throws(ExpressionError) {
        self.source = source
        self.expression = expression
        let hasPlaceholder = expression.contains("${")
        switch source ?? (hasPlaceholder ? .message : .constant) {
        case .message: evaluator = .value(try ValueExpression(expression))
        case .topic: evaluator = .topic(try TopicExpression(expression))
        case .constant: evaluator = hasPlaceholder ? .value(try ValueExpression(expression)) : .constant(expression)
        }
    }

    /// For raw payloads (the bytes converter): `[a:b]` slices of the payload unless the source is
    /// `topic` or `constant`.
    init(bytesSource source: Source?, expression: String) throws(ExpressionError) {
        self.source = source
        self.expression = expression
        switch source {
        case .topic?: evaluator = .topic(try TopicExpression(expression))
        case .constant?: evaluator = .constant(expression)
        case .message?, nil: evaluator = .bytes(try ByteSliceExpression(expression))
        }
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.source == rhs.source && lhs.expression == rhs.expression
    }

    public var description: String { "\(source?.rawValue ?? "message"):\(expression)" }

    /// The text for one JSON message, or nil when the expression finds nothing (or finds "").
    func evaluate(topic: String, message: JSONValue) -> String? {
        switch evaluator {
        case .value(let expression): return expression.evaluate(in: message).flatMap(Self.text)
        case .topic(let expression): return nonEmpty(expression.evaluate(topic: topic))
        case .constant(let text): return nonEmpty(text)
        case .bytes: return nil
        }
    }

    /// The text for one raw payload, or nil when it finds nothing.
    func evaluate(topic: String, payload: [UInt8]) -> String? {
        switch evaluator {
        case .bytes(let expression): return nonEmpty(expression.evaluate(payload, hexMode: false))
        case .topic(let expression): return nonEmpty(expression.evaluate(topic: topic))
        case .constant(let text): return nonEmpty(text)
        case .value: return nil
        }
    }

    private func nonEmpty(_ text: String?) -> String? {
        guard let text, !text.isEmpty else { return nil }
        return text
    }

    /// A found value as a name, the way the reference's `str()` prints it (numbers as digits,
    /// booleans as True/False, floats and containers as Python writes them); null and "" are
    /// "not found".
    static func text(_ value: JSONValue) -> String? {
        switch value {
        case .null: return nil
        case .string(let text): return text.isEmpty ? nil : text
        default: return PythonText.str(value)
        }
    }
}
