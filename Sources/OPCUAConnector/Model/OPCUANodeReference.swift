import Foundation
import OPCUA

/// Where a node named by a config expression is: a NodeId, a browse path from the Root folder,
/// or a browse path from the device's own node.
///
/// Expressions, as the reference writes them (`Device.load_values`):
/// - `${ns=2;i=1003}`, `${ns=4;s=Sensor}`, `${ns=5;g=…}`, `${ns=3;b=…}` — a NodeId;
/// - `${Root\.Objects\.Boiler\.Temperature}` — absolute: from Root;
/// - `${Temperature}`, `${Sensors\.T1}` — relative: from the device node.
/// The `${…}` wrapper may be left out (the reference does so in `attributes_updates`).
public enum OPCUANodeReference: Sendable, Hashable, CustomStringConvertible {
    case nodeId(NodeId)
    case absolute(OPCUABrowsePath)
    case relative(OPCUABrowsePath)

    /// Why an expression is not a node reference; the caller names the config key.
    public struct Invalid: Error, Sendable, Equatable {
        public var expected: String
    }

    static let expectation = "a node expression such as ${ns=2;i=5}, ${Root\\.Objects\\.Device\\.Value} or ${Value}"

    /// Parses `${…}` (or the bare text inside).
    public init(expression: String) throws(Invalid) {
        let inner = Self.placeholderContent(of: expression) ?? expression
        try self.init(placeholder: inner)
    }

    /// Parses the text inside one `${…}`.
    public init(placeholder text: String) throws(Invalid) {
        let inner = text.trimmingCharacters(in: .whitespaces)
        guard !inner.isEmpty else { throw Invalid(expected: Self.expectation) }
        if Self.looksLikeNodeId(inner) {
            do {
                self = .nodeId(try NodeId(parsing: inner))
            } catch {
                throw Invalid(expected: "a valid NodeId (\(error.message))")
            }
            return
        }
        let path = OPCUABrowsePath(parsing: inner)
        guard !path.segments.contains(where: { $0.name.isEmpty }) else {
            throw Invalid(expected: Self.expectation + " without empty path segments")
        }
        self = path.startsAtRoot ? .absolute(path) : .relative(path)
    }

    /// `ns=<n>;<i|s|g|b>=…`, or the namespace-0 short forms `i=85`, `s=…`.
    static func looksLikeNodeId(_ text: String) -> Bool {
        var rest = Substring(text)
        if rest.hasPrefix("ns=") {
            guard let semicolon = rest.firstIndex(of: ";"),
                  rest[rest.index(rest.startIndex, offsetBy: 3)..<semicolon].allSatisfy(\.isNumber) else { return false }
            rest = rest[rest.index(after: semicolon)...]
        }
        guard let kind = rest.first, "isgb".contains(kind) else { return false }
        return rest.dropFirst().first == "="
    }

    /// The text between the first `${` and the `}` after it, or nil when there is no placeholder.
    static func placeholderContent(of expression: String) -> String? {
        guard let open = expression.range(of: "${"),
              let close = expression[open.upperBound...].firstIndex(of: "}") else { return nil }
        return String(expression[open.upperBound..<close])
    }

    public var description: String {
        switch self {
        case .nodeId(let id): return id.description
        case .absolute(let path), .relative(let path): return path.description
        }
    }
}

/// A device name or profile expression: text with `${…}` node placeholders, e.g.
/// `Boiler ${SerialNumber}` or `${ns=2;i=7}`; without placeholders, a constant.
public struct OPCUANameTemplate: Sendable, Hashable, CustomStringConvertible {
    public enum Part: Sendable, Hashable {
        case text(String)
        case node(OPCUANodeReference)
    }

    public var parts: [Part]
    public let source: String

    public init(_ source: String) throws(OPCUANodeReference.Invalid) {
        self.source = source
        var parts: [Part] = []
        var rest = Substring(source)
        while let open = rest.range(of: "${"), let close = rest[open.upperBound...].firstIndex(of: "}") {
            if open.lowerBound > rest.startIndex { parts.append(.text(String(rest[..<open.lowerBound]))) }
            parts.append(.node(try OPCUANodeReference(placeholder: String(rest[open.upperBound..<close]))))
            rest = rest[rest.index(after: close)...]
        }
        if !rest.isEmpty { parts.append(.text(String(rest))) }
        self.parts = parts
    }

    /// A constant text, placeholders or not (`deviceNameExpressionSource: constant` is still
    /// evaluated by the reference, so configs use `init(_:)`; this is for defaults).
    public init(constant text: String) {
        source = text
        parts = [.text(text)]
    }

    /// The nodes whose values the template needs.
    public var references: [OPCUANodeReference] {
        parts.compactMap { part in
            if case .node(let reference) = part { return reference }
            return nil
        }
    }

    public var isConstant: Bool { references.isEmpty }

    /// The text with every placeholder replaced by `value(reference)`.
    public func render(_ value: (OPCUANodeReference) -> String) -> String {
        parts.map { part in
            switch part {
            case .text(let text): return text
            case .node(let reference): return value(reference)
            }
        }.joined()
    }

    public var description: String { source }
}
