/// MBAP framing (Modbus TCP, UDP, TLS): transaction id, protocol id 0, length (unit id + PDU),
/// unit id, PDU. The length field is the only framing, so a frame with an impossible length means
/// the stream position is lost: everything buffered is dropped and framing restarts with new bytes.
public struct MBAPFramer: ModbusFramer {
    private var buffer = ModbusInputBuffer()

    public init() {}

    public var bufferedByteCount: Int { buffer.count }

    public mutating func append<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        buffer.append(bytes)
    }

    public mutating func reset() { buffer.removeAll() }

    public mutating func nextFrame() throws(ModbusCodecError) -> ModbusADU? {
        guard buffer.count >= 7 else { return nil }
        let transactionId = UInt16(buffer[0]) << 8 | UInt16(buffer[1])
        let protocolId = UInt16(buffer[2]) << 8 | UInt16(buffer[3])
        let length = Int(buffer[4]) << 8 | Int(buffer[5])
        guard (2...(ModbusLimits.maxPDUSize + 1)).contains(length) else {
            let header = buffer.bytes(0..<7)
            buffer.removeAll()
            throw ModbusCodecError("MBAP length \(length) is outside 2...254 (header \(header.hexDump)); dropped buffered input",
                                   lostStreamPosition: true)
        }
        guard buffer.count >= 6 + length else { return nil }
        let frame = buffer.bytes(0..<(6 + length))
        buffer.consume(6 + length)
        guard protocolId == 0 else {
            throw ModbusCodecError("MBAP protocol id \(protocolId) is not 0 (Modbus); skipped frame \(frame.hexDump)")
        }
        return ModbusADU(unitId: frame[6], transactionId: transactionId, pdu: Array(frame[7...]))
    }

    public func encode(_ adu: ModbusADU) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(7 + adu.pdu.count)
        bytes.appendBigEndian(adu.transactionId)
        bytes.appendBigEndian(0)
        bytes.appendBigEndian(UInt16(adu.pdu.count + 1))
        bytes.append(adu.unitId)
        bytes.append(contentsOf: adu.pdu)
        return bytes
    }
}
