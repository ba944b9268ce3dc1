/// The 25 built-in types of Part 6 §5.1.2, numbered as in a Variant's encoding byte.
public enum OPCUABuiltInType: UInt8, Sendable, Hashable, CaseIterable {
    case null = 0
    case boolean = 1
    case sbyte = 2
    case byte = 3
    case int16 = 4
    case uint16 = 5
    case int32 = 6
    case uint32 = 7
    case int64 = 8
    case uint64 = 9
    case float = 10
    case double = 11
    case string = 12
    case dateTime = 13
    case guid = 14
    case byteString = 15
    case xmlElement = 16
    case nodeId = 17
    case expandedNodeId = 18
    case statusCode = 19
    case qualifiedName = 20
    case localizedText = 21
    case extensionObject = 22
    case dataValue = 23
    case variant = 24
    case diagnosticInfo = 25
}
