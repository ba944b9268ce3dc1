import Expressions
import GatewayKit

/// Which attributes an `attributeRequests` message asks for (`attributeNameExpressionSource` +
/// `attributeNameExpression`), compiled once at config load.
///
/// As the reference's `get_values`: every `${...}` of the expression is looked up in the JSON
/// message on its own (`"${first}, ${second}"` asks for two attributes; text between the
/// placeholders is ignored), placeholders finding nothing are left out, and an expression without
/// a placeholder is the one attribute name. Source `topic`: a regex searched in the topic (last
/// capture group, else the whole match) names one attribute.
struct MQTTAttributeNames: Sendable {
    private enum Kind: Sendable {
        case placeholders([ValueExpression])
        case constant(String)
        case topic(TopicExpression)
    }

    private let kind: Kind

    init(source: MQTTDeviceExpression.Source, expression: String) throws(ExpressionError) {
        if source == .topic {
            kind = .topic(try TopicExpression(expression))
            return
        }
        let placeholders = try ValueExpression(expression).placeholders
        if placeholders.isEmpty {
            kind = .constant(expression)
        } else {
            var expressions: [ValueExpression] = []
            for placeholder in placeholders {
                expressions.append(try ValueExpression("${" + placeholder + "}"))
            }
            kind = .placeholders(expressions)
        }
    }

    /// True when `names` reads the JSON payload (so it must be parsed).
    var readsMessage: Bool {
        if case .placeholders = kind { return true }
        return false
    }

    /// The attribute names asked for, in expression order; empty when none is found.
    func names(topic: String, message: JSONValue?) -> [String] {
        switch kind {
        case .constant(let name):
            return [name]
        case .topic(let expression):
            return expression.evaluate(topic: topic).flatMap { $0.isEmpty ? nil : [$0] } ?? []
        case .placeholders(let expressions):
            guard let message else { return [] }
            return expressions.compactMap { $0.evaluate(in: message).flatMap(MQTTDeviceExpression.text) }
        }
    }
}
