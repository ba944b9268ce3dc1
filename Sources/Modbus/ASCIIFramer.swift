/// ASCII framing: ':' then hex pairs of unit id, PDU and LRC, then CR LF. A ':' always starts a
/// new frame (spec), so after any error the framer simply waits for the next ':'.
public struct ASCIIFramer: ModbusFramer {
    /// ':' + 2 × (unit + 253-byte PDU + LRC) + CR LF.
    static let maxFrameCharacters = 1 + 2 * (1 + ModbusLimits.maxPDUSize + 1) + 2
    private static let colon = UInt8(ascii: ":")
    private static let cr = UInt8(ascii: "\r")
    private static let lf = UInt8(ascii: "\n")

    private var buffer = ModbusInputBuffer()

    public init() {}

    public var bufferedByteCount: Int { buffer.count }

    public mutating func append<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        buffer.append(bytes)
    }

    public mutating func reset() { buffer.removeAll() }

    public mutating func nextFrame() throws(ModbusCodecError) -> ModbusADU? {
        guard buffer.count > 0 else { return nil }
        guard let start = buffer.firstIndex(of: Self.colon) else {
            // Noise so far: reported (and dropped) once its ':' shows up, or once it is longer than
            // any frame, so a line that only ever sends noise cannot grow the buffer without end.
            guard buffer.count > Self.maxFrameCharacters else { return nil }
            let skipped = buffer.count
            buffer.removeAll()
            throw ModbusCodecError("ASCII: skipped \(skipped) bytes without ':'")
        }
        if start > 0 {
            let noise = buffer.bytes(0..<start)
            buffer.consume(start)
            throw ModbusCodecError("ASCII: skipped \(noise.count) bytes before ':': \(noise.hexDump)")
        }
        // A frame runs from ':' to LF; a second ':' before the LF restarts framing there.
        var end: Int?
        var index = 1
        while index < buffer.count {
            let byte = buffer[index]
            if byte == Self.lf { end = index; break }
            if byte == Self.colon {
                let dropped = buffer.bytes(0..<index)
                buffer.consume(index)
                throw ModbusCodecError("ASCII: frame restarted by ':' before CR LF; dropped \(dropped.hexDump)")
            }
            index += 1
        }
        guard let end else {
            if buffer.count > Self.maxFrameCharacters {
                buffer.consume(1)
                throw ModbusCodecError("ASCII: no CR LF within \(Self.maxFrameCharacters) characters; dropped the frame")
            }
            return nil
        }
        let frame = buffer.bytes(0..<(end + 1))
        buffer.consume(end + 1)
        guard frame.count >= 2, frame[frame.count - 2] == Self.cr else {
            throw ModbusCodecError("ASCII: frame not ended by CR LF: \(frame.hexDump)")
        }
        let hex = frame[1..<(frame.count - 2)]
        guard hex.count % 2 == 0, hex.count >= 6 else {
            throw ModbusCodecError("ASCII: frame needs an even number (≥ 6) of hex digits, got \(hex.count)")
        }
        var binary: [UInt8] = []
        binary.reserveCapacity(hex.count / 2)
        var digits = hex.makeIterator()
        while let high = digits.next(), let low = digits.next() {
            guard let h = Self.hexValue(high), let l = Self.hexValue(low) else {
                throw ModbusCodecError("ASCII: not a hex digit in frame \(frame.hexDump)")
            }
            binary.append(h << 4 | l)
        }
        let lrc = binary.removeLast()
        let expected = ModbusChecksum.lrc(binary)
        guard lrc == expected else {
            throw ModbusCodecError("ASCII LRC mismatch (computed \(String(expected, radix: 16)), received \(String(lrc, radix: 16)))")
        }
        return ModbusADU(unitId: binary[0], pdu: Array(binary[1...]))
    }

    public func encode(_ adu: ModbusADU) -> [UInt8] {
        let binary = [adu.unitId] + adu.pdu
        var bytes: [UInt8] = [Self.colon]
        bytes.reserveCapacity(5 + 2 * binary.count)
        for byte in binary + [ModbusChecksum.lrc(binary)] {
            bytes.append(Self.hexDigits[Int(byte >> 4)])
            bytes.append(Self.hexDigits[Int(byte & 0x0F)])
        }
        bytes.append(Self.cr)
        bytes.append(Self.lf)
        return bytes
    }

    private static let hexDigits = Array("0123456789ABCDEF".utf8)

    private static func hexValue(_ char: UInt8) -> UInt8? {
        switch char {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): char - UInt8(ascii: "0")
        case UInt8(ascii: "A")...UInt8(ascii: "F"): char - UInt8(ascii: "A") + 10
        case UInt8(ascii: "a")...UInt8(ascii: "f"): char - UInt8(ascii: "a") + 10
        default: nil
        }
    }
}
