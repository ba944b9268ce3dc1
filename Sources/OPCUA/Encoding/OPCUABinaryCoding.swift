import NIOCore

/// A message or value could not be decoded; `message` says what was expected and where it went wrong.
public struct OPCUADecodingError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { "OPC UA decoding error: \(message)" }
}

/// A value that appends its OPC UA binary form (Part 6 §5.2) to a writer.
public protocol OPCUABinaryEncodable: Sendable {
    func encode(to writer: inout OPCUABinaryWriter)
}

/// A value that reads itself from the front of a reader, consuming exactly its own bytes.
public protocol OPCUABinaryDecodable: Sendable {
    init(from reader: inout OPCUABinaryReader) throws(OPCUADecodingError)
}

public typealias OPCUABinaryCodable = OPCUABinaryEncodable & OPCUABinaryDecodable

/// Types whose wire form has a distinct null (String, ByteString, arrays), so that `T?` can encode `nil` as
/// length -1 and decode -1 back to `nil` instead of an empty value.
public protocol OPCUANullableBinaryCodable: OPCUABinaryCodable {
    static func decodeNullable(from reader: inout OPCUABinaryReader) throws(OPCUADecodingError) -> Self?
    static func encodeNull(to writer: inout OPCUABinaryWriter)
}

extension OPCUANullableBinaryCodable {
    public static func encodeNull(to writer: inout OPCUABinaryWriter) {
        writer.buffer.writeInteger(Int32(-1), endianness: .little)
    }
}

extension Optional: OPCUABinaryEncodable where Wrapped: OPCUANullableBinaryCodable {
    public func encode(to writer: inout OPCUABinaryWriter) {
        switch self {
        case .none: Wrapped.encodeNull(to: &writer)
        case .some(let value): value.encode(to: &writer)
        }
    }
}

extension Optional: OPCUABinaryDecodable where Wrapped: OPCUANullableBinaryCodable {
    public init(from reader: inout OPCUABinaryReader) throws(OPCUADecodingError) {
        self = try Wrapped.decodeNullable(from: &reader)
    }
}

/// A structure that travels inside an `ExtensionObject` (or as a service message) identified by the numeric
/// NodeId (namespace 0) of its DefaultBinary encoding.
public protocol OPCUAEncodableObject: OPCUABinaryCodable {
    static var binaryEncodingId: UInt32 { get }
}
