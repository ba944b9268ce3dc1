import GatewayKit

/// One `${...}` of an expression, compiled: how the reference's `TBUtility.get_value` finds it.
/// First the first whitespace-separated word of the placeholder is looked up as a top-level key
/// of the message (so `${a.b}` finds a top-level key literally named "a.b"), then the whole text
/// is evaluated as a path.
struct Placeholder: Sendable, Equatable {
    /// The text between `${` and `}`.
    let text: String
    let topLevelKey: String?
    let path: JSONPath

    init(_ text: String) throws(ExpressionError) {
        guard !text.trimmingSpaces.isEmpty else {
            throw ExpressionError(expression: "${\(text)}", reason: "empty placeholder")
        }
        self.text = text
        self.topLevelKey = text.split(whereSeparator: \.isWhitespace).first.map(String.init)
        self.path = try JSONPath(parsing: text)
    }

    /// The value in `message`; `.null` when the key holds null, nil when nothing matches.
    func lookup(in message: JSONValue) -> JSONValue? {
        if let topLevelKey, case .object(let object) = message, let value = object[topLevelKey] {
            return value
        }
        return path.first(in: message)
    }
}

/// A text with `${...}` placeholders, split once into literal runs and placeholders.
struct TemplateParts: Sendable, Equatable {
    enum Part: Sendable, Equatable {
        case text(String)
        case placeholder(Placeholder)
    }

    let parts: [Part]

    init(_ source: String) throws(ExpressionError) {
        var parts: [Part] = []
        var literal = ""
        var rest = Substring(source)
        while let start = rest.firstRange(of: "${") {
            literal += rest[..<start.lowerBound]
            let afterOpen = rest[start.upperBound...]
            guard let close = afterOpen.firstIndex(of: "}") else {
                throw ExpressionError(expression: source, reason: "\"${\" without a closing \"}\"")
            }
            if !literal.isEmpty {
                parts.append(.text(literal))
                literal = ""
            }
            let inner = String(afterOpen[..<close])
            do {
                parts.append(.placeholder(try Placeholder(inner)))
            } catch {
                throw ExpressionError(expression: source, reason: error.reason)
            }
            rest = afterOpen[afterOpen.index(after: close)...]
        }
        literal += rest
        if !literal.isEmpty { parts.append(.text(literal)) }
        self.parts = parts
    }
}
