import NIOCore
import Testing
@testable import OPCUA

/// Chunks captured from asyncua 2.1.0's `MessageChunk.message_to_chunks` (SecurityPolicy None).
private enum Captured {
    /// A 40-byte body (00...27) as MSG on channel 7, token 9, request 3, sequence 5...7, 40-byte chunks.
    static let messageChunks = [
        "4d5347432800000007000000090000000500000003000000000102030405060708090a0b0c0d0e0f",
        "4d5347432800000007000000090000000600000003000000101112131415161718191a1b1c1d1e1f",
        "4d53474620000000070000000900000007000000030000002021222324252627",
    ]
    static let openChunk = "4f504e4652000000000000002f000000687474703a2f2f6f7063666f756e646174696f6e2e6f72672f55412f5365637572697479506f6c696379234e6f6e65ffffffffffffffff0100000001000000010203"
}

private func bytes(hex: String) -> ByteBuffer {
    var out: [UInt8] = []
    var index = hex.startIndex
    while index < hex.endIndex {
        let next = hex.index(index, offsetBy: 2)
        out.append(UInt8(hex[index..<next], radix: 16)!)
        index = next
    }
    return ByteBuffer(bytes: out)
}

private func hexString(_ buffer: ByteBuffer) -> String {
    let digits = Array("0123456789abcdef")
    return String(buffer.readableBytesView.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0xF)]] })
}

private func limits(chunk: Int = 40, maxMessage: Int = 0, maxChunks: Int = 0) -> SecureChannelLimits {
    SecureChannelLimits(sendChunkSize: chunk, maxSendMessageSize: maxMessage, maxSendChunkCount: maxChunks,
                        receiveChunkSize: chunk, maxReceiveMessageSize: maxMessage, maxReceiveChunkCount: maxChunks)
}

private func chunk(_ hex: String) throws -> UATCPChunk {
    var buffer = bytes(hex: hex)
    return try #require(try UATCPChunkDecoder.nextChunk(from: &buffer, maxChunkSize: 65536))
}

private func openCodec(limits: SecureChannelLimits, firstSequence: UInt32 = 1) -> SecureChannelCodec {
    var codec = SecureChannelCodec(security: OPCUASecurityNone(), limits: limits, firstSequenceNumber: firstSequence)
    codec.install(channelId: 7, tokenId: 9, keys: .empty)
    return codec
}

private let fortyBytes = ByteBuffer(bytes: Array(0..<40))

@Suite("Secure conversation chunks")
struct TransportSecureChannelTests {
    @Test func splitsAMessageLikeAsyncua() throws {
        var codec = openCodec(limits: limits(), firstSequence: 5)
        let chunks = try codec.encode(.message, requestId: 3, body: fortyBytes)
        #expect(chunks.map(hexString) == Captured.messageChunks)
    }

    @Test func openSecureChannelChunkMatchesAsyncua() throws {
        var codec = SecureChannelCodec(security: OPCUASecurityNone(), limits: limits(chunk: 8192))
        let chunks = try codec.encode(.openSecureChannel, requestId: 1, body: ByteBuffer(bytes: [1, 2, 3]))
        #expect(chunks.map(hexString) == [Captured.openChunk])
    }

    @Test func openSecureChannelChunkDecodes() throws {
        var codec = SecureChannelCodec(security: OPCUASecurityNone(), limits: limits(chunk: 8192))
        let message = try codec.decode(chunk(Captured.openChunk))
        #expect(message == .message(type: .openSecureChannel, requestId: 1, body: ByteBuffer(bytes: [1, 2, 3])))
    }

    @Test func reassemblesByRequestId() throws {
        var codec = openCodec(limits: limits())
        #expect(try codec.decode(chunk(Captured.messageChunks[0])) == nil)
        #expect(try codec.decode(chunk(Captured.messageChunks[1])) == nil)
        let message = try codec.decode(chunk(Captured.messageChunks[2]))
        #expect(message == .message(type: .message, requestId: 3, body: fortyBytes))
    }

