import Foundation

// NodeId text form (Part 6 §5.3.1.10): `ns=<index>;<type>=<value>` with `ns=` omitted for namespace 0.
// Types: i (numeric), s (string), g (guid), b (base64 opaque). Not on a hot path, so Foundation's base64 is fine.

/// A NodeId string that could not be parsed; `message` says why.
public struct NodeIdParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public var text: String
    public var message: String
    public init(text: String, message: String) {
        self.text = text
        self.message = message
    }
    public var description: String { "invalid NodeId \"\(text)\": \(message)" }
}

extension NodeId: CustomStringConvertible, LosslessStringConvertible {
    /// Parses `ns=2;i=5`, `i=85`, `ns=1;s=Hello World`, `g=09087e75-...`, `b=AQID`; nil if invalid
    /// (use `init(parsing:)` for the reason).
    public init?(_ description: String) {
        guard let parsed = try? NodeId(parsing: description) else { return nil }
        self = parsed
    }

    public init(parsing text: String) throws(NodeIdParseError) {
        func fail(_ message: String) -> NodeIdParseError { NodeIdParseError(text: text, message: message) }
        var rest = Substring(text)
        var namespace: UInt16 = 0
        if rest.hasPrefix("ns=") {
            guard let semicolon = rest.firstIndex(of: ";") else { throw fail("missing ';' after the namespace") }
            let digits = rest[rest.index(rest.startIndex, offsetBy: 3)..<semicolon]
            guard let value = UInt16(digits) else { throw fail("namespace \"\(digits)\" is not a number 0-65535") }
            namespace = value
            rest = rest[rest.index(after: semicolon)...]
        }
        guard rest.count >= 2, rest.dropFirst().first == "=" else {
            throw fail("expected i=, s=, g= or b= identifier")
        }
        let value = rest.dropFirst(2)
        switch rest.first {
        case "i":
            guard let number = UInt32(value) else { throw fail("numeric identifier \"\(value)\" is not a UInt32") }
            self = .numeric(number, namespace: namespace)
        case "s":
            self = .string(String(value), namespace: namespace)
        case "g":
            guard let guid = Guid(value) else { throw fail("\"\(value)\" is not a GUID") }
            self = .guid(guid, namespace: namespace)
        case "b":
            guard let data = Data(base64Encoded: String(value)) else { throw fail("\"\(value)\" is not base64") }
            self = .opaque([UInt8](data), namespace: namespace)
        default:
            throw fail("unknown identifier type \"\(rest.first.map(String.init) ?? "")\" (expected i, s, g or b)")
        }
    }

    public var description: String {
        let prefix = namespace == 0 ? "" : "ns=\(namespace);"
        switch identifier {
        case .numeric(let value): return prefix + "i=\(value)"
        case .string(let value): return prefix + "s=" + value
        case .guid(let value): return prefix + "g=\(value)"
        case .opaque(let value): return prefix + "b=" + Data(value).base64EncodedString()
        }
    }
}
