import Foundation
import GatewayKit

/// What an RPC to an OPC-UA device asks for, classified as the reference's `OpcUaRpcRequest` does.
public enum OPCUARPCRequestKind: Sendable, Equatable {
    /// `get`: read the node named by the params (a NodeId, a key of the device, or a path).
    case get(target: String)
    /// `set`: write `value` (text as sent) to the node named by `target`.
    case set(target: String, value: String)
    /// `opcua_<method>`: call `method` on every device node (on the addressed device when the
    /// RPC names one) with `arguments`.
    case connector(method: String, arguments: [JSONValue])
    /// Any other method: one of the device's `rpc_methods`.
    case device(method: String, params: JSONValue)

    /// The separators a `set` may use between node and value, tried in this order
    /// (reference `RPC_SET_SPLIT_PATTERNS`).
    static let setSeparators = ["; ", ";=", "=", " "]

    /// Why a reserved RPC cannot run; the text goes into `{"result": {"error": …}}`.
    public struct Invalid: Error, Sendable, Equatable, CustomStringConvertible {
        public var description: String
    }

    public init(method: String, params: JSONValue, connectorType: String = "opcua") throws(Invalid) {
        let prefix = connectorType + "_"
        if method.hasPrefix(prefix) {
            let name = String(method.dropFirst(prefix.count))
            self = .connector(method: name, arguments: Self.connectorArguments(params))
            return
        }
        switch method.lowercased() {
        case "get":
            guard let text = params.stringValue else {
                throw Invalid(description: "get expects params naming a node (NodeId, key or path), found \(ConfigReader.describe(params))")
            }
            let target = Self.trimEnd(text, of: " ;\t\n\r")
            guard !target.isEmpty else { throw Invalid(description: "get expects params naming a node") }
            self = .get(target: target)
        case "set":
            guard let text = params.stringValue, let parts = Self.splitSet(text) else {
                throw Invalid(description: "set expects params \"<node>; <value>\" (node: NodeId, key or path), "
                    + "found \(ConfigReader.describe(params))")
            }
            self = .set(target: parts.target, value: parts.value)
        default:
            self = .device(method: method, params: params)
        }
    }

    /// `{"arguments": [{"value": 2}, {"value": 3}]}` → `[2, 3]`; a bare list is taken as is.
    static func connectorArguments(_ params: JSONValue) -> [JSONValue] {
        if let list = params["arguments"]?.arrayValue {
            return list.map { $0["value"] ?? $0 }
        }
        if let list = params.arrayValue { return list }
        return []
    }

    /// Splits `set` params as the reference does: a leading NodeId is the target and the text
    /// after the first separator that occurs is the value; otherwise the params must split into
    /// exactly two parts at the first separator that occurs.
    static func splitSet(_ params: String) -> (target: String, value: String)? {
        let separator = setSeparators.first { params.contains($0) }
        if let identifier = leadingNodeId(params) {
            let rest = String(params.dropFirst(identifier.count))
            var value = separator.map { rest.components(separatedBy: $0).last ?? rest } ?? rest
            value = trimEnd(value, of: "; \t\n\r").trimmingCharacters(in: CharacterSet(charactersIn: " ;"))
            guard !value.isEmpty else { return nil }
            return (identifier, value)
        }
        guard let separator else { return nil }
        let parts = params.components(separatedBy: separator)
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
        guard parts.count == 2 else { return nil }
        let value = trimEnd(parts[1], of: "; \t\n\r")
        guard !value.isEmpty else { return nil }
        return (parts[0], value)
    }

    /// `ns=3;i=9` at the start of `text`, ended by `;`, whitespace or the end (reference regex
    /// `(ns=\d+;[isgb]=[^;\s}]+)(?=;|\s|$)`).
    static func leadingNodeId(_ text: String) -> String? {
        guard text.hasPrefix("ns="), let semicolon = text.firstIndex(of: ";") else { return nil }
        let digits = text[text.index(text.startIndex, offsetBy: 3)..<semicolon]
        guard !digits.isEmpty, digits.allSatisfy(\.isNumber) else { return nil }
        let rest = text[text.index(after: semicolon)...]
        guard let kind = rest.first, "isgb".contains(kind), rest.dropFirst().first == "=" else { return nil }
        let body = rest.dropFirst(2).prefix { $0 != ";" && $0 != "}" && !$0.isWhitespace }
        guard !body.isEmpty else { return nil }
        return String(text[..<body.endIndex])
    }

    static func trimEnd(_ text: String, of characters: String) -> String {
        var result = Substring(text)
        while let last = result.last, characters.contains(last) { result = result.dropLast() }
        return String(result)
    }
}