    @Test func consecutiveRequestsReassembleSeparately() throws {
        var sender = openCodec(limits: limits())
        let first = try sender.encode(.message, requestId: 1, body: fortyBytes)
        let second = try sender.encode(.message, requestId: 2, body: ByteBuffer(bytes: Array(100..<120)))
        var receiver = openCodec(limits: limits())
        var results: [SecureChannelInbound] = []
        for wire in first + second {
            var wire = wire
            let chunk = try #require(try UATCPChunkDecoder.nextChunk(from: &wire, maxChunkSize: 100))
            if let result = try receiver.decode(chunk) { results.append(result) }
        }
        #expect(results == [
            .message(type: .message, requestId: 1, body: fortyBytes),
            .message(type: .message, requestId: 2, body: ByteBuffer(bytes: Array(100..<120))),
        ])
    }

    @Test func lostChunkIsASequenceError() throws {
        var codec = openCodec(limits: limits())
        _ = try codec.decode(chunk(Captured.messageChunks[0]))
        #expect(throws: UATCPError.sequenceNumberMismatch(expected: 6, received: 7)) {
            try codec.decode(chunk(Captured.messageChunks[2]))
        }
    }

    @Test func sequenceNumbersWrapBelow1024() throws {
        var sequence = SecureChannelSequence(firstToSend: SecureChannelSequence.wrapThreshold)
        #expect(sequence.takeNext() == SecureChannelSequence.wrapThreshold)
        #expect(sequence.takeNext() == 1)
        try sequence.accept(SecureChannelSequence.wrapThreshold)
        try sequence.accept(3)   // the peer may wrap to any value below 1024
        try sequence.accept(4)
        #expect(throws: UATCPError.sequenceNumberMismatch(expected: 5, received: 4)) { try sequence.accept(4) }
    }

    @Test func abortChunkDropsThePartialMessage() throws {
        var codec = openCodec(limits: limits())
        _ = try codec.decode(chunk(Captured.messageChunks[0]))
        var abort = ByteBuffer()
        UATCPChunk.writeHeader(.message, .abort, into: &abort)
        abort.writeUAUInt32(7)
        abort.writeUAUInt32(9)
        abort.writeUAUInt32(6)
        abort.writeUAUInt32(3)
        abort.writeUAUInt32(0x8080_0000)
        abort.writeUAString("too large")
        UATCPChunk.fixSize(of: &abort, chunkStart: 0)
        let result = try codec.decode(UATCPChunk(messageType: .message, chunkType: .abort, buffer: abort))
        #expect(result == .aborted(requestId: 3, status: 0x8080_0000, reason: "too large"))
    }

    @Test func limitsAreEnforcedBothWays() throws {
        var sender = openCodec(limits: limits(maxChunks: 2))
        #expect(throws: UATCPError.tooManyChunks(count: 3, limit: 2)) { try sender.encode(.message, requestId: 1, body: fortyBytes) }
        var small = openCodec(limits: limits(maxMessage: 30))
        #expect(throws: UATCPError.messageTooLarge(size: 40, limit: 30)) { try small.encode(.message, requestId: 1, body: fortyBytes) }

        var receiver = openCodec(limits: limits(maxChunks: 2))
        _ = try receiver.decode(chunk(Captured.messageChunks[0]))
        _ = try receiver.decode(chunk(Captured.messageChunks[1]))
        #expect(throws: UATCPError.tooManyChunks(count: 3, limit: 2)) { try receiver.decode(chunk(Captured.messageChunks[2])) }
    }

    /// Chunks of messages that never end, each under the message limit, for ever-new request ids:
    /// what they hold together is bounded by that limit too (a server cannot grow our memory).
    @Test func unfinishedMessagesOfManyRequestsAreBoundedTogether() throws {
        var client = openCodec(limits: limits(maxMessage: 100))
        var sequence: UInt32 = 1
        var refused: UATCPError?
        var requestsFed = 0
        feeding: for requestId in UInt32(1)...20 {
            var server = openCodec(limits: limits(), firstSequence: sequence)
            let chunks = try server.encode(.message, requestId: requestId, body: ByteBuffer(bytes: Array(repeating: 1, count: 80)))
            #expect(chunks.count > 2)
            requestsFed += 1
            for piece in chunks.dropLast() {  // every chunk but the final one
                sequence += 1
                do {
                    #expect(try client.decode(UATCPChunk(messageType: .message, chunkType: .intermediate, buffer: piece)) == nil)
                } catch {
                    refused = error as? UATCPError
                    break feeding
                }
            }
        }
        guard case .messageTooLarge(let size, let limit)? = refused else {
            Issue.record("chunks of \(requestsFed) unfinished messages were all held: \(String(describing: refused))")
            return
        }
        #expect(size > 100 && limit == 100 && requestsFed == 2)
    }

    @Test func renewedTokenKeepsTheOldOneUntilTheServerUsesTheNewOne() throws {
        var server = openCodec(limits: limits(chunk: 200))   // plays the sender with token 9
        var client = openCodec(limits: limits(chunk: 200))
        client.install(channelId: 7, tokenId: 10, keys: .empty)   // renewal: new token 10
        let old = try server.encode(.message, requestId: 1, body: fortyBytes)[0]
        #expect(try client.decode(UATCPChunk(messageType: .message, chunkType: .final, buffer: old)) != nil)
        server.install(channelId: 7, tokenId: 10, keys: .empty)
        let new = try server.encode(.message, requestId: 2, body: fortyBytes)[0]
        #expect(try client.decode(UATCPChunk(messageType: .message, chunkType: .final, buffer: new)) != nil)
        // Once the new token was used, the old one is gone.
        server.install(channelId: 7, tokenId: 9, keys: .empty)
        let stale = try server.encode(.message, requestId: 3, body: fortyBytes)[0]
        #expect(throws: UATCPError.unknownSecurityToken(9)) {
            try client.decode(UATCPChunk(messageType: .message, chunkType: .final, buffer: stale))
        }
    }

    @Test func wrongChannelIsRefused() throws {
        var codec = SecureChannelCodec(security: OPCUASecurityNone(), limits: limits())
        codec.install(channelId: 8, tokenId: 9, keys: .empty)
        #expect(throws: UATCPError.unknownSecureChannel(7)) { try codec.decode(chunk(Captured.messageChunks[0])) }
    }

    @Test func messageBeforeOpenIsRefused() throws {
        var codec = SecureChannelCodec(security: OPCUASecurityNone(), limits: limits())
        #expect(throws: UATCPError.self) { try codec.encode(.message, requestId: 1, body: fortyBytes) }
    }
}
