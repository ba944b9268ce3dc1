import NIOCore

// String, ByteString and arrays share one wire shape: an Int32 length (-1 = null) then the content.
// `String` and `[T]` decode null as empty; use `String?` / `[T]?` where null must survive a round trip.
// A ByteString is `[UInt8]` (fast path below) — its wire form is exactly an array of Byte.

/// The OPC UA ByteString: bytes with a distinct null (`OPCUAByteString?` = `[UInt8]?`).
public typealias OPCUAByteString = [UInt8]

extension String: OPCUANullableBinaryCodable {
    public init(from reader: inout OPCUABinaryReader) throws(OPCUADecodingError) {
        self = try reader.readString() ?? ""
    }
    public func encode(to writer: inout OPCUABinaryWriter) { writer.writeString(self) }
    public static func decodeNullable(from reader: inout OPCUABinaryReader) throws(OPCUADecodingError) -> String? {
        try reader.readString()
    }
}

extension Array: OPCUABinaryEncodable where Element: OPCUABinaryEncodable {
    public func encode(to writer: inout OPCUABinaryWriter) {
        if Element.self == UInt8.self {
            // Same type, so the bit cast is an identity; it skips a per-element dynamic cast.
            writer.writeByteString(unsafeBitCast(self, to: [UInt8].self))
        } else {
            writer.writeArray(self)
        }
    }
}

extension Array: OPCUABinaryDecodable where Element: OPCUABinaryDecodable {
    public init(from reader: inout OPCUABinaryReader) throws(OPCUADecodingError) {
        self = try Self.decodeNullableArray(from: &reader) ?? []
    }

    static func decodeNullableArray(from reader: inout OPCUABinaryReader) throws(OPCUADecodingError) -> [Element]? {
        if Element.self == UInt8.self {
            return try reader.readByteString().map { unsafeBitCast($0, to: [Element].self) }
        }
        return try reader.readArray(Element.self)
    }
}

extension Array: OPCUANullableBinaryCodable where Element: OPCUABinaryEncodable & OPCUABinaryDecodable {
    public static func decodeNullable(from reader: inout OPCUABinaryReader) throws(OPCUADecodingError) -> [Element]? {
        try decodeNullableArray(from: &reader)
    }
}
