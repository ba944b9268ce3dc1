import Expressions
import GatewayKit
import OPCUA

/// Turns OPC-UA values into the JSON the reference's `OpcUaUplinkConverter` reports:
/// numbers and booleans as they are, strings as text, DateTime as ISO 8601 (UTC), ByteString as
/// hex, Guid as its text, NodeId / ExpandedNodeId / QualifiedName / StatusCode as their text
/// forms, LocalizedText as its text, arrays as lists of the elements' text (Python
/// `[str(item) for item in value]`), and a bad status without a value as an error text.
public enum OPCUAValueConverter {
    /// The JSON reported for `value` read from `node`, or nil when there is nothing to report
    /// (a null value with a good or uncertain status).
    public static func json(_ value: DataValue, node: NodeId) -> JSONValue? {
        let variant = value.value ?? .null
        if case .null = variant {
            let status = value.effectiveStatus
            guard status.isBad else { return nil }
            return .string(errorText(status, node: node))
        }
        return json(variant)
    }

    /// "Bad status code: BadNodeIdUnknown for node: ns=2;i=7 with description …" — the
    /// reference's message, naming the node rather than a type id.
    public static func errorText(_ status: StatusCode, node: NodeId) -> String {
        let name = OPCUAValueText.statusName(status)
        return "Bad status code: \(name) for node: \(node.description) with description \(status.description)"
    }

    /// The JSON of a Variant: a scalar's value, or for an array the list of its elements' text.
    public static func json(_ variant: Variant) -> JSONValue {
        if case .array(let array) = variant {
            return .array(array.elements.map { .string(PythonText.str(scalar($0))) })
        }
        return scalar(variant)
    }

    static func scalar(_ variant: Variant) -> JSONValue {
        switch variant {
        case .null: return .null
        case .boolean(let value): return .bool(value)
        case .sbyte(let value): return .int(Int64(value))
        case .byte(let value): return .int(Int64(value))
        case .int16(let value): return .int(Int64(value))
        case .uint16(let value): return .int(Int64(value))
        case .int32(let value): return .int(Int64(value))
        case .uint32(let value): return .int(Int64(value))
        case .int64(let value): return .int(value)
        case .uint64(let value): return .integer(value)
        case .float(let value): return number(Double(value))
        case .double(let value): return number(value)
        case .string(let value): return value.map(JSONValue.string) ?? .null
        case .xmlElement(let value): return value.map(JSONValue.string) ?? .null
        case .dateTime(let value): return .string(OPCUAValueText.isoformat(value))
        case .guid(let value): return .string(value.description.lowercased())
        case .byteString(let value): return value.map { .string(OPCUAValueText.hex($0)) } ?? .null
        case .nodeId(let value): return .string(OPCUAValueText.nodeId(value))
        case .expandedNodeId(let value): return .string(OPCUAValueText.expandedNodeId(value))
        case .statusCode(let value): return .string(OPCUAValueText.statusName(value))
        case .qualifiedName(let value): return .string(OPCUAValueText.qualifiedName(value))
        case .localizedText(let value): return value.text.map(JSONValue.string) ?? .null
        case .extensionObject(let value): return .string(extensionObjectText(value))
        case .dataValue(let value): return value.value.map(scalar) ?? .null
        case .diagnosticInfo(let value): return .string("\(value)")
        case .array: return json(variant)
        }
    }

    /// NaN and infinities are not JSON; they are reported as Python prints them.
    private static func number(_ value: Double) -> JSONValue {
        value.isFinite ? .double(value) : .string(PythonText.floatRepr(value))
    }

    /// The reference prints the decoded structure (`str(obj)`); without the server's type
    /// dictionary this gateway reports the encoding's NodeId and the body's size.
    static func extensionObjectText(_ object: ExtensionObject) -> String {
        var text = "ExtensionObject(TypeId=\(object.typeId.description)"
        switch object.body {
        case .none: break
        case .binary(let bytes): text += ", Body=\(bytes.readableBytes) bytes"
        case .xml(let xml): text += ", Body=\(xml ?? "")"
        }
        return text + ")"
    }
}
