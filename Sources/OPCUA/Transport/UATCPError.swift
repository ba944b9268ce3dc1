/// Why a UA TCP connection or secure channel failed. Every case carries enough to tell a user what
/// went wrong without a packet capture.
public enum UATCPError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A chunk header announced more bytes than we agreed to receive (Hello/Acknowledge buffer sizes).
    case chunkTooLarge(size: Int, limit: Int)
    /// A chunk header announced fewer bytes than a header holds.
    case chunkTooSmall(size: Int)
    /// The 3-byte message type is none of HEL/ACK/ERR/RHE/OPN/MSG/CLO.
    case unknownMessageType(String)
    /// The chunk type byte is none of F/C/A (or not F for a Hello/Acknowledge/Error).
    case invalidChunkType(messageType: String, chunkType: UInt8)
    /// A message body did not match its declared layout.
    case malformed(String)
    /// The server answered with an ERR message (status code + reason), or aborted a message.
    case serverError(status: UInt32, reason: String?)
    /// A reassembled message exceeded the negotiated max message size or chunk count.
    case messageTooLarge(size: Int, limit: Int)
    case tooManyChunks(count: Int, limit: Int)
    /// A received sequence number was not the expected next one (§6.7.2.4): a lost or replayed chunk.
    case sequenceNumberMismatch(expected: UInt32, received: UInt32)
    /// A chunk used a secure channel id or token id that this channel does not know.
    case unknownSecureChannel(UInt32)
    case unknownSecurityToken(UInt32)
    /// The server's protocol version is older than ours or it revised the buffers below the minimum.
    case unacceptableAcknowledge(String)

    public var description: String {
        switch self {
        case let .chunkTooLarge(size, limit): "OPC-UA chunk of \(size) bytes exceeds the negotiated receive buffer of \(limit) bytes"
        case let .chunkTooSmall(size): "OPC-UA chunk header announces \(size) bytes, fewer than a header"
        case let .unknownMessageType(type): "unknown OPC-UA message type '\(type)'"
        case let .invalidChunkType(type, chunk): "invalid chunk type 0x\(String(chunk, radix: 16)) for OPC-UA message \(type)"
        case let .malformed(what): "malformed OPC-UA message: \(what)"
        case let .serverError(status, reason):
            "OPC-UA server error 0x\(String(status, radix: 16, uppercase: true))\(reason.map { ": \($0)" } ?? "")"
        case let .messageTooLarge(size, limit): "OPC-UA message of \(size) bytes exceeds the negotiated maximum of \(limit)"
        case let .tooManyChunks(count, limit): "OPC-UA message of \(count) chunks exceeds the negotiated maximum of \(limit)"
        case let .sequenceNumberMismatch(expected, received):
            "OPC-UA sequence number \(received) received where \(expected) was expected (lost or replayed chunk)"
        case let .unknownSecureChannel(id): "OPC-UA chunk for unknown secure channel \(id)"
        case let .unknownSecurityToken(id): "OPC-UA chunk for unknown security token \(id)"
        case let .unacceptableAcknowledge(why): "unacceptable OPC-UA Acknowledge: \(why)"
        }
    }
}
