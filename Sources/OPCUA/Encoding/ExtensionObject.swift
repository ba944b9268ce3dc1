import NIOCore

/// A structure carried opaquely: the NodeId of its encoding, then an optional binary or XML body
/// (Part 6 §5.2.2.15). The binary body is a slice of the received buffer (no copy) until `decode(as:)`.
public struct ExtensionObject: Hashable, Sendable {
    public enum Body: Hashable, Sendable {
        case none
        case binary(ByteBuffer)
        case xml(String?)
    }

    public var typeId: NodeId
    public var body: Body

    public init(typeId: NodeId, body: Body) {
        self.typeId = typeId
        self.body = body
    }

    /// The null ExtensionObject: no type, no body.
    public static let null = ExtensionObject(typeId: .null, body: .none)

    public var isNull: Bool { typeId.isNull && body == .none }

    /// Wraps a known structure, encoding it into a binary body under its DefaultBinary encoding id.
    public init<T: OPCUAEncodableObject>(_ value: T) {
        var writer = OPCUABinaryWriter()
        value.encode(to: &writer)
        self.init(typeId: .numeric(T.binaryEncodingId), body: .binary(writer.buffer))
    }

    /// True when the body is the DefaultBinary encoding of `T`.
    public func holds<T: OPCUAEncodableObject>(_ type: T.Type) -> Bool {
        typeId.namespaceZeroNumeric == T.binaryEncodingId
    }

    /// Decodes the binary body as `T`; nil if the object holds another type; throws if the body is malformed.
    /// Trailing bytes after the structure are tolerated (newer servers may append optional fields).
    public func decode<T: OPCUAEncodableObject>(as type: T.Type) throws(OPCUADecodingError) -> T? {
        guard holds(type), case .binary(let bytes) = body else { return nil }
        var reader = OPCUABinaryReader(bytes)
        return try T(from: &reader)
    }
}

extension ExtensionObject: OPCUABinaryEncodable, OPCUABinaryDecodable {
    public init(from reader: inout OPCUABinaryReader) throws(OPCUADecodingError) {
        typeId = try NodeId(from: &reader)
        let encoding: UInt8 = try reader.readInteger()
        switch encoding {
        case 0x00:
            body = .none
        case 0x01:
            let length = try reader.readByteLength(of: "ExtensionObject body") ?? 0
            body = .binary(try reader.readSlice(count: length))
        case 0x02:
            body = .xml(try reader.readString())
        default:
            throw OPCUADecodingError("ExtensionObject \(typeId) has unknown body encoding 0x\(String(encoding, radix: 16))")
        }
    }

    public func encode(to writer: inout OPCUABinaryWriter) {
        typeId.encode(to: &writer)
        switch body {
        case .none:
            writer.writeInteger(UInt8(0x00))
        case .binary(let bytes):
            writer.writeInteger(UInt8(0x01))
            writer.writeInteger(Int32(bytes.readableBytes))
            writer.buffer.writeImmutableBuffer(bytes)
        case .xml(let text):
            writer.writeInteger(UInt8(0x02))
            writer.writeString(text)
        }
    }
}
