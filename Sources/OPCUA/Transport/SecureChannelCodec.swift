import NIOCore

/// What one received secure-conversation chunk amounted to, once reassembled.
public enum SecureChannelInbound: Sendable, Equatable {
    /// A complete message (all its chunks joined): the service body after the sequence header.
    case message(type: UATCPMessageType, requestId: UInt32, body: ByteBuffer)
    /// The server gave up on the message for `requestId` (abort chunk, Part 6 §6.7.3).
    case aborted(requestId: UInt32, status: UInt32, reason: String?)
}

/// The pure secure-conversation state of one channel (Part 6 §6.7): chunk headers, splitting a
/// body into chunks within the negotiated limits, reassembly by request id, sequence numbers and
/// the security tokens. All crypto goes through `security`, so swapping SecurityPolicy None for a
/// real policy changes nothing here. No I/O: the channel handler feeds it chunks and writes what
/// it returns, and the tests drive it directly.
public struct SecureChannelCodec: Sendable {
    public let security: any OPCUAChannelSecurity
    public var limits: SecureChannelLimits
    /// 0 until the first OpenSecureChannel response names the channel.
    public private(set) var channelId: UInt32 = 0
    public private(set) var currentTokenId: UInt32?

    private var currentKeys = OPCUASymmetricKeySet.empty
    /// The token before the last renewal: the server may still use it until it sees the new one.
    private var previousToken: (id: UInt32, keys: OPCUASymmetricKeySet)?
    private var sendSequence = SecureChannelSequence()
    private var receiveSequence = SecureChannelSequence()
    private var partials: [UInt32: PartialMessage] = [:]
    /// Bytes held in `partials`, over all request ids. One message's size limit bounds them all:
    /// otherwise a server could grow memory without end with chunks for ever-new request ids.
    private var partialBytes = 0

    private struct PartialMessage {
        var type: UATCPMessageType
        var chunks: [ByteBuffer]
        var size: Int
    }

    static let messageHeaderSize = 12
    static let sequenceHeaderSize = 8

    /// `firstSequenceNumber` is only for tests reproducing a peer's captured chunks.
    public init(security: any OPCUAChannelSecurity, limits: SecureChannelLimits, firstSequenceNumber: UInt32 = 1) {
        self.security = security
        self.limits = limits
        sendSequence = SecureChannelSequence(firstToSend: firstSequenceNumber)
    }

    /// After an OpenSecureChannel response: the channel id and the new token with its keys. The
    /// previous token stays valid for receiving until the server uses the new one.
    public mutating func install(channelId: UInt32, tokenId: UInt32, keys: OPCUASymmetricKeySet) {
        if let current = currentTokenId, current != tokenId { previousToken = (current, currentKeys) }
        self.channelId = channelId
        currentTokenId = tokenId
        currentKeys = keys
    }

    // MARK: Sending

    /// Splits `body` into sealed chunks ready for the wire. `type` is OPN, MSG or CLO.
    public mutating func encode(_ type: UATCPMessageType, requestId: UInt32, body: ByteBuffer) throws -> [ByteBuffer] {
        let securityHeader = try makeSecurityHeader(for: type)
        let securedFrom = Self.messageHeaderSize + securityHeader.readableBytes
        let asymmetric = type == .openSecureChannel
        let maxBody = asymmetric
            ? security.maxAsymmetricBodySize(chunkSize: limits.sendChunkSize, securedFrom: securedFrom)
            : security.maxSymmetricBodySize(chunkSize: limits.sendChunkSize, securedFrom: securedFrom)
        guard maxBody > 0 else { throw UATCPError.malformed("chunk size \(limits.sendChunkSize) leaves no room for a body") }
        let total = body.readableBytes
        if limits.maxSendMessageSize > 0, total > limits.maxSendMessageSize {
            throw UATCPError.messageTooLarge(size: total, limit: limits.maxSendMessageSize)
        }
        let chunkCount = max(1, (total + maxBody - 1) / maxBody)
        if limits.maxSendChunkCount > 0, chunkCount > limits.maxSendChunkCount {
            throw UATCPError.tooManyChunks(count: chunkCount, limit: limits.maxSendChunkCount)
        }
        var chunks: [ByteBuffer] = []
        chunks.reserveCapacity(chunkCount)
        var remaining = body
        for index in 0..<chunkCount {
            let pieceLength = min(maxBody, remaining.readableBytes)
            let piece = remaining.readSlice(length: pieceLength)!
            var chunk = ByteBuffer()
            chunk.reserveCapacity(min(limits.sendChunkSize, securedFrom + Self.sequenceHeaderSize + pieceLength + 512))
            UATCPChunk.writeHeader(type, index == chunkCount - 1 ? .final : .intermediate, into: &chunk)
            chunk.writeUAUInt32(channelId)
            chunk.writeImmutableBuffer(securityHeader)
            chunk.writeUAUInt32(sendSequence.takeNext())
            chunk.writeUAUInt32(requestId)
            chunk.writeImmutableBuffer(piece)
            if asymmetric {
                try security.sealAsymmetric(&chunk, securedFrom: securedFrom)
            } else {
                try security.sealSymmetric(&chunk, securedFrom: securedFrom, keys: currentKeys)
            }
            chunks.append(chunk)
        }
        return chunks
    }

