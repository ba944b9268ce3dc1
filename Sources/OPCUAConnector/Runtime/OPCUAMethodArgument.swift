import OPCUA

/// The `Argument` structure (Part 3 §8.6) of a method's InputArguments property: what type each
/// input must have, so RPC params can be converted before the Call.
struct OPCUAMethodArgument: OPCUAEncodableObject, Hashable {
    /// Argument_Encoding_DefaultBinary.
    static let binaryEncodingId: UInt32 = 298

    var name: String?
    var dataType: NodeId
    var valueRank: Int32
    var arrayDimensions: [UInt32]
    var description: LocalizedText

    init(from reader: inout OPCUABinaryReader) throws(OPCUADecodingError) {
        name = try reader.readString()
        dataType = try reader.read(NodeId.self)
        valueRank = try reader.readInteger()
        arrayDimensions = try reader.read([UInt32].self)
        description = try reader.read(LocalizedText.self)
    }

    func encode(to writer: inout OPCUABinaryWriter) {
        writer.writeString(name)
        writer.write(dataType)
        writer.writeInteger(valueRank)
        writer.write(arrayDimensions)
        writer.write(description)
    }

    /// The built-in type of the argument when its DataType is one of the 25 built-in types (or a
    /// well-known subtype of one); nil for structures and server-defined types.
    var builtInType: OPCUABuiltInType? { OPCUADataTypes.builtInType(of: dataType) }

    /// ValueRank ≥ 1 (or OneOrMoreDimensions, 0): the argument is an array.
    var isArray: Bool { valueRank >= 0 }
}

/// DataType NodeIds of namespace 0 that map to a built-in type.
enum OPCUADataTypes {
    static func builtInType(of dataType: NodeId) -> OPCUABuiltInType? {
        guard let number = dataType.namespaceZeroNumeric else { return nil }
        if number >= 1, number <= 25, let type = OPCUABuiltInType(rawValue: UInt8(number)) { return type }
        switch number {
        case 26: return .double        // Number (abstract): a Double carries any number
        case 27: return .int64         // Integer
        case 28: return .uint64        // UInteger
        case 29: return .int32         // Enumeration
        case 290: return .double       // Duration
        case 294: return .dateTime     // UtcTime
        case 295: return .string       // LocaleId
        case 288: return .uint32       // IntegerId
        case 289: return .uint32       // Counter
        case 11737: return .string     // NormalizedString
        case 12877, 12878, 12879, 12880, 12881: return .string // DecimalString, DurationString, TimeString, DateString...
        default: return nil
        }
    }
}
