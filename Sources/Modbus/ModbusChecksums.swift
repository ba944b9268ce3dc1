/// The two checksums of the serial framings.
public enum ModbusChecksum {
    /// CRC-16/MODBUS (poly 0xA001 reflected, init 0xFFFF). Sent low byte first.
    public static func crc16<C: Collection>(_ bytes: C) -> UInt16 where C.Element == UInt8 {
        var crc: UInt16 = 0xFFFF
        for byte in bytes {
            crc = (crc >> 8) ^ crcTable[Int((crc ^ UInt16(byte)) & 0xFF)]
        }
        return crc
    }

    /// LRC of the ASCII framing: two's complement of the 8-bit sum of the binary bytes.
    public static func lrc<C: Collection>(_ bytes: C) -> UInt8 where C.Element == UInt8 {
        var sum: UInt8 = 0
        for byte in bytes { sum &+= byte }
        return 0 &- sum
    }

    /// Table-driven: RTU frames are checked byte by byte on every read.
    private static let crcTable: [UInt16] = (0..<256).map { index in
        var crc = UInt16(index)
        for _ in 0..<8 {
            crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xA001 : crc >> 1
        }
        return crc
    }
}
