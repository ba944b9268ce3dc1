import NIOCore

// Fixed-size built-ins (Part 6 §5.2.2.1-3): little-endian, IEEE 754 floats, Boolean as one byte.

extension Bool: OPCUABinaryEncodable, OPCUABinaryDecodable {
    public init(from reader: inout OPCUABinaryReader) throws(OPCUADecodingError) {
        self = try reader.readInteger(UInt8.self) != 0
    }
    public func encode(to writer: inout OPCUABinaryWriter) { writer.writeInteger(UInt8(self ? 1 : 0)) }
}

extension Int8: OPCUABinaryEncodable, OPCUABinaryDecodable {
    public init(from reader: inout OPCUABinaryReader) throws(OPCUADecodingError) { self = try reader.readInteger() }
    public func encode(to writer: inout OPCUABinaryWriter) { writer.writeInteger(self) }
}

extension UInt8: OPCUABinaryEncodable, OPCUABinaryDecodable {
    public init(from reader: inout OPCUABinaryReader) throws(OPCUADecodingError) { self = try reader.readInteger() }
    public func encode(to writer: inout OPCUABinaryWriter) { writer.writeInteger(self) }
}

extension Int16: OPCUABinaryEncodable, OPCUABinaryDecodable {
    public init(from reader: inout OPCUABinaryReader) throws(OPCUADecodingError) { self = try reader.readInteger() }
    public func encode(to writer: inout OPCUABinaryWriter) { writer.writeInteger(self) }
}

extension UInt16: OPCUABinaryEncodable, OPCUABinaryDecodable {
    public init(from reader: inout OPCUABinaryReader) throws(OPCUADecodingError) { self = try reader.readInteger() }
    public func encode(to writer: inout OPCUABinaryWriter) { writer.writeInteger(self) }
}

extension Int32: OPCUABinaryEncodable, OPCUABinaryDecodable {
    public init(from reader: inout OPCUABinaryReader) throws(OPCUADecodingError) { self = try reader.readInteger() }
    public func encode(to writer: inout OPCUABinaryWriter) { writer.writeInteger(self) }
}

extension UInt32: OPCUABinaryEncodable, OPCUABinaryDecodable {
    public init(from reader: inout OPCUABinaryReader) throws(OPCUADecodingError) { self = try reader.readInteger() }
    public func encode(to writer: inout OPCUABinaryWriter) { writer.writeInteger(self) }
}

extension Int64: OPCUABinaryEncodable, OPCUABinaryDecodable {
    public init(from reader: inout OPCUABinaryReader) throws(OPCUADecodingError) { self = try reader.readInteger() }
    public func encode(to writer: inout OPCUABinaryWriter) { writer.writeInteger(self) }
}

extension UInt64: OPCUABinaryEncodable, OPCUABinaryDecodable {
    public init(from reader: inout OPCUABinaryReader) throws(OPCUADecodingError) { self = try reader.readInteger() }
    public func encode(to writer: inout OPCUABinaryWriter) { writer.writeInteger(self) }
}

extension Float: OPCUABinaryEncodable, OPCUABinaryDecodable {
    public init(from reader: inout OPCUABinaryReader) throws(OPCUADecodingError) {
        self = Float(bitPattern: try reader.readInteger(UInt32.self))
    }
    public func encode(to writer: inout OPCUABinaryWriter) { writer.writeInteger(bitPattern) }
}

extension Double: OPCUABinaryEncodable, OPCUABinaryDecodable {
    public init(from reader: inout OPCUABinaryReader) throws(OPCUADecodingError) {
        self = Double(bitPattern: try reader.readInteger(UInt64.self))
    }
    public func encode(to writer: inout OPCUABinaryWriter) { writer.writeInteger(bitPattern) }
}
