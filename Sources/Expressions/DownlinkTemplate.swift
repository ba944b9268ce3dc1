import GatewayKit

/// A downlink template of the MQTT connector (topic or payload of attribute updates, attribute
/// request answers and RPC requests), compiled once, formatted as the reference formats it:
/// - `${deviceName}`, `${deviceType}`, `${attributeKey}`, `${methodName}`, `${requestId}`:
///   the plain text;
/// - `${attributeValue}`: see `DownlinkContext.AttributeValueStyle`;
/// - any other placeholder (`${params}`, `${params.<path>}`, also `${method}`, `${id}`) is looked
///   up in the RPC data `{"method", "params", "id"}`: in a payload the value is JSON-encoded
///   (a string gets quotes), in a topic it is the Python `str()` of the value.
/// A placeholder the context cannot fill stays in the output as written, except an unresolved
/// RPC data placeholder in a payload, which becomes the JSON string of its text (the reference's
/// output).
public struct DownlinkTemplate: Sendable {
    /// Where the rendered text goes, which decides how RPC data placeholders are encoded.
    public enum Usage: Sendable, Equatable {
        /// A payload: `${params...}` JSON-encoded.
        case payload
        /// A topic: `${params...}` as plain text (`str()`), as the reference's `replace_params_tags`.
        case topic
    }

    enum Part: Sendable {
        case text(String)
        case deviceName, deviceType, attributeKey, attributeValue, methodName, requestId
        case data(Placeholder)
    }

    public let source: String
    public let usage: Usage
    let parts: [Part]

    /// A payload template.
    public init(_ source: String) throws(ExpressionError) {
        try self.init(source, usage: .payload)
    }

    public init(_ source: String, usage: Usage) throws(ExpressionError) {
        self.source = source
        self.usage = usage
        parts = try TemplateParts(source).parts.map { part -> Part in
            switch part {
            case .text(let text): return .text(text)
            case .placeholder(let placeholder):
                switch placeholder.text {
                case "deviceName": return .deviceName
                case "deviceType": return .deviceType
                case "attributeKey": return .attributeKey
                case "attributeValue": return .attributeValue
                case "methodName": return .methodName
                case "requestId": return .requestId
                default: return .data(placeholder)
                }
            }
        }
    }

    /// True when the template refers to `${params...}` (or other RPC data).
    public var usesRPCData: Bool {
        parts.contains { if case .data = $0 { return true } else { return false } }
    }

    public func render(_ context: DownlinkContext) -> String {
        var out = ""
        var rpcData: JSONValue?
        for part in parts {
            switch part {
            case .text(let text): out += text
            case .deviceName: out += context.deviceName
            case .deviceType: out += context.deviceType
            case .attributeKey: out += context.attributeKey ?? "${attributeKey}"
            case .methodName: out += context.methodName ?? "${methodName}"
            case .requestId: out += context.requestId.map { String($0) } ?? "${requestId}"
            case .attributeValue:
                guard let value = context.attributeValue else {
                    out += "${attributeValue}"
                    continue
                }
                switch context.attributeValueStyle {
                case .json: out += value.jsonString
                case .formatted: out += Self.formatted(value)
                }
            case .data(let placeholder):
                if rpcData == nil { rpcData = context.rpcData }
                guard let data = rpcData else {
                    out += "${" + placeholder.text + "}"
                    continue
                }
                let found = placeholder.lookup(in: data)
                switch usage {
                case .payload:
                    out += (found ?? .string("${" + placeholder.text + "}")).jsonString
                case .topic:
                    out += found.map(PythonText.str) ?? "${" + placeholder.text + "}"
                }
            }
        }
        return out
    }

    /// The reference's `_format_value` for attribute updates: object/array → compact JSON,
    /// bool → true/false, null → null, else `str()`.
    public static func formatted(_ value: JSONValue) -> String {
        switch value {
        case .object, .array: return value.jsonString
        case .bool(let flag): return flag ? "true" : "false"
        case .null: return "null"
        default: return PythonText.str(value)
        }
    }
}

/// What a downlink template can refer to.
public struct DownlinkContext: Sendable {
    /// How `${attributeValue}` is written.
    public enum AttributeValueStyle: Sendable, Equatable {
        /// Attribute updates: object/array → JSON, bool → true/false, null → null, a string as
        /// is (no quotes), a number as Python prints it.
        case formatted
        /// Attribute request answers: the value JSON-encoded (a string gets quotes).
        case json
    }

    public var deviceName: String
    public var deviceType: String
    public var attributeKey: String?
    public var attributeValue: JSONValue?
    public var methodName: String?
    public var requestId: Int64?
    public var params: JSONValue?
    public var attributeValueStyle: AttributeValueStyle

    public init(deviceName: String, deviceType: String = "default", attributeKey: String? = nil,
                attributeValue: JSONValue? = nil, methodName: String? = nil, requestId: Int64? = nil,
                params: JSONValue? = nil, attributeValueStyle: AttributeValueStyle = .formatted) {
        self.deviceName = deviceName
        self.deviceType = deviceType
        self.attributeKey = attributeKey
        self.attributeValue = attributeValue
        self.methodName = methodName
        self.requestId = requestId
        self.params = params
        self.attributeValueStyle = attributeValueStyle
    }

    /// The RPC request data as the reference holds it, `{"method", "params", "id"}`; nil outside
    /// an RPC.
    var rpcData: JSONValue? {
        guard methodName != nil || params != nil || requestId != nil else { return nil }
        var object: JSONObject = [:]
        object["method"] = methodName.map(JSONValue.string) ?? .null
        object["params"] = params ?? .null
        object["id"] = requestId.map(JSONValue.int) ?? .null
        return .object(object)
    }
}
