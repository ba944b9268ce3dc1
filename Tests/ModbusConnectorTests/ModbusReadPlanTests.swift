import GatewayKit
import ModbusConnector
import Testing

@Suite("Modbus read plan")
struct ModbusReadPlanTests {
    static func item(_ key: String, fc: UInt8, address: UInt16, count: Int = 1, type: ModbusDataType = .uint16,
                     maxPerRequest: Int? = nil) -> ModbusReadItem {
        ModbusReadItem(key: key, functionCode: fc, address: address,
                       format: ModbusValueFormat(type: type, objectsCount: count), maxRegistersPerRequest: maxPerRequest)
    }

    static func shape(_ plan: ModbusReadPlan) -> [String] {
        plan.requests.map { request in
            "fc\(request.functionCode)@\(request.address)+\(request.count):"
                + request.items.map { "\($0.itemIndex)/\($0.offset)" }.joined(separator: ",")
        }
    }

    @Test("adjacent and overlapping items share a request; a gap splits by default")
    func merging() {
        let items = [
            Self.item("a", fc: 3, address: 0, count: 2),
            Self.item("b", fc: 3, address: 2),
            Self.item("c", fc: 3, address: 1, count: 2),   // overlaps a and b
            Self.item("d", fc: 3, address: 5),             // two registers nobody asked for in between
        ]
        #expect(Self.shape(ModbusReadPlan(items: items)) == ["fc3@0+3:0/0,2/1,1/2", "fc3@5+1:3/0"])
        #expect(Self.shape(ModbusReadPlan(items: items, maxGap: 2)) == ["fc3@0+6:0/0,2/1,1/2,3/5"])
    }

    @Test("function codes never mix, and requests come out ordered by function code and address")
    func functionCodes() {
        let items = [
            Self.item("hr", fc: 3, address: 10),
            Self.item("ir", fc: 4, address: 10),
            Self.item("coil", fc: 1, address: 11, type: .bits),
            Self.item("coil0", fc: 1, address: 10, type: .bits),
            Self.item("di", fc: 2, address: 10, type: .bits),
        ]
        #expect(Self.shape(ModbusReadPlan(items: items))
            == ["fc1@10+2:3/0,2/1", "fc2@10+1:4/0", "fc3@10+1:0/0", "fc4@10+1:1/0"])
    }

    @Test("limits: 125 registers, 2000 bits, a lower configured limit, an item's own limit")
    func limits() {
        let registers = (0 ..< 130).map { Self.item("r\($0)", fc: 4, address: UInt16($0)) }
        #expect(ModbusReadPlan(items: registers).requests.map(\.count) == [125, 5])
        #expect(ModbusReadPlan(items: registers, maxRegisters: 50).requests.map(\.count) == [50, 50, 30])
        #expect(ModbusReadPlan(items: registers, maxRegisters: 500).requests.map(\.count) == [125, 5])
        let bits = (0 ..< 2010).map { Self.item("b\($0)", fc: 1, address: UInt16($0), type: .bits) }
        #expect(ModbusReadPlan(items: bits).requests.map(\.count) == [2000, 10])
        // A multi-register item is never split: the request closes before it.
        let wide = [Self.item("x", fc: 3, address: 0, count: 3), Self.item("y", fc: 3, address: 3, count: 4)]
        #expect(ModbusReadPlan(items: wide, maxRegisters: 5).requests.map(\.count) == [3, 4])
        // A wide-range item's maxRegistersPerRequest caps every request it is part of.
        let capped = [Self.item("p", fc: 3, address: 0, count: 2, maxPerRequest: 4),
                      Self.item("q", fc: 3, address: 2, count: 2, maxPerRequest: 4),
                      Self.item("r", fc: 3, address: 4, count: 2, maxPerRequest: 4)]
        #expect(Self.shape(ModbusReadPlan(items: capped)) == ["fc3@0+4:0/0,1/2", "fc3@4+2:2/0"])
    }

    @Test("an item longer than the limit still gets its own request")
    func oversized() {
        let plan = ModbusReadPlan(items: [Self.item("big", fc: 3, address: 0, count: 200)])
        #expect(Self.shape(plan) == ["fc3@0+200:0/0"])
    }

    @Test("no items, no requests")
    func empty() {
        #expect(ModbusReadPlan(items: []).requests.isEmpty)
    }

    @Test("the slices handed back decode to each item's value")
    func slices() throws {
        let items = [
            ModbusReadItem(key: "temp", functionCode: 3, address: 0,
                           format: ModbusValueFormat(type: .int16, objectsCount: 1, byteOrder: .big, divider: 10)),
            ModbusReadItem(key: "energy", functionCode: 3, address: 1,
                           format: ModbusValueFormat(type: .uint32, objectsCount: 2, byteOrder: .big, wordOrder: .big)),
            ModbusReadItem(key: "relay", functionCode: 1, address: 4, format: ModbusValueFormat(type: .bits)),
            ModbusReadItem(key: "alarm", functionCode: 1, address: 6, format: ModbusValueFormat(type: .bits)),
        ]
        let plan = ModbusReadPlan(items: items, maxGap: 1)
        #expect(plan.requests.count == 2)
        var values: [String: JSONValue] = [:]
        for request in plan.requests {
            if request.functionCode == 1 {
                // A device pads coil responses to whole bytes.
                let response = [true, false, true, false, false, false, false, false]
                plan.forEachItem(of: request, response: response, items: items) { index, bits in
                    values[items[index].key] = items[index].format.decode(bits: bits)
                }
            } else {
                let response: [UInt16] = [0xFF38, 0x0001, 0x0002]
                plan.forEachItem(of: request, response: response, items: items) { index, registers in
                    values[items[index].key] = items[index].format.decode(registers: registers)
                }
            }
        }
        #expect(values == ["temp": .double(-20), "energy": .int(65538), "relay": .bool(true), "alarm": .bool(true)])
    }

    @Test("a short response skips the items it does not cover")
    func shortResponse() {
        let items = [Self.item("a", fc: 3, address: 0), Self.item("b", fc: 3, address: 1, count: 2)]
        let plan = ModbusReadPlan(items: items)
        var seen: [Int] = []
        plan.forEachItem(of: plan.requests[0], response: [UInt16](repeating: 0, count: 2), items: items) { index, _ in
            seen.append(index)
        }
        #expect(seen == [0])
    }
}
