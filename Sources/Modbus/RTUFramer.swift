/// RTU framing: unit id, PDU, CRC-16 (low byte first). There is no length field: a frame's length
/// follows from its function code (and byte count), which differ for requests and responses.
///
/// After a bad frame (bad CRC, unknown function code, impossible byte count) the error is reported
/// once and the framer searches the following bytes, silently, for the next frame that checks out.
/// The handler tells it when the line was silent for t3.5 (`lineWasSilent`): a frame never spans
/// such a silence, so what was buffered is dropped and the next bytes start a frame.
public struct RTUFramer: ModbusFramer {
    public let role: ModbusFrameRole
    private var buffer = ModbusInputBuffer()
    private var resynchronising = false

    public init(role: ModbusFrameRole) { self.role = role }

    public var bufferedByteCount: Int { buffer.count }

    public mutating func append<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        buffer.append(bytes)
    }

    public mutating func reset() {
        buffer.removeAll()
        resynchronising = false
    }

    public mutating func lineWasSilent() throws(ModbusCodecError) {
        let cutShort = buffer.bytes(0..<buffer.count)
        let alreadyReported = resynchronising
        reset()
        guard !cutShort.isEmpty, !alreadyReported else { return }
        throw ModbusCodecError("RTU frame cut short by a silence on the line: \(cutShort.hexDump)")
    }

    public mutating func nextFrame() throws(ModbusCodecError) -> ModbusADU? {
        if resynchronising { return resynchronise() }
        let length: Int
        switch frameLength(at: 0) {
        case .needMore:
            return nil
        case .invalid(let reason):
            return try startResynchronising(reason)
        case .length(let n):
            length = n
        }
        guard buffer.count >= length else { return nil }
        guard let (expected, received) = crcMismatch(at: 0, length: length) else { return takeFrame(length: length) }
        return try startResynchronising(
            "RTU CRC mismatch (computed \(String(expected, radix: 16)), received \(String(received, radix: 16))) in \(buffer.bytes(0..<length).hexDump)")
    }

    /// Reports a bad frame once and starts looking for the next good one.
    private mutating func startResynchronising(_ reason: String) throws(ModbusCodecError) -> ModbusADU? {
        buffer.consume(1)
        resynchronising = true
        throw ModbusCodecError(reason)
    }

    /// Looks for the first offset where a complete frame checks out (function code, length, CRC)
    /// and resumes framing there. Offsets that can never start a frame are dropped; the search
    /// stops dropping at the first offset that needs more bytes to decide, and waits for them.
    private mutating func resynchronise() -> ModbusADU? {
        var undecided: Int?
        var offset = 0
        while offset < buffer.count {
            switch frameLength(at: offset) {
            case .needMore:
                if undecided == nil { undecided = offset }
            case .invalid:
                break
            case .length(let n):
                if offset + n > buffer.count {
                    if undecided == nil { undecided = offset }
                } else if crcMismatch(at: offset, length: n) == nil {
                    buffer.consume(offset)
                    resynchronising = false
                    return takeFrame(length: n)
                }
            }
            offset += 1
        }
        buffer.consume(undecided ?? buffer.count)
        return nil
    }

    private mutating func takeFrame(length: Int) -> ModbusADU {
        let frame = buffer.bytes(0..<length)
        buffer.consume(length)
        return ModbusADU(unitId: frame[0], pdu: Array(frame[1..<(length - 2)]))
    }

    /// nil when the CRC of the `length`-byte frame at `offset` is right, else (computed, received).
    private func crcMismatch(at offset: Int, length: Int) -> (UInt16, UInt16)? {
        let crc = ModbusChecksum.crc16(CRCView(buffer: buffer, offset: offset, count: length - 2))
        let received = UInt16(buffer[offset + length - 2]) | UInt16(buffer[offset + length - 1]) << 8
        if crc == received { return nil }
        return (crc, received)
    }

    /// The buffered bytes of one candidate frame, without copying them out.
    private struct CRCView: Collection {
        let buffer: ModbusInputBuffer
        let offset: Int
        let count: Int
        var startIndex: Int { 0 }
        var endIndex: Int { count }
        subscript(index: Int) -> UInt8 { buffer[offset + index] }
        func index(after index: Int) -> Int { index + 1 }
    }

    private enum Length { case needMore, invalid(String), length(Int) }

    private func frameLength(at offset: Int) -> Length {
        let available = buffer.count - offset
        guard available >= 2 else { return .needMore }
        let function = buffer[offset + 1]
        switch role {
        case .client:
            if function & 0x80 != 0 {
                return ModbusFunctionCode(rawValue: function & 0x7F) == nil
                    ? .invalid("RTU reply with unknown function code \(function)") : .length(5)
            }
            switch function {
            case 1...4:
                guard available >= 3 else { return .needMore }
                let byteCount = Int(buffer[offset + 2])
                guard byteCount >= 1 && byteCount <= 250 else {
                    return .invalid("RTU read reply with impossible byte count \(byteCount)")
                }
                return .length(5 + byteCount)
            case 5, 6, 15, 16:
                return .length(8)
            default:
                return .invalid("RTU reply with unknown function code \(function)")
            }
        case .server:
            switch function {
            case 1...6:
                return .length(8)
            case 15, 16:
                guard available >= 7 else { return .needMore }
                let byteCount = Int(buffer[offset + 6])
                guard byteCount >= 1 && byteCount <= 246 else {
                    return .invalid("RTU write request with impossible byte count \(byteCount)")
                }
                return .length(9 + byteCount)
            default:
                return .invalid("RTU request with unknown function code \(function)")
            }
        }
    }

    public func encode(_ adu: ModbusADU) -> [UInt8] {
        var bytes: [UInt8] = [adu.unitId]
        bytes.reserveCapacity(3 + adu.pdu.count)
        bytes.append(contentsOf: adu.pdu)
        let crc = ModbusChecksum.crc16(bytes)
        bytes.append(UInt8(crc & 0xFF))
        bytes.append(UInt8(crc >> 8))
        return bytes
    }
}
