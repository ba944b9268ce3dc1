import NIOCore
import Testing
@testable import OPCUA

/// Golden bytes below were produced by asyncua 2.1.0's own encoder (`struct_to_binary`,
/// `header_to_binary`, `MessageChunk.message_to_chunks`), not written by hand.
private enum Fixture {
    static let hello = "48454c463a00000000000000ffff0000ffff000000000000000000001a0000006f70632e7463703a2f2f3132372e302e302e313a343834302f78"
    static let acknowledge = "41434b461c0000000000000000000100000001000000200040000000"
    static let error = "45525246170000000000808007000000746f6f20626967"
    /// A 40-byte MSG body split by a 40-byte chunk size: channel 7, token 9, request 3, sequence 5...7.
    static let messageChunks = [
        "4d5347432800000007000000090000000500000003000000000102030405060708090a0b0c0d0e0f",
        "4d5347432800000007000000090000000600000003000000101112131415161718191a1b1c1d1e1f",
        "4d53474620000000070000000900000007000000030000002021222324252627",
    ]
    /// OPN with SecurityPolicy None, channel 0, sequence 1, request 1, body 01 02 03.
    static let openChunk = "4f504e4652000000000000002f000000687474703a2f2f6f7063666f756e646174696f6e2e6f72672f55412f5365637572697479506f6c696379234e6f6e65ffffffffffffffff0100000001000000010203"
}

private func buffer(hex: String) -> ByteBuffer {
    var bytes: [UInt8] = []
    var index = hex.startIndex
    while index < hex.endIndex {
        let next = hex.index(index, offsetBy: 2)
        bytes.append(UInt8(hex[index..<next], radix: 16)!)
        index = next
    }
    return ByteBuffer(bytes: bytes)
}

private func hex(_ buffer: ByteBuffer) -> String {
    let digits = Array("0123456789abcdef")
    return String(buffer.readableBytesView.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0xF)]] })
}

/// Feeds `pieces` one after another into an accumulation buffer, taking chunks as they complete,
/// the way ByteToMessageHandler drives the decoder.
private func frame(_ pieces: [ByteBuffer], maxChunkSize: Int = 65536) throws -> [UATCPChunk] {
    var accumulated = ByteBuffer()
    var chunks: [UATCPChunk] = []
    for piece in pieces {
        var piece = piece
        accumulated.writeBuffer(&piece)
        while let chunk = try UATCPChunkDecoder.nextChunk(from: &accumulated, maxChunkSize: maxChunkSize) {
            chunks.append(chunk)
        }
    }
    #expect(accumulated.readableBytes == 0)
    return chunks
}

@Suite("UA TCP framing and connection messages")
struct TransportFramingTests {
    @Test func helloEncodesLikeAsyncua() throws {
        let hello = UATCPHello(receiveBufferSize: 65535, sendBufferSize: 65535, maxMessageSize: 0, maxChunkCount: 0,
                               endpointURL: "opc.tcp://127.0.0.1:4840/x")
        #expect(hex(hello.encoded()) == Fixture.hello)
        let chunk = try #require(try frame([buffer(hex: Fixture.hello)]).first)
        #expect(chunk.messageType == .hello)
        #expect(try UATCPHello(payload: chunk.payload) == hello)
    }

    @Test func acknowledgeAndErrorDecode() throws {
        let chunks = try frame([buffer(hex: Fixture.acknowledge + Fixture.error)])
        #expect(chunks.count == 2)
        let ack = try UATCPAcknowledge(payload: chunks[0].payload)
        #expect(ack == UATCPAcknowledge(receiveBufferSize: 65536, sendBufferSize: 65536, maxMessageSize: 2_097_152, maxChunkCount: 64))
        #expect(hex(ack.encoded()) == Fixture.acknowledge)
        let error = try UATCPErrorMessage(payload: chunks[1].payload)
        #expect(error == UATCPErrorMessage(status: 0x8080_0000, reason: "too big"))
        #expect(hex(error.encoded()) == Fixture.error)
    }

    @Test func reverseHelloRoundTrips() throws {
        let message = UATCPReverseHello(serverURI: "urn:x", endpointURL: "opc.tcp://h:1")
        let chunk = try #require(try frame([message.encoded()]).first)
        #expect(chunk.messageType == .reverseHello)
        #expect(try UATCPReverseHello(payload: chunk.payload) == message)
    }

    /// Every split of a stream of several chunks into two reads, and byte-by-byte, gives the same chunks.
    @Test func everySplitGivesTheSameChunks() throws {
        let stream = buffer(hex: Fixture.hello + Fixture.acknowledge + Fixture.messageChunks.joined() + Fixture.error)
        let whole = try frame([stream])
        #expect(whole.map(\.messageType) == [.hello, .acknowledge, .message, .message, .message, .error])
        #expect(whole.map(\.chunkType) == [.final, .final, .intermediate, .intermediate, .final, .final])
        for split in 0...stream.readableBytes {
            let pieces = [stream.getSlice(at: 0, length: split)!, stream.getSlice(at: split, length: stream.readableBytes - split)!]
            #expect(try frame(pieces) == whole, "split at \(split)")
        }
        let bytewise = (0..<stream.readableBytes).map { stream.getSlice(at: $0, length: 1)! }
        #expect(try frame(bytewise) == whole)
    }

    @Test func oversizedChunkIsRefusedBeforeItsBodyArrives() throws {
        // Only the header of a 70 000-byte chunk: refused at once, nothing buffered.
        var header = ByteBuffer()
        UATCPChunk.writeHeader(.message, .final, into: &header)
        header.setInteger(UInt32(70_000), at: 4, endianness: .little)
        #expect(throws: UATCPError.chunkTooLarge(size: 70_000, limit: 65536)) { try frame([header]) }
    }

    @Test func badHeadersAreClearErrors() throws {
        #expect(throws: UATCPError.unknownMessageType("XYZ")) { try frame([buffer(hex: "58595a460800000000")]) }
        #expect(throws: UATCPError.chunkTooSmall(size: 4)) { try frame([buffer(hex: "4d53474604000000")]) }
        // A Hello must be a single final chunk.
        #expect(throws: UATCPError.invalidChunkType(messageType: "HEL", chunkType: 0x43)) {
            try frame([buffer(hex: "48454c430800000000")])
        }
        #expect(UATCPError.chunkTooLarge(size: 70_000, limit: 65536).description
            == "OPC-UA chunk of 70000 bytes exceeds the negotiated receive buffer of 65536 bytes")
    }
}
