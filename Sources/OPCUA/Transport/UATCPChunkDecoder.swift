import NIOCore

/// Splits the TCP byte stream into chunks by the 8-byte header (type, chunk type, UInt32 size).
/// A size above `maxChunkSize` (our advertised receive buffer) or below a header is a protocol
/// violation: the decoder throws, which closes the connection, rather than buffering without bound.
public struct UATCPChunkDecoder: ByteToMessageDecoder, Sendable {
    public typealias InboundOut = UATCPChunk

    /// Our receive buffer size. Before the Acknowledge it is what we offered in the Hello.
    public var maxChunkSize: Int

    public init(maxChunkSize: Int) {
        self.maxChunkSize = maxChunkSize
    }

    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let chunk = try Self.nextChunk(from: &buffer, maxChunkSize: maxChunkSize) else { return .needMoreData }
        context.fireChannelRead(Self.wrapInboundOut(chunk))
        return .continue
    }

    public mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer,
                                    seenEOF: Bool) throws -> DecodingState {
        // A partial chunk at EOF is dropped: the connection is gone and the channel reports that.
        try decode(context: context, buffer: &buffer)
    }

    /// The pure framing step (tested without a channel): takes one complete chunk off the front of
    /// `buffer`, or returns nil and consumes nothing when more bytes are needed.
    public static func nextChunk(from buffer: inout ByteBuffer, maxChunkSize: Int) throws(UATCPError) -> UATCPChunk? {
        guard buffer.readableBytes >= UATCPChunk.headerSize,
              let (a, b, c, chunkByte, size) = buffer.getMultipleIntegers(
                  at: buffer.readerIndex, as: (UInt8, UInt8, UInt8, UInt8, UInt32).self)
        else { return nil }
        let packed = UInt32(a) << 16 | UInt32(b) << 8 | UInt32(c)
        guard let messageType = UATCPMessageType(packed: packed) else {
            throw .unknownMessageType(String(decoding: [a, b, c], as: UTF8.self))
        }
        guard let chunkType = UATCPChunkType(rawValue: chunkByte),
              messageType.isSecureConversation || chunkType == .final
        else { throw .invalidChunkType(messageType: messageType.name, chunkType: chunkByte) }
        // The size field is little-endian on the wire; getMultipleIntegers read it big-endian.
        let chunkSize = Int(size.byteSwapped)
        guard chunkSize >= UATCPChunk.headerSize else { throw .chunkTooSmall(size: chunkSize) }
        guard chunkSize <= maxChunkSize else { throw .chunkTooLarge(size: chunkSize, limit: maxChunkSize) }
        guard buffer.readableBytes >= chunkSize, let slice = buffer.readSlice(length: chunkSize) else { return nil }
        return UATCPChunk(messageType: messageType, chunkType: chunkType, buffer: slice)
    }
}
