import NIOCore

/// Splits the byte stream into MQTT frames and parses them. Checks the size limit from the fixed
/// header alone, before buffering the body, so an oversized packet never accumulates in memory.
public struct MQTTPacketDecoder: NIOSingleStepByteToMessageDecoder {
    public typealias InboundOut = MQTTPacket

    public var version: MQTTVersion
    /// Largest whole frame accepted (v5 Maximum Packet Size); the protocol maximum otherwise.
    public var maximumPacketSize: Int

    public init(version: MQTTVersion, maximumPacketSize: Int = 268_435_460) {
        self.version = version
        self.maximumPacketSize = maximumPacketSize
    }

    public mutating func decode(buffer: inout ByteBuffer) throws -> MQTTPacket? {
        var peek = buffer
        guard let header: UInt8 = peek.readInteger() else { return nil }
        let length: Int
        do {
            length = try MQTTWire.readVariableByteInteger(from: &peek, "remaining length")
        } catch .truncated {
            return nil
        }
        let frameSize = peek.readerIndex - buffer.readerIndex + length
        guard frameSize <= maximumPacketSize else {
            throw MQTTDecodeError.packetTooLarge(size: frameSize, limit: maximumPacketSize)
        }
        guard var body = peek.readSlice(length: length) else { return nil }
        buffer.moveReaderIndex(to: peek.readerIndex)
        return try MQTTPacket.read(header: header, body: &body, version: version)
    }

    public mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> MQTTPacket? {
        try decode(buffer: &buffer)
    }
}

/// Frames outgoing packets for the connection's protocol version.
public struct MQTTPacketEncoder: MessageToByteEncoder {
    public typealias OutboundIn = MQTTPacket
    public var version: MQTTVersion
    public init(version: MQTTVersion) { self.version = version }

    public func encode(data: MQTTPacket, out: inout ByteBuffer) throws {
        data.write(version: version, into: &out)
    }
}
