import NIOCore

/// The 3-byte message type that starts every UA TCP chunk (Part 6 §7.1.2.2 and §6.7.2.2).
public enum UATCPMessageType: Sendable, Equatable {
    case hello, acknowledge, error, reverseHello
    case openSecureChannel, message, closeSecureChannel

    /// The three ASCII bytes packed big-endian into the low 24 bits, so matching is one compare.
    init?(packed: UInt32) {
        switch packed {
        case 0x48_45_4C: self = .hello          // HEL
        case 0x41_43_4B: self = .acknowledge    // ACK
        case 0x45_52_52: self = .error          // ERR
        case 0x52_48_45: self = .reverseHello   // RHE
        case 0x4F_50_4E: self = .openSecureChannel  // OPN
        case 0x4D_53_47: self = .message        // MSG
        case 0x43_4C_4F: self = .closeSecureChannel // CLO
        default: return nil
        }
    }

    var ascii: (UInt8, UInt8, UInt8) {
        switch self {
        case .hello: (0x48, 0x45, 0x4C)
        case .acknowledge: (0x41, 0x43, 0x4B)
        case .error: (0x45, 0x52, 0x52)
        case .reverseHello: (0x52, 0x48, 0x45)
        case .openSecureChannel: (0x4F, 0x50, 0x4E)
        case .message: (0x4D, 0x53, 0x47)
        case .closeSecureChannel: (0x43, 0x4C, 0x4F)
        }
    }

    public var name: String {
        let (a, b, c) = ascii
        return String(decoding: [a, b, c], as: UTF8.self)
    }

    /// Secure conversation messages may be split into chunks; the connection messages are one final chunk.
    var isSecureConversation: Bool {
        switch self {
        case .openSecureChannel, .message, .closeSecureChannel: true
        default: false
        }
    }
}

/// The fourth header byte: final chunk, intermediate chunk, or abort (drop what came before).
public enum UATCPChunkType: UInt8, Sendable {
    case final = 0x46         // F
    case intermediate = 0x43  // C
    case abort = 0x41         // A
}

/// One complete chunk as framed on the wire. `buffer` holds the whole chunk *including* the 8-byte
/// header, because security (signatures) covers the header; readers skip `headerSize` bytes.
public struct UATCPChunk: Sendable, Equatable {
    public static let headerSize = 8

    public var messageType: UATCPMessageType
    public var chunkType: UATCPChunkType
    public var buffer: ByteBuffer

    public init(messageType: UATCPMessageType, chunkType: UATCPChunkType, buffer: ByteBuffer) {
        self.messageType = messageType
        self.chunkType = chunkType
        self.buffer = buffer
    }

    /// The bytes after the 8-byte header.
    public var payload: ByteBuffer {
        buffer.getSlice(at: buffer.readerIndex + Self.headerSize, length: buffer.readableBytes - Self.headerSize)
            ?? ByteBuffer()
    }

    /// Writes a header with a placeholder size; `fixSize` fills it in once the chunk is complete.
    static func writeHeader(_ type: UATCPMessageType, _ chunkType: UATCPChunkType, into buffer: inout ByteBuffer) {
        let (a, b, c) = type.ascii
        buffer.writeMultipleIntegers(a, b, c, chunkType.rawValue, UInt32(0))
    }

    /// Sets the size field of a chunk that starts at `start` to everything written since.
    static func fixSize(of buffer: inout ByteBuffer, chunkStart start: Int) {
        buffer.setInteger(UInt32(buffer.writerIndex - start), at: start + 4, endianness: .little)
    }
}
