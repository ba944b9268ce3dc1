import NIOCore

/// Appends OPC UA binary values (little-endian, Part 6 §5.2) to a buffer, in place.
public struct OPCUABinaryWriter {
    public var buffer: ByteBuffer

    public init(buffer: ByteBuffer = ByteBuffer()) {
        self.buffer = buffer
    }

    public mutating func write<T: OPCUABinaryEncodable>(_ value: T) {
        value.encode(to: &self)
    }

    @inlinable
    public mutating func writeInteger<I: FixedWidthInteger>(_ value: I) {
        buffer.writeInteger(value, endianness: .little)
    }

    /// A nullable String: nil is written as length -1.
    public mutating func writeString(_ value: String?) {
        guard let value else {
            writeInteger(Int32(-1))
            return
        }
        // Reserve the length, write the UTF-8 directly, then fill the length in: no intermediate copy.
        let lengthIndex = buffer.writerIndex
        buffer.writeInteger(Int32(0), endianness: .little)
        let written = buffer.writeString(value)
        buffer.setInteger(Int32(written), at: lengthIndex, endianness: .little)
    }

    /// A nullable ByteString: nil is written as length -1.
    public mutating func writeByteString<Bytes: Collection<UInt8>>(_ value: Bytes?) {
        guard let value else {
            writeInteger(Int32(-1))
            return
        }
        writeInteger(Int32(value.count))
        buffer.writeBytes(value)
    }

    /// An array with an Int32 count prefix; nil is written as -1.
    public mutating func writeArray<T: OPCUABinaryEncodable>(_ values: [T]?) {
        guard let values else {
            writeInteger(Int32(-1))
            return
        }
        writeInteger(Int32(values.count))
        for value in values { value.encode(to: &self) }
    }
}
