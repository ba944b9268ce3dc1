/// An `attributeRequests[]` entry: a device message that matches `requestExpression` is an
/// attribute request, not a reading. Its attribute names come from `attributeNameExpression`;
/// ThingsBoard's answer is written back to the device.
///
/// `requestExpression` as in the reference: `"${[0:3]==atr}"` — the bytes `[0:3]` (a slice or an
/// index `[i]`, the first bracket in the text) equal the text after the last `==` without the
/// closing `}`. An expression without `${` (our addition; the reference fails on it at run time)
/// matches a message that is exactly that text.
///
/// `attributeNameExpression`: each bracket (`"[3:]"`) selects one attribute name, decoded as
/// UTF-8 with surrounding whitespace (a line ending) removed; a text without brackets is the
/// name itself (our addition; the reference would ask for every attribute).
public struct SocketAttributeRequestRule: Sendable, Equatable {
    public enum Scope: String, Sendable, Equatable {
        case shared, client
    }

    public var scope: Scope
    public let requestExpression: String
    public let attributeNameExpression: String
    let requestSelector: SocketByteSelector?
    let requestEquals: [UInt8]
    let nameSelectors: [SocketByteSelector]

    /// Throws the reason an expression is unusable.
    public init(scope: Scope, requestExpression: String, attributeNameExpression: String) throws(InvalidExpression) {
        self.scope = scope
        self.requestExpression = requestExpression
        self.attributeNameExpression = attributeNameExpression
        guard !requestExpression.isEmpty else { throw InvalidExpression(key: "requestExpression", reason: "it is empty") }
        if requestExpression.contains("${") && requestExpression.contains("}") {
            let utf8 = Array(requestExpression.utf8)
            guard let equals = (0..<max(utf8.count - 1, 0)).last(where: { utf8[$0] == UInt8(ascii: "=") && utf8[$0 + 1] == UInt8(ascii: "=") }) else {
                throw InvalidExpression(key: "requestExpression", reason: "no \"==\" (write e.g. \"${[0:3]==atr}\")")
            }
            let brackets: [(range: Range<String.Index>, selector: SocketByteSelector)]
            do {
                brackets = try SocketByteSelector.scan(requestExpression)
            } catch {
                throw InvalidExpression(key: "requestExpression", reason: error.reason)
            }
            guard let first = brackets.first else {
                throw InvalidExpression(key: "requestExpression", reason: "no byte range such as [0:3] before \"==\"")
            }
            requestSelector = first.selector
            // As the reference: the text after the last "==", minus its last character (the "}").
            requestEquals = Array(utf8[(equals + 2)...].dropLast())
        } else if requestExpression.contains("${") {
            throw InvalidExpression(key: "requestExpression", reason: "\"${\" without a closing \"}\"")
        } else {
            requestSelector = nil
            requestEquals = Array(requestExpression.utf8)
        }
        guard !attributeNameExpression.isEmpty else {
            throw InvalidExpression(key: "attributeNameExpression", reason: "it is empty")
        }
        do {
            nameSelectors = try SocketByteSelector.scan(attributeNameExpression).map(\.selector)
        } catch {
            throw InvalidExpression(key: "attributeNameExpression", reason: error.reason)
        }
    }

    /// True when `message` is this kind of attribute request.
    public func matches(_ message: [UInt8]) -> Bool {
        guard let requestSelector else { return message.elementsEqual(requestEquals) }
        guard let selected = requestSelector.select(message) else { return false }
        return selected.elementsEqual(requestEquals)
    }

    /// The attribute names asked for; nil when a bracket is out of range or not UTF-8.
    public func attributeNames(in message: [UInt8]) -> [String]? {
        if nameSelectors.isEmpty { return [attributeNameExpression] }
        var names: [String] = []
        for selector in nameSelectors {
            guard let bytes = selector.select(message), let text = String(validating: bytes, as: UTF8.self) else {
                return nil
            }
            let name = text.trimmingWhitespace()
            if !name.isEmpty { names.append(name) }
        }
        return names
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.scope == rhs.scope && lhs.requestExpression == rhs.requestExpression
            && lhs.attributeNameExpression == rhs.attributeNameExpression
    }

    public struct InvalidExpression: Error, Sendable {
        public var key: String
        public var reason: String
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var text = Substring(self)
        while let first = text.first, first.isWhitespace { text.removeFirst() }
        while let last = text.last, last.isWhitespace { text.removeLast() }
        return String(text)
    }
}
