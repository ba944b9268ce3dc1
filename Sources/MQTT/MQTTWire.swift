import NIOCore

/// Why a frame could not be decoded. The connection is closed on any of these; nothing is guessed.
public enum MQTTDecodeError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The remaining length (or another variable byte integer) uses more than 4 bytes.
    case malformedVariableByteInteger
    case unknownPacketType(UInt8)
    /// Reserved flag bits of the fixed header have the wrong value.
    case invalidFlags(packetType: UInt8, flags: UInt8)
    /// The frame ended before `what` could be read.
    case truncated(String)
    /// Bytes left over after the last field of the packet.
    case trailingBytes(packetType: UInt8, count: Int)
    case invalidUTF8(String)
    case packetTooLarge(size: Int, limit: Int)
    case invalidProperty(UInt8)
    case invalidQoS(UInt8)
    case invalidProtocol(name: String, level: UInt8)
    case invalidPacket(String)

    public var description: String {
        switch self {
        case .malformedVariableByteInteger: "malformed variable byte integer (more than 4 bytes)"
        case .unknownPacketType(let t): "unknown MQTT packet type \(t)"
        case .invalidFlags(let t, let f): "invalid fixed header flags 0x\(String(f, radix: 16)) for packet type \(t)"
        case .truncated(let what): "packet truncated while reading \(what)"
        case .trailingBytes(let t, let n): "\(n) unexpected bytes at the end of packet type \(t)"
        case .invalidUTF8(let what): "\(what) is not well-formed UTF-8"
        case .packetTooLarge(let size, let limit): "packet of \(size) bytes exceeds the maximum of \(limit)"
        case .invalidProperty(let id): "invalid or unexpected property 0x\(String(id, radix: 16))"
        case .invalidQoS(let q): "invalid QoS \(q)"
        case .invalidProtocol(let name, let level): "unsupported protocol \(name) level \(level)"
        case .invalidPacket(let what): "invalid packet: \(what)"
        }
    }
}

/// Primitive encodings shared by all packets (section 1.5).
enum MQTTWire {
    static let maxVariableByteInteger = 268_435_455

    static func variableByteIntegerSize(_ value: Int) -> Int {
        switch value {
        case ..<128: 1
        case ..<16_384: 2
        case ..<2_097_152: 3
        default: 4
        }
    }

    static func writeVariableByteInteger(_ value: Int, into buffer: inout ByteBuffer) {
        precondition(value >= 0 && value <= maxVariableByteInteger, "variable byte integer out of range")
        var remaining = value
        repeat {
            var byte = UInt8(remaining & 0x7F)
            remaining >>= 7
            if remaining > 0 { byte |= 0x80 }
            buffer.writeInteger(byte)
        } while remaining > 0
    }

    /// Reads a complete variable byte integer; `truncated` when the buffer ends inside it.
    static func readVariableByteInteger(from buffer: inout ByteBuffer, _ what: String) throws(MQTTDecodeError) -> Int {
        var value = 0
        var shift = 0
        for index in 0..<4 {
            guard let byte: UInt8 = buffer.readInteger() else { throw .truncated(what) }
            value |= Int(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return value }
            shift += 7
            if index == 3 { break }
        }
        throw .malformedVariableByteInteger
    }

    static func writeString(_ string: String, into buffer: inout ByteBuffer) {
        let count = string.utf8.count
        precondition(count <= 0xFFFF, "MQTT strings are limited to 65535 bytes")
        buffer.writeInteger(UInt16(count))
        buffer.writeString(string)
    }

    static func writeBinary(_ bytes: [UInt8], into buffer: inout ByteBuffer) {
        precondition(bytes.count <= 0xFFFF, "MQTT binary data is limited to 65535 bytes")
        buffer.writeInteger(UInt16(bytes.count))
        buffer.writeBytes(bytes)
    }

    /// A length-prefixed UTF-8 string; rejects ill-formed UTF-8 and U+0000 (section 1.5.4).
    static func readString(from buffer: inout ByteBuffer, _ what: String) throws(MQTTDecodeError) -> String {
        guard let length: UInt16 = buffer.readInteger() else { throw .truncated(what) }
        guard let view = buffer.readBytesView(length: Int(length)) else { throw .truncated(what) }
        return try validatedString(view, what)
    }

    static func validatedString(_ bytes: ByteBufferView, _ what: String) throws(MQTTDecodeError) -> String {
        guard let string = String(validating: bytes, as: UTF8.self), !bytes.contains(0) else {
            throw .invalidUTF8(what)
        }
        return string
    }

    static func readBinary(from buffer: inout ByteBuffer, _ what: String) throws(MQTTDecodeError) -> [UInt8] {
        guard let length: UInt16 = buffer.readInteger() else { throw .truncated(what) }
        guard let bytes = buffer.readBytes(length: Int(length)) else { throw .truncated(what) }
        return bytes
    }
}

extension ByteBuffer {
    fileprivate mutating func readBytesView(length: Int) -> ByteBufferView? {
        guard let slice = readSlice(length: length) else { return nil }
        return slice.readableBytesView
    }
}