    private func makeSecurityHeader(for type: UATCPMessageType) throws(UATCPError) -> ByteBuffer {
        var header = ByteBuffer()
        switch type {
        case .openSecureChannel:
            header.writeUAByteString(Array(security.policyURI.utf8))
            header.writeUAByteString(security.localCertificateDER)
            header.writeUAByteString(security.remoteCertificateThumbprint)
        case .message, .closeSecureChannel:
            guard let token = currentTokenId else {
                throw .malformed("\(type.name) before the secure channel was opened")
            }
            header.writeUAUInt32(token)
        default:
            throw .malformed("\(type.name) is not a secure conversation message")
        }
        return header
    }

    // MARK: Receiving

    /// Takes one received OPN/MSG/CLO chunk: opens it (verify/decrypt), checks the channel, token and
    /// sequence number, and returns the message once its final chunk arrived (nil for an
    /// intermediate chunk).
    public mutating func decode(_ chunk: UATCPChunk) throws -> SecureChannelInbound? {
        guard chunk.messageType.isSecureConversation else {
            throw UATCPError.malformed("\(chunk.messageType.name) on an open secure channel")
        }
        var buffer = chunk.buffer
        let start = buffer.readerIndex
        guard let receivedChannelId = buffer.getInteger(at: start + 8, endianness: .little, as: UInt32.self) else {
            throw UATCPError.malformed("\(chunk.messageType.name) chunk shorter than its header")
        }
        if channelId != 0, receivedChannelId != channelId { throw UATCPError.unknownSecureChannel(receivedChannelId) }

        var cursor = buffer.getSlice(at: start + Self.messageHeaderSize, length: buffer.readableBytes - Self.messageHeaderSize)!
        if chunk.messageType == .openSecureChannel {
            let policy = try cursor.readUAByteString()
            _ = try cursor.readUAByteString()   // sender certificate: checked by the security policy
            _ = try cursor.readUAByteString()   // receiver thumbprint
            let policyURI = policy.map { String(decoding: $0, as: UTF8.self) }
            guard policyURI == security.policyURI else {
                throw UATCPError.malformed("server answered with security policy \(policyURI ?? "null"), expected \(security.policyURI)")
            }
            // `cursor` is a slice starting after the 12-byte message header.
            let securedFrom = Self.messageHeaderSize + cursor.readerIndex
            try security.openAsymmetric(&buffer, securedFrom: securedFrom)
            return try finish(chunk, plaintext: buffer, securedFrom: securedFrom)
        } else {
            let tokenId = try cursor.readUAUInt32()
            let keys: OPCUASymmetricKeySet
            if tokenId == currentTokenId {
                keys = currentKeys
                previousToken = nil   // the server switched: the old token is no longer valid
            } else if let previous = previousToken, previous.id == tokenId {
                keys = previous.keys
            } else {
                throw UATCPError.unknownSecurityToken(tokenId)
            }
            let securedFrom = Self.messageHeaderSize + 4
            try security.openSymmetric(&buffer, securedFrom: securedFrom, keys: keys)
            return try finish(chunk, plaintext: buffer, securedFrom: securedFrom)
        }
    }

    private mutating func finish(_ chunk: UATCPChunk, plaintext: ByteBuffer,
                                 securedFrom: Int) throws(UATCPError) -> SecureChannelInbound? {
        var body = plaintext
        body.moveReaderIndex(forwardBy: securedFrom)
        let sequenceNumber = try body.readUAUInt32()
        let requestId = try body.readUAUInt32()
        try receiveSequence.accept(sequenceNumber)

        switch chunk.chunkType {
        case .abort:
            if let dropped = partials.removeValue(forKey: requestId) { partialBytes -= dropped.size }
            let status = try body.readUAUInt32()
            let reason = try body.readUAString()
            return .aborted(requestId: requestId, status: status, reason: reason)
        case .intermediate:
            var partial = partials.removeValue(forKey: requestId) ?? PartialMessage(type: chunk.messageType, chunks: [], size: 0)
            partialBytes -= partial.size
            partial.chunks.append(body)
            partial.size += body.readableBytes
            try check(partial)
            if limits.maxReceiveMessageSize > 0, partialBytes + partial.size > limits.maxReceiveMessageSize {
                let held = partialBytes + partial.size
                partials = [:]
                partialBytes = 0
                throw .messageTooLarge(size: held, limit: limits.maxReceiveMessageSize)
            }
            partials[requestId] = partial
            partialBytes += partial.size
            return nil
        case .final:
            guard var partial = partials.removeValue(forKey: requestId) else {
                if limits.maxReceiveMessageSize > 0, body.readableBytes > limits.maxReceiveMessageSize {
                    throw .messageTooLarge(size: body.readableBytes, limit: limits.maxReceiveMessageSize)
                }
                return .message(type: chunk.messageType, requestId: requestId, body: body)
            }
            partialBytes -= partial.size
            partial.chunks.append(body)
            partial.size += body.readableBytes
            try check(partial)
            var joined = ByteBuffer()
            joined.reserveCapacity(partial.size)
            for piece in partial.chunks { joined.writeImmutableBuffer(piece) }
            return .message(type: chunk.messageType, requestId: requestId, body: joined)
        }
    }

    /// One message's limits; the caller has taken `partial` out of `partials` (dropped on a throw).
    private func check(_ partial: PartialMessage) throws(UATCPError) {
        if limits.maxReceiveChunkCount > 0, partial.chunks.count > limits.maxReceiveChunkCount {
            throw .tooManyChunks(count: partial.chunks.count, limit: limits.maxReceiveChunkCount)
        }
        if limits.maxReceiveMessageSize > 0, partial.size > limits.maxReceiveMessageSize {
            throw .messageTooLarge(size: partial.size, limit: limits.maxReceiveMessageSize)
        }
    }
}
