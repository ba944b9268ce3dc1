import NIOCore

/// An OPC UA NodeId: a namespace index plus a numeric, string, GUID or opaque identifier.
public struct NodeId: Hashable, Sendable {
    public enum Identifier: Hashable, Sendable {
        case numeric(UInt32)
        case string(String)
        case guid(Guid)
        case opaque([UInt8])
    }

    public var namespace: UInt16
    public var identifier: Identifier

    public init(namespace: UInt16 = 0, identifier: Identifier) {
        self.namespace = namespace
        self.identifier = identifier
    }

    public static func numeric(_ value: UInt32, namespace: UInt16 = 0) -> NodeId {
        NodeId(namespace: namespace, identifier: .numeric(value))
    }
    public static func string(_ value: String, namespace: UInt16) -> NodeId {
        NodeId(namespace: namespace, identifier: .string(value))
    }
    public static func guid(_ value: Guid, namespace: UInt16) -> NodeId {
        NodeId(namespace: namespace, identifier: .guid(value))
    }
    public static func opaque(_ value: [UInt8], namespace: UInt16) -> NodeId {
        NodeId(namespace: namespace, identifier: .opaque(value))
    }

    /// ns=0;i=0, the null NodeId.
    public static let null = NodeId(namespace: 0, identifier: .numeric(0))

    public var isNull: Bool {
        guard namespace == 0 else { return false }
        switch identifier {
        case .numeric(let value): return value == 0
        case .string(let value): return value.isEmpty
        case .guid(let value): return value == Guid(data1: 0, data2: 0, data3: 0, data4: [0, 0, 0, 0, 0, 0, 0, 0])
        case .opaque(let value): return value.isEmpty
        }
    }

    /// The numeric identifier in namespace 0, if that is what this is (encoding ids, well-known nodes).
    public var namespaceZeroNumeric: UInt32? {
        if namespace == 0, case .numeric(let value) = identifier { return value }
        return nil
    }
}

/// Wire encoding byte of a NodeId (Part 6 §5.2.2.9); ExpandedNodeId adds flags in the top two bits.
enum NodeIdEncoding {
    static let twoByte: UInt8 = 0x00
    static let fourByte: UInt8 = 0x01
    static let numeric: UInt8 = 0x02
    static let string: UInt8 = 0x03
    static let guid: UInt8 = 0x04
    static let byteString: UInt8 = 0x05
    static let namespaceURIFlag: UInt8 = 0x80
    static let serverIndexFlag: UInt8 = 0x40
}

extension NodeId: OPCUABinaryEncodable, OPCUABinaryDecodable {
    public init(from reader: inout OPCUABinaryReader) throws(OPCUADecodingError) {
        let encoding: UInt8 = try reader.readInteger()
        guard encoding & (NodeIdEncoding.namespaceURIFlag | NodeIdEncoding.serverIndexFlag) == 0 else {
            throw OPCUADecodingError(
                "NodeId encoding byte 0x\(String(encoding, radix: 16)) carries ExpandedNodeId flags")
        }
        self = try NodeId.decodeBody(encoding: encoding, from: &reader)
    }

    /// Decodes the identifier for an encoding byte whose flag bits were already removed.
    static func decodeBody(encoding: UInt8, from reader: inout OPCUABinaryReader) throws(OPCUADecodingError) -> NodeId {
        switch encoding {
        case NodeIdEncoding.twoByte:
            return .numeric(UInt32(try reader.readInteger(UInt8.self)))
        case NodeIdEncoding.fourByte:
            let namespace = UInt16(try reader.readInteger(UInt8.self))
            return .numeric(UInt32(try reader.readInteger(UInt16.self)), namespace: namespace)
        case NodeIdEncoding.numeric:
            let namespace: UInt16 = try reader.readInteger()
            return .numeric(try reader.readInteger(), namespace: namespace)
        case NodeIdEncoding.string:
            let namespace: UInt16 = try reader.readInteger()
            return .string(try reader.readString() ?? "", namespace: namespace)
        case NodeIdEncoding.guid:
            let namespace: UInt16 = try reader.readInteger()
            return .guid(try Guid(from: &reader), namespace: namespace)
        case NodeIdEncoding.byteString:
            let namespace: UInt16 = try reader.readInteger()
            return .opaque(try reader.readByteString() ?? [], namespace: namespace)
        default:
            throw OPCUADecodingError("unknown NodeId encoding byte 0x\(String(encoding, radix: 16))")
        }
    }

    public func encode(to writer: inout OPCUABinaryWriter) {
        encode(to: &writer, flags: 0)
    }

    /// Writes the most compact form, OR-ing `flags` (ExpandedNodeId) into the encoding byte.
    func encode(to writer: inout OPCUABinaryWriter, flags: UInt8) {
        switch identifier {
        case .numeric(let value) where namespace == 0 && value <= 0xFF:
            writer.writeInteger(NodeIdEncoding.twoByte | flags)
            writer.writeInteger(UInt8(value))
        case .numeric(let value) where namespace <= 0xFF && value <= 0xFFFF:
            writer.writeInteger(NodeIdEncoding.fourByte | flags)
            writer.writeInteger(UInt8(namespace))
            writer.writeInteger(UInt16(value))
        case .numeric(let value):
            writer.writeInteger(NodeIdEncoding.numeric | flags)
            writer.writeInteger(namespace)
            writer.writeInteger(value)
        case .string(let value):
            writer.writeInteger(NodeIdEncoding.string | flags)
            writer.writeInteger(namespace)
            writer.writeString(value)
        case .guid(let value):
            writer.writeInteger(NodeIdEncoding.guid | flags)
            writer.writeInteger(namespace)
            value.encode(to: &writer)
        case .opaque(let value):
            writer.writeInteger(NodeIdEncoding.byteString | flags)
            writer.writeInteger(namespace)
            writer.writeByteString(value)
        }
    }
}
