import NIOCore
import OPCUA
import Testing

/// Helpers shared by the Encoding*/Services* tests: hex fixtures in, decoded values and hex out.
enum CodecTest {
    static func buffer(_ hex: String) -> ByteBuffer {
        var bytes: [UInt8] = []
        var iterator = hex.utf8.filter { $0 != UInt8(ascii: " ") }.makeIterator()
        while let high = iterator.next(), let low = iterator.next() {
            bytes.append(UInt8(nibble(high) << 4 | nibble(low)))
        }
        return ByteBuffer(bytes: bytes)
    }

    private static func nibble(_ char: UInt8) -> UInt8 {
        switch char {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): char - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): char - UInt8(ascii: "a") + 10
        default: char - UInt8(ascii: "A") + 10
        }
    }

    static func hex(_ buffer: ByteBuffer) -> String {
        buffer.readableBytesView.map { byte in
            let text = String(byte, radix: 16)
            return text.count == 1 ? "0" + text : text
        }.joined()
    }

    static func encode<T: OPCUABinaryEncodable>(_ value: T) -> String {
        var writer = OPCUABinaryWriter()
        writer.write(value)
        return hex(writer.buffer)
    }

    /// Decodes the whole fixture as `T`, requiring that every byte was consumed.
    static func decode<T: OPCUABinaryDecodable>(
        _ type: T.Type, _ hex: String, sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> T {
        var reader = OPCUABinaryReader(buffer(hex))
        let value = try reader.read(T.self)
        #expect(reader.remainingBytes == 0, "trailing bytes after \(T.self)", sourceLocation: sourceLocation)
        return value
    }

    /// Decodes and checks that re-encoding gives back the fixture byte for byte.
    static func roundTrip<T: OPCUABinaryCodable>(
        _ type: T.Type, _ hex: String, sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> T {
        let value = try decode(type, hex, sourceLocation: sourceLocation)
        #expect(encode(value) == hex, "re-encoding \(T.self)", sourceLocation: sourceLocation)
        return value
    }

    /// A request fixture as `OPCUAServiceMessage.encode` writes it: encoding NodeId, then the body.
    static func decodeRequest<R: OPCUARequest>(
        _ type: R.Type, _ hex: String, sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> R {
        var reader = OPCUABinaryReader(buffer(hex))
        let typeId = try reader.read(NodeId.self)
        #expect(typeId == .numeric(R.binaryEncodingId), sourceLocation: sourceLocation)
        let request = try reader.read(R.self)
        #expect(reader.remainingBytes == 0, sourceLocation: sourceLocation)
        var writer = OPCUABinaryWriter()
        OPCUAServiceMessage.encode(request, to: &writer)
        #expect(Self.hex(writer.buffer) == hex, "re-encoding \(R.self)", sourceLocation: sourceLocation)
        return request
    }

    /// A response fixture through `OPCUAServiceMessage.decode`, re-encoded to check it byte for byte.
    static func decodeResponse<R: OPCUAResponse>(
        _ type: R.Type, _ hex: String, sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> R {
        var reader = OPCUABinaryReader(buffer(hex))
        guard case .response(let response) = try OPCUAServiceMessage.decode(R.self, from: &reader) else {
            Issue.record("expected \(R.self), got a ServiceFault", sourceLocation: sourceLocation)
            throw OPCUADecodingError("fault")
        }
        #expect(reader.remainingBytes == 0, sourceLocation: sourceLocation)
        var writer = OPCUABinaryWriter()
        writer.write(NodeId.numeric(R.binaryEncodingId))
        writer.write(response)
        #expect(Self.hex(writer.buffer) == hex, "re-encoding \(R.self)", sourceLocation: sourceLocation)
        return response
    }

    /// Every strict prefix of `hex` must fail to decode as `T` with an error (never crash, never succeed).
    static func expectEveryTruncationThrows<T: OPCUABinaryDecodable>(
        _ type: T.Type, _ hex: String, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let full = buffer(hex)
        for length in 0..<full.readableBytes {
            var reader = OPCUABinaryReader(full.getSlice(at: 0, length: length)!)
            #expect(throws: OPCUADecodingError.self, "prefix of \(length) bytes", sourceLocation: sourceLocation) {
                _ = try reader.read(T.self)
            }
        }
    }

    static let fixtureTime = OPCUADateTime(ticks: OPCUAFixtures.ticks)
}
