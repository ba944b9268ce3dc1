import GatewayKit
import ModbusConnector
import Testing

/// 500 devices × 30 registers is 15,000 read items held for as long as the connector runs.
@Suite("Modbus read item memory")
struct ModbusReadItemMemoryTests {
    @Test func anItemStaysSmall() {
        // The format (over 100 bytes inline) is shared between items, not stored in each: 72 bytes, was 184.
        #expect(MemoryLayout<ModbusReadItem>.stride <= 80, "stride \(MemoryLayout<ModbusReadItem>.stride)")
    }

    @Test func itemsKeepTheirOwnFormats() {
        var item = ModbusReadItem(key: "t", functionCode: 3, address: 1,
                                  format: ModbusValueFormat(type: .float32, objectsCount: 2, byteOrder: .big))
        let twin = ModbusReadItem(key: "u", functionCode: 3, address: 3,
                                  format: ModbusValueFormat(type: .float32, objectsCount: 2, byteOrder: .big))
        item.format.divider = 10
        #expect(item.format.divider == 10)
        #expect(item.format.byteOrder == .big)
        #expect(twin.format.divider == nil)
        #expect(twin.format == ModbusValueFormat(type: .float32, objectsCount: 2, byteOrder: .big))
    }
}
