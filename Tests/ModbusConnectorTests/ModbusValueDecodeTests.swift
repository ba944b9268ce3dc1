import GatewayKit
import ModbusConnector
import Testing

@Suite("Modbus value decoding")
struct ModbusValueDecodeTests {
    @Test("decodes like the reference converter", arguments: referenceDecodeFixtures)
    func referenceFixture(_ fixture: DecodeFixture) throws {
        let format = try #require(try ModbusValueTestHelpers.readFormat(
            item: fixture.item, functionCode: fixture.functionCode,
            byteOrder: fixture.byteOrder, wordOrder: fixture.wordOrder))
        let decoded = fixture.functionCode <= 2
            ? format.decode(bits: fixture.bits[...])
            : format.decode(registers: fixture.registers[...])
        let expected = try fixture.expected.map { try JSONValue.parse($0) }
        #expect(ModbusValueTestHelpers.same(decoded, expected),
                "\(fixture.item) \(fixture.byteOrder)/\(fixture.wordOrder): got \(decoded.map(\.jsonString) ?? "nil")")
    }

    /// The upstream blackbox test server's registers, rebuilt from its LITTLE expectations with
    /// pymodbus' BinaryPayloadBuilder (checked against the reference decoder in both orders).
    static let blackboxRegisters: [String: [UInt16]] = [
        "string": [0x6162, 0x6364], "bits": [0xDA4B], "16int": [0x88A9], "16uint": [0x3412],
        "32int": [0xCCED, 0xFFFF], "32uint": [0x7856, 0x3412], "16float": [0x2C4A], "32float": [0x964E, 0x5A48],
        "64int": [0x1141, 0x5221, 0xFFFF, 0xFFFF], "64uint": [0xEFBE, 0xADDE, 0x7856, 0x3412],
        "64float": [0xCDCC, 0xCCCC, 0xCCDC, 0x5E40],
    ]
    static let blackboxCoils: [Bool] = [true, true, false, true, true, false, true, false,
                                        false, true, false, false, true, false, true, true]

    @Test("blackbox uplink configs give the upstream test values",
          arguments: ["holding_registers", "input_registers"], ["big", "little"])
    func blackboxRegisters(kind: String, order: String) throws {
        let configuration = try ModbusCompat.load(
            "upstream-tests/blackbox/data/modbus/configs/uplink_configs/modbus_uplink_converter_\(kind)_reading_\(order).json")
        let expected = try ModbusCompat.testValues("upstream-tests/blackbox/data/modbus/test_values/uplink/\(kind)_values_\(order).json")
        let device = try #require(configuration.devices.first)
        var checked = 0
        for item in device.readItems {
            guard let registers = Self.blackboxRegisters[item.key], let want = expected[item.key] else { continue }
            let decoded = item.format.decode(registers: registers[...])
            #expect(ModbusValueTestHelpers.same(decoded, want), "\(kind) \(order) \(item.key): \(decoded.map(\.jsonString) ?? "nil")")
            checked += 1
        }
        #expect(checked == 11)
    }

    @Test("blackbox coil and discrete input configs give the upstream test values",
          arguments: ["coils", "discrete_input"], ["big", "little"])
    func blackboxBits(kind: String, order: String) throws {
        let configuration = try ModbusCompat.load(
            "upstream-tests/blackbox/data/modbus/configs/uplink_configs/modbus_uplink_converter_\(kind)_reading_\(order).json")
        let expected = try ModbusCompat.testValues(
            "upstream-tests/blackbox/data/modbus/test_values/uplink/discrete_and_coils_registers_values_\(order).json")
        let device = try #require(configuration.devices.first)
        #expect(device.readItems.count == 2)
        for item in device.readItems {
            let decoded = item.format.decode(bits: Self.blackboxCoils.prefix(item.count))
            #expect(decoded == expected[item.key], "\(item.key): \(decoded.map(\.jsonString) ?? "nil")")
        }
    }

    @Test("pymodbus byte and word orders on a 32-bit value")
    func orders() throws {
        // 0x12345678 as the four orders lay it out in two registers.
        let layouts: [(String, String, [UInt16])] = [
            ("BIG", "BIG", [0x1234, 0x5678]), ("BIG", "LITTLE", [0x5678, 0x1234]),
            ("LITTLE", "BIG", [0x3412, 0x7856]), ("LITTLE", "LITTLE", [0x7856, 0x3412]),
        ]
        for (byteOrder, wordOrder, registers) in layouts {
            let format = try #require(try ModbusValueTestHelpers.readFormat(
                item: #"{"type":"32uint","objectsCount":2}"#, functionCode: 3, byteOrder: byteOrder, wordOrder: wordOrder))
            #expect(format.decode(registers: registers[...]) == .int(0x1234_5678), "\(byteOrder)/\(wordOrder)")
            let write = try ModbusValueTestHelpers.writeItem(type: "32uint", objectsCount: 2, functionCode: 16,
                                                             byteOrder: byteOrder, wordOrder: wordOrder)
            #expect(try write.format.encodeRegisters(.int(0x1234_5678)) == registers)
        }
    }

    @Test("a slice of a larger response decodes the same as its own array")
    func slices() throws {
        let format = try #require(try ModbusValueTestHelpers.readFormat(
            item: #"{"type":"32int","objectsCount":2}"#, functionCode: 4, byteOrder: "BIG", wordOrder: "BIG"))
        let response: [UInt16] = [0xAAAA, 0xFFFF, 0xFFFE, 0xBBBB]
        #expect(format.decode(registers: response[1 ..< 3]) == .int(-2))
        let bitFormat = try #require(try ModbusValueTestHelpers.readFormat(
            item: #"{"type":"bits","objectsCount":3}"#, functionCode: 1, byteOrder: "BIG", wordOrder: "BIG"))
        let bits: [Bool] = [true, true, false, false, true, true]
        #expect(bitFormat.decode(bits: bits[2 ..< 5]) == .array([.bool(true), .bool(false), .bool(false)]))
    }

    @Test("too few registers give no value instead of garbage")
    func tooShort() throws {
        let format = try #require(try ModbusValueTestHelpers.readFormat(
            item: #"{"type":"64float","objectsCount":4}"#, functionCode: 3, byteOrder: "BIG", wordOrder: "BIG"))
        #expect(format.decode(registers: [0x4000, 0x0000][...]) == nil)
        #expect(format.decode(registers: [0x4000, 0, 0, 0][...]) == .double(2))
    }

    @Test("round, divider and multiplier follow Python")
    func arithmetic() throws {
        func decode(_ item: String, _ registers: [UInt16]) throws -> JSONValue? {
            try #require(try ModbusValueTestHelpers.readFormat(item: item, functionCode: 3, byteOrder: "BIG",
                                                               wordOrder: "BIG")).decode(registers: registers[...])
        }
        // 0x3DFCD6E9 is 0.12345678359270096 as a float: rounded to 6 digits by default, 2 when asked.
        #expect(try decode(#"{"type":"32float","objectsCount":2}"#, [0x3DFC, 0xD6E9]) == .double(0.123457))
        #expect(try decode(#"{"type":"32float","objectsCount":2,"round":2}"#, [0x3DFC, 0xD6E9]) == .double(0.12))
        #expect(try decode(#"{"type":"16int","divider":10}"#, [0x00FF]) == .double(25.5))
        #expect(try decode(#"{"type":"16int","divider":5}"#, [10]) == .double(2.0))
        #expect(try decode(#"{"type":"16int","multiplier":3}"#, [7]) == .int(21))
        #expect(try decode(#"{"type":"16int","multiplier":0.5}"#, [7]) == .double(3.5))
        #expect(try decode(#"{"type":"16int","multiplier":0}"#, [7]) == .int(7))
        // int × int stays exact across the 64-bit range, as Python's ints do.
        let fiveE18: [UInt16] = [0x4563, 0x9182, 0x44F4, 0x0000]
        #expect(try decode(#"{"type":"64uint","objectsCount":4,"multiplier":2}"#, fiveE18) == .uint(10_000_000_000_000_000_000))
        #expect(try decode(#"{"type":"64uint","objectsCount":4,"multiplier":-1}"#, [0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF]) == .double(-1.8446744073709552e19))
        // A multiplier beyond 2^53 multiplies as a float (it cannot be held exactly), without trapping.
        #expect(try decode(#"{"type":"16int","multiplier":9223372036854775807}"#, [2]) == .double(1.8446744073709552e19))
    }

    @Test("variants map decoded values to labels")
    func variants() throws {
        let format = try #require(try ModbusValueTestHelpers.readFormat(
            item: #"{"type":"16uint","variants":{"0":"stopped","1":"running"}}"#, functionCode: 3,
            byteOrder: "BIG", wordOrder: "BIG"))
        #expect(format.decode(registers: [1][...]) == .string("running"))
        #expect(format.decode(registers: [2][...]) == .int(2))
        let coil = try #require(try ModbusValueTestHelpers.readFormat(
            item: #"{"type":"bit","variants":{"True":"open","False":"closed"}}"#, functionCode: 1,
            byteOrder: "BIG", wordOrder: "BIG"))
        #expect(coil.decode(bits: [false][...]) == .string("closed"))
    }

    @Test("strings that are not UTF-8 come out as hex, bytes always")
    func textAndBytes() throws {
        let string = try #require(try ModbusValueTestHelpers.readFormat(
            item: #"{"type":"string","objectsCount":2}"#, functionCode: 3, byteOrder: "LITTLE", wordOrder: "LITTLE"))
        #expect(string.decode(registers: [0x4869, 0x2121][...]) == .string("Hi!!"))
        #expect(string.decode(registers: [0xFF00, 0x4142][...]) == .string("ff004142"))
        let bytes = try #require(try ModbusValueTestHelpers.readFormat(
            item: #"{"type":"bytes","objectsCount":1}"#, functionCode: 3, byteOrder: "BIG", wordOrder: "BIG"))
        #expect(bytes.decode(registers: [0x0AFF][...]) == .string("0aff"))
    }
}
