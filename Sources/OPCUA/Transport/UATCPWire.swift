import NIOCore

/// The few primitive encodings the connection-level messages need (UInt32 and UA String), kept
/// here so framing does not depend on the full codec.
extension ByteBuffer {
    mutating func writeUAUInt32(_ value: UInt32) { writeInteger(value, endianness: .little) }

    mutating func readUAUInt32() throws(UATCPError) -> UInt32 {
        guard let value = readInteger(endianness: .little, as: UInt32.self) else {
            throw .malformed("truncated UInt32")
        }
        return value
    }

    /// A UA String: Int32 byte length (-1 for null) then UTF-8.
    mutating func writeUAString(_ value: String?) {
        guard let value else {
            writeInteger(Int32(-1), endianness: .little)
            return
        }
        let lengthIndex = writerIndex
        writeInteger(Int32(0), endianness: .little)
        let written = writeString(value)
        setInteger(Int32(written), at: lengthIndex, endianness: .little)
    }

    mutating func readUAString() throws(UATCPError) -> String? {
        guard let length = readInteger(endianness: .little, as: Int32.self) else { throw .malformed("truncated string length") }
        if length < 0 { return nil }
        guard let string = readString(length: Int(length)) else { throw .malformed("string of \(length) bytes is truncated") }
        return string
    }

    /// A UA ByteString (same layout as String, raw bytes).
    mutating func writeUAByteString(_ value: [UInt8]?) {
        guard let value else {
            writeInteger(Int32(-1), endianness: .little)
            return
        }
        writeInteger(Int32(value.count), endianness: .little)
        writeBytes(value)
    }

    mutating func readUAByteString() throws(UATCPError) -> [UInt8]? {
        guard let length = readInteger(endianness: .little, as: Int32.self) else { throw .malformed("truncated byte string length") }
        if length < 0 { return nil }
        guard let bytes = readBytes(length: Int(length)) else { throw .malformed("byte string of \(length) bytes is truncated") }
        return bytes
    }
}
