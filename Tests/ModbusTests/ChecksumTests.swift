import Modbus
import Testing

@Suite struct ChecksumTests {
    @Test func crc16MatchesKnownFrames() {
        #expect(ModbusChecksum.crc16(hex("01 03 00 00 00 04")) == 0x0944)  // sent as 44 09
        // The pymodbus reply seen on the RTU line (test-peers.md): CRC bytes 4d 2c.
        #expect(ModbusChecksum.crc16(hex("01 03 08 00 65 00 65 00 66 00 67")) == 0x2C4D)
        #expect(RTUFramer(role: .client).encode(ModbusADU(unitId: 1, pdu: hex("03 00 00 00 04")))
                == hex("01 03 00 00 00 04 44 09"))
        #expect(ModbusChecksum.crc16([UInt8]()) == 0xFFFF)
    }

    @Test func lrcIsTwosComplementOfTheSum() {
        #expect(ModbusChecksum.lrc(hex("f7 03 13 89 00 0a")) == 0x60)
        #expect(ModbusChecksum.lrc(hex("01 03 00 00 00 04")) == 0xF8)
        #expect(ASCIIFramer().encode(ModbusADU(unitId: 0xF7, pdu: hex("03 13 89 00 0a"))) == ascii(":F7031389000A60\r\n"))
    }
}
