import NIOCore

/// Reads OPC UA binary values from the front of a buffer. Every read consumes what it read; every length read
/// from the wire is checked against the bytes that remain before anything is allocated, and nested values
/// (Variant, DataValue, DiagnosticInfo, ExtensionObject bodies) are limited to `maxDepth` levels.
public struct OPCUABinaryReader {
    public var buffer: ByteBuffer
    /// How deep Variant/DataValue/DiagnosticInfo nesting may go before decoding fails.
    public var maxDepth: Int
    @usableFromInline var depth = 0

    public init(_ buffer: ByteBuffer, maxDepth: Int = 64) {
        self.buffer = buffer
        self.maxDepth = maxDepth
    }

    public var remainingBytes: Int { buffer.readableBytes }

    public mutating func read<T: OPCUABinaryDecodable>(_ type: T.Type = T.self) throws(OPCUADecodingError) -> T {
        try T(from: &self)
    }

    @inlinable
    public mutating func readInteger<I: FixedWidthInteger>(_ type: I.Type = I.self) throws(OPCUADecodingError) -> I {
        guard let value = buffer.readInteger(endianness: .little, as: I.self) else {
            throw OPCUADecodingError("need \(MemoryLayout<I>.size) bytes for \(I.self), \(buffer.readableBytes) left")
        }
        return value
    }

    /// Reads `count` raw bytes.
    public mutating func readBytes(count: Int) throws(OPCUADecodingError) -> [UInt8] {
        guard count >= 0, let bytes = buffer.readBytes(length: count) else {
            throw OPCUADecodingError("need \(count) bytes, \(buffer.readableBytes) left")
        }
        return bytes
    }

    /// Reads `count` bytes as a slice sharing storage with the input (no copy).
    public mutating func readSlice(count: Int) throws(OPCUADecodingError) -> ByteBuffer {
        guard count >= 0, let slice = buffer.readSlice(length: count) else {
            throw OPCUADecodingError("need \(count) bytes, \(buffer.readableBytes) left")
        }
        return slice
    }

    /// Reads an Int32 length/count prefix: nil for -1 (null), a checked count otherwise. Every encoded element
    /// takes at least `minimumElementSize` bytes, so a count larger than what remains can only be hostile or
    /// truncated and is refused before any allocation.
    public mutating func readLength(
        of what: @autoclosure () -> String, minimumElementSize: Int = 1
    ) throws(OPCUADecodingError) -> Int? {
        let raw: Int32 = try readInteger()
        if raw == -1 { return nil }
        guard raw >= 0 else { throw OPCUADecodingError("\(what()) has negative length \(raw)") }
        let count = Int(raw)
        guard count.multipliedReportingOverflow(by: max(minimumElementSize, 0)).partialValue <= buffer.readableBytes
        else {
            throw OPCUADecodingError("\(what()) claims \(count) elements but only \(buffer.readableBytes) bytes remain")
        }
        return count
    }

    /// A String/ByteString length prefix: nil for -1, otherwise a length that fits in what remains.
    mutating func readByteLength(of what: String) throws(OPCUADecodingError) -> Int? {
        let raw: Int32 = try readInteger()
        if raw == -1 { return nil }
        guard raw >= 0 else { throw OPCUADecodingError("\(what) has negative length \(raw)") }
        guard Int(raw) <= buffer.readableBytes else {
            throw OPCUADecodingError("\(what) length \(raw) exceeds the \(buffer.readableBytes) bytes left")
        }
        return Int(raw)
    }

    /// A nullable UTF-8 String (Int32 length, -1 = null).
    public mutating func readString() throws(OPCUADecodingError) -> String? {
        guard let length = try readByteLength(of: "String") else { return nil }
        return buffer.readString(length: length)
    }

    /// A nullable ByteString (Int32 length, -1 = null).
    public mutating func readByteString() throws(OPCUADecodingError) -> [UInt8]? {
        guard let length = try readByteLength(of: "ByteString") else { return nil }
        return buffer.readBytes(length: length)
    }

    /// An array of decodable values; null (-1) decodes as nil.
    public mutating func readArray<T: OPCUABinaryDecodable>(
        _ type: T.Type = T.self
    ) throws(OPCUADecodingError) -> [T]? {
        guard let count = try readLength(of: "array of \(T.self)") else { return nil }
        var result: [T] = []
        result.reserveCapacity(count)
        for _ in 0..<count { result.append(try T(from: &self)) }
        return result
    }

    /// Runs `body` one nesting level deeper, failing once `maxDepth` is exceeded (hostile recursion).
    public mutating func nested<T>(
        _ what: @autoclosure () -> String, _ body: (inout OPCUABinaryReader) throws(OPCUADecodingError) -> T
    ) throws(OPCUADecodingError) -> T {
        guard depth < maxDepth else {
            throw OPCUADecodingError("\(what()) nested deeper than \(maxDepth) levels")
        }
        depth += 1
        defer { depth -= 1 }
        return try body(&self)
    }
}
