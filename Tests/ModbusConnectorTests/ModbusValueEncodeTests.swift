import GatewayKit
import ModbusConnector
import Testing

@Suite("Modbus value encoding")
struct ModbusValueEncodeTests {
    static func payload(_ expected: ExpectedWrite) -> ModbusWritePayload {
        switch expected {
        case .coil(let bit): .coil(bit)
        case .coils(let bits): .coils(bits)
        case .register(let word): .register(word)
        case .registers(let words): .registers(words)
        }
    }

    /// Where we write on purpose differently from the reference (see ModbusValueFormat.encodeBits):
    /// 16 coils per list whatever objectsCount, and a string cut to objectsCount registers.
    static func deviates(_ fixture: EncodeFixture) -> Bool {
        fixture.functionCode == 15 && ["bits", "coils"].contains(fixture.type) && fixture.objectsCount != 16
    }

    @Test("writes like the reference converter", arguments: referenceEncodeFixtures.filter { !deviates($0) })
    func referenceFixture(_ fixture: EncodeFixture) throws {
        let item = try ModbusValueTestHelpers.writeItem(
            type: fixture.type, objectsCount: fixture.objectsCount, functionCode: fixture.functionCode,
            byteOrder: fixture.byteOrder, wordOrder: fixture.wordOrder)
        let value = try JSONValue.parse(fixture.value)
        #expect(try item.encode(value) == Self.payload(fixture.expected),
                "\(fixture.type)×\(fixture.objectsCount) FC\(fixture.functionCode) \(fixture.byteOrder)/\(fixture.wordOrder) \(fixture.value)")
    }

    static let orders = [("BIG", "BIG"), ("BIG", "LITTLE"), ("LITTLE", "BIG"), ("LITTLE", "LITTLE")]
    static let samples: [(String, Int, [JSONValue])] = [
        ("8int", 1, [-128, 0, 127]), ("8uint", 1, [0, 200, 255]),
        ("16int", 1, [-32768, -1, 0, 12345, 32767]), ("16uint", 1, [0, 1, 65535]),
        ("16float", 1, [0.5, -2.25, 1024.0]),
        ("32int", 2, [-2_147_483_648, -5, 2_147_483_647]), ("32uint", 2, [0, 4_294_967_295]),
        ("32float", 2, [1.5, -0.125, 223546.34375]),
        ("64int", 4, [.int(Int64.min), -3_735_928_559, .int(Int64.max)]), ("64uint", 4, [0, 1_311_768_468_603_649_775, .uint(UInt64(Int64.max) + 1), .uint(.max)]),
        ("64float", 4, [123.45, -0.001, 6.02e23]),   // decoding rounds to 6 digits
        ("int", 2, [-7]), ("uint", 1, [9]), ("double", 4, [2.5]), ("float", 2, [0.75]),
        ("string", 3, ["abcdef", "ab"]), ("bytes", 2, ["00ff10ab"]),
    ]

    @Test("register round trip for every type and order", arguments: 0 ..< 4)
    func registerRoundTrip(order: Int) throws {
        let (byteOrder, wordOrder) = Self.orders[order]
        for (type, count, values) in Self.samples {
            let write = try ModbusValueTestHelpers.writeItem(type: type, objectsCount: count, functionCode: 16,
                                                             byteOrder: byteOrder, wordOrder: wordOrder)
            let read = try #require(try ModbusValueTestHelpers.readFormat(
                item: #"{"type":"\#(type)","objectsCount":\#(count)}"#, functionCode: 3,
                byteOrder: byteOrder, wordOrder: wordOrder))
            for value in values {
                let registers = try write.format.encodeRegisters(value)
                #expect(registers.count == count, "\(type) \(value)")
                var expected = value
                if type == "string", case .string(let text) = value, text.utf8.count < count * 2 {
                    // Zero padding comes back as NUL characters, as in the reference.
                    expected = .string(text + String(repeating: "\u{0}", count: count * 2 - text.utf8.count))
                }
                #expect(read.decode(registers: registers[...]) == expected,
                        "\(type) \(byteOrder)/\(wordOrder) \(value) → \(registers)")
            }
        }
    }

    @Test("coil round trip: lists of 1, 3, 8, 16 and 24 bits", arguments: [1, 3, 8, 16, 24])
    func coilRoundTrip(count: Int) throws {
        let write = try ModbusValueTestHelpers.writeItem(type: "bits", objectsCount: count,
                                                         functionCode: count == 1 ? 5 : 15,
                                                         byteOrder: "BIG", wordOrder: "BIG")
        let read = try #require(try ModbusValueTestHelpers.readFormat(
            item: #"{"type":"bits","objectsCount":\#(count)}"#, functionCode: 1, byteOrder: "BIG", wordOrder: "BIG"))
        let bits = (0 ..< count).map { $0 % 3 == 0 || $0 == 5 }
        let value: JSONValue = count == 1 ? .bool(true) : .array(bits.map(JSONValue.bool))
        let coils = try write.format.encodeBits(value)
        #expect(coils.count == count)
        // Decoding reads the first 16 bits only (pymodbus reads two bytes): compare what it returns.
        if count <= 16 || count % 8 == 0 {
            let decoded = read.decode(bits: coils[...])
            if count <= 16 { #expect(decoded == value) }
        }
    }

    @Test("upstream write tests: the value written by RPC reads back through the telemetry item",
          arguments: ["big", "little"])
    func blackboxWriteReadBack(order: String) throws {
        let configuration = try ModbusCompat.load(
            "upstream-tests/blackbox/data/modbus/configs/rpc_configs/holding_registers_writing_rpc_\(order).json")
        let values = try ModbusCompat.testValues(
            "upstream-tests/blackbox/data/modbus/test_values/rpc/holding_registers_values_writing_\(order).json")
        let device = try #require(configuration.devices.first)
        var checked = 0
        for rpc in device.rpc {
            guard let value = values[rpc.method], let reader = device.readItems.first(where: { $0.key == rpc.method }) else {
                continue
            }
            let registers: [UInt16]
            switch try rpc.encode(value) {
            case .register(let word): registers = [word]
            case .registers(let words): registers = words
            default: Issue.record("\(rpc.method): not a register write"); continue
            }
            #expect(rpc.address == reader.address)
            let decoded = reader.format.decode(registers: registers[...])
            #expect(ModbusValueTestHelpers.same(decoded, value), "\(rpc.method): \(decoded.map(\.jsonString) ?? "nil")")
            checked += 1
        }
        #expect(checked == 11)
    }

    @Test("upstream coil writes read back", arguments: ["big", "little"])
    func blackboxCoils(order: String) throws {
        let configuration = try ModbusCompat.load(
            "upstream-tests/blackbox/data/modbus/configs/attrs_update_configs/attrs_update_coils_registers_\(order).json")
        let values = try ModbusCompat.testValues(
            "upstream-tests/blackbox/data/modbus/test_values/attrs_update/discrete_and_coils_registers_values_\(order).json")
        let device = try #require(configuration.devices.first)
        let update = try #require(device.attributeUpdate(forKey: "bits"))
        let value = try #require(values["bits"])
        guard case .coils(let coils) = try update.encode(value) else { Issue.record("not FC 15"); return }
        let read = try #require(try ModbusValueTestHelpers.readFormat(
            item: #"{"type":"bits","objectsCount":16}"#, functionCode: 1, byteOrder: order.uppercased(), wordOrder: order.uppercased()))
        #expect(read.decode(bits: coils[...]) == value)
    }

    @Test("values arriving as strings")
    func stringValues() throws {
        let float = try ModbusValueTestHelpers.writeItem(type: "32float", objectsCount: 2, functionCode: 16,
                                                         byteOrder: "BIG", wordOrder: "BIG")
        #expect(try float.encode("12.5") == .registers([0x4148, 0x0000]))
        let int = try ModbusValueTestHelpers.writeItem(type: "16int", objectsCount: 1, functionCode: 6,
                                                       byteOrder: "BIG", wordOrder: "BIG")
        #expect(try int.encode(" -3 ") == .register(0xFFFD))
        #expect(try int.encode(true) == .register(1))
        let coil = try ModbusValueTestHelpers.writeItem(type: "bit", objectsCount: 1, functionCode: 5,
                                                        byteOrder: "BIG", wordOrder: "BIG")
        #expect(try coil.encode("true") == .coil(true))
        #expect(try coil.encode("0") == .coil(false))
        let coils = try ModbusValueTestHelpers.writeItem(type: "coils", objectsCount: 8, functionCode: 15,
                                                         byteOrder: "BIG", wordOrder: "BIG")
        #expect(try coils.encode("[true,false]") == coils.encode([true, false]))
        #expect(try coils.encode("10") == coils.encode([true, false]))
        #expect(try coils.encode(5) == coils.encode([true, false, true]))   // Python bin(5)
        let counter = try ModbusValueTestHelpers.writeItem(type: "64uint", objectsCount: 4, functionCode: 16,
                                                           byteOrder: "BIG", wordOrder: "BIG")
        // A JSON number above Int64 (from an RPC's params) and text from ThingsBoard (it stores
        // integers above Long as text) are written exactly; "1e19" and a double as Python's int() reads them.
        #expect(try counter.encode(JSONValue.parse("18446744073709551614")) == .registers([0xFFFF, 0xFFFF, 0xFFFF, 0xFFFE]))
        #expect(try counter.encode("18446744073709551614") == .registers([0xFFFF, 0xFFFF, 0xFFFF, 0xFFFE]))
        #expect(try counter.encode("1e19") == .registers([0x8AC7, 0x2304, 0x89E8, 0x0000]))
        #expect(try counter.encode(.double(1.8446744073709550e19)) == .registers([0xFFFF, 0xFFFF, 0xFFFF, 0xF800]))
    }

    @Test("values that cannot be written give a clear error")
    func errors() throws {
        func message(_ type: String, _ count: Int, _ fc: Int, _ value: JSONValue) -> String? {
            do {
                let item = try ModbusValueTestHelpers.writeItem(type: type, objectsCount: count, functionCode: fc,
                                                                byteOrder: "BIG", wordOrder: "BIG")
                _ = try item.encode(value)
                return nil
            } catch let error as ModbusEncodeError {
                return error.message
            } catch {
                return "\(error)"
            }
        }
        #expect(message("16int", 1, 6, 40000) == "value 40000 is out of range for 16int")
        #expect(message("16uint", 1, 6, -1) == "value -1 is out of range for 16uint")
        #expect(message("8int", 1, 6, 128) == "value 128 is out of range for 8int")
        #expect(message("64int", 4, 16, .uint(.max)) == "value 18446744073709551615 is out of range for 64int")
        #expect(message("32uint", 2, 16, .uint(.max)) == "value 18446744073709551615 is out of range for 32uint")
        #expect(message("16float", 1, 6, 1e6) == "value 1000000.0 is out of range for 16float")
        #expect(message("32int", 2, 16, "twelve") == #"cannot write "twelve" as 32int: expected an integer"#)
        #expect(message("32float", 2, 16, ["a": 1]) == #"cannot write {"a":1} as 32float: expected a number"#)
        #expect(message("string", 1, 6, "abc") == #"value "abc" needs 3 bytes, but objectsCount 1 holds 2"#)
        #expect(message("bit", 1, 5, "maybe") == #"cannot write "maybe" as a bit: expected true/false or 1/0"#)
        #expect(message("bits", 2, 15, [true, true, true]) == "value [true,true,true] has 3 bits, but objectsCount is 2")
    }
}
