import GatewayKit

/// A value expression of a converter config, compiled once at config load:
/// - `"${temp}"`, `"${sensor.readings[0].v}"`, `"${Temperature Reading}"`: one placeholder;
///   evaluates to the JSON value found, typed as in the message;
/// - `"${vendor}-${id}"`: a text template; evaluates to the text with each placeholder replaced
///   by the value's Python `str()` (as the reference does);
/// - `"literal"` (no `${`): a constant.
public struct ValueExpression: Sendable, Equatable {
    enum Form: Sendable, Equatable {
        case literal(String)
        case single(Placeholder)
        case template(TemplateParts)
    }

    public let source: String
    let form: Form

    public init(_ source: String) throws(ExpressionError) {
        self.source = source
        let template = try TemplateParts(source)
        if template.parts.count == 1, case .placeholder(let placeholder) = template.parts[0] {
            form = .single(placeholder)
        } else if template.parts.contains(where: { if case .placeholder = $0 { return true } else { return false } }) {
            form = .template(template)
        } else {
            form = .literal(source)
        }
    }

    /// True when the expression has no placeholder.
    public var isConstant: Bool {
        if case .literal = form { return true }
        return false
    }

    /// The texts inside the placeholders, in order (`"${a}-${b.c}"` → `["a", "b.c"]`).
    public var placeholders: [String] {
        switch form {
        case .literal: return []
        case .single(let placeholder): return [placeholder.text]
        case .template(let template):
            return template.parts.compactMap { if case .placeholder(let p) = $0 { return p.text } else { return nil } }
        }
    }

    /// Single placeholder: the JSON value found, typed as in the message (`.null` when the
    /// message holds null). Template: the substituted string (.string), nil if any placeholder is
    /// unresolved or null. Literal: .string(literal).
    public func evaluate(in message: JSONValue) -> JSONValue? {
        switch form {
        case .literal(let text): return .string(text)
        case .single(let placeholder): return placeholder.lookup(in: message)
        case .template: return text(in: message, keepingUnresolved: false).map(JSONValue.string)
        }
    }

    /// The expression as text: each placeholder replaced by the Python `str()` of its value.
    /// An unresolved (or null) placeholder makes the result nil, or, with `keepingUnresolved`,
    /// stays in the text as written — the reference's fallback for device names and profiles.
    public func text(in message: JSONValue, keepingUnresolved: Bool) -> String? {
        switch form {
        case .literal(let text): return text
        case .single(let placeholder):
            if let value = placeholder.lookup(in: message), !value.isNull { return PythonText.str(value) }
            return keepingUnresolved ? source : nil
        case .template(let template):
            var out = ""
            for part in template.parts {
                switch part {
                case .text(let text): out += text
                case .placeholder(let placeholder):
                    if let value = placeholder.lookup(in: message), !value.isNull {
                        out += PythonText.str(value)
                    } else if keepingUnresolved {
                        out += "${" + placeholder.text + "}"
                    } else {
                        return nil
                    }
                }
            }
            return out
        }
    }

    public static func == (lhs: ValueExpression, rhs: ValueExpression) -> Bool { lhs.source == rhs.source }
}
