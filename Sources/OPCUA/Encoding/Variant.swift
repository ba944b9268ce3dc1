import NIOCore

/// A value of any built-in type, or an array (optionally a matrix) of them (Part 6 §5.2.2.16).
/// Scalars are one case per type so connectors can `switch` directly; arrays keep their element type
/// (so empty arrays stay typed) and hold each element as a scalar `Variant`.
public indirect enum Variant: Hashable, Sendable {
    case null
    case boolean(Bool)
    case sbyte(Int8)
    case byte(UInt8)
    case int16(Int16)
    case uint16(UInt16)
    case int32(Int32)
    case uint32(UInt32)
    case int64(Int64)
    case uint64(UInt64)
    case float(Float)
    case double(Double)
    case string(String?)
    case dateTime(OPCUADateTime)
    case guid(Guid)
    case byteString([UInt8]?)
    case xmlElement(String?)
    case nodeId(NodeId)
    case expandedNodeId(ExpandedNodeId)
    case statusCode(StatusCode)
    case qualifiedName(QualifiedName)
    case localizedText(LocalizedText)
    case extensionObject(ExtensionObject)
    case dataValue(DataValue)
    case diagnosticInfo(DiagnosticInfo)
    case array(VariantArray)

    /// The built-in type of a scalar, or the element type of an array.
    public var builtInType: OPCUABuiltInType {
        switch self {
        case .null: .null
        case .boolean: .boolean
        case .sbyte: .sbyte
        case .byte: .byte
        case .int16: .int16
        case .uint16: .uint16
        case .int32: .int32
        case .uint32: .uint32
        case .int64: .int64
        case .uint64: .uint64
        case .float: .float
        case .double: .double
        case .string: .string
        case .dateTime: .dateTime
        case .guid: .guid
        case .byteString: .byteString
        case .xmlElement: .xmlElement
        case .nodeId: .nodeId
        case .expandedNodeId: .expandedNodeId
        case .statusCode: .statusCode
        case .qualifiedName: .qualifiedName
        case .localizedText: .localizedText
        case .extensionObject: .extensionObject
        case .dataValue: .dataValue
        case .diagnosticInfo: .diagnosticInfo
        case .array(let array): array.elementType
        }
    }

    public var isArray: Bool {
        if case .array = self { return true }
        return false
    }
}

/// The array form of a Variant. `elements` are scalars of `elementType` — except for `.variant` arrays,
/// whose elements are any Variant. `dimensions` (row-major, product = element count) makes it a matrix.
public struct VariantArray: Hashable, Sendable {
    public var elementType: OPCUABuiltInType
    public var elements: [Variant]
    public var dimensions: [Int32]?

    public init(elementType: OPCUABuiltInType, elements: [Variant], dimensions: [Int32]? = nil) {
        self.elementType = elementType
        self.elements = elements
        self.dimensions = dimensions
    }
}

extension Variant {
    /// A one-dimensional array; `elementType` is required because an empty array still has a type.
    public static func array(_ elements: [Variant], of elementType: OPCUABuiltInType) -> Variant {
        .array(VariantArray(elementType: elementType, elements: elements))
    }
}
