import GatewayKit
import ModbusConnector
import Testing

@Suite("Modbus connector configuration")
struct ModbusConfigParseTests {
    @Test("every reference and upstream Modbus config parses")
    func corpus() throws {
        let paths = try ModbusCompat.allConfigPaths()
        #expect(paths.count >= 45)
        for path in paths {
            do {
                let configuration = try ModbusCompat.load(path)
                #expect(!configuration.devices.isEmpty || configuration.server != nil, "\(path): nothing configured")
            } catch {
                Issue.record("\(path): \(error)")
            }
        }
    }

    @Test("the reference modbus.json: device keys, defaults and the server section")
    func referenceConfig() throws {
        let configuration = try ModbusCompat.load("reference-configs/modbus.json")
        let device = try #require(configuration.devices.first)
        #expect(device.deviceName == "Demo Device")
        #expect(device.connection.transport == .tcp(host: "127.0.0.1", port: 5021))
        #expect(device.connection.framing == .socket)
        #expect(device.timeout == .seconds(35))
        #expect(device.retries == 3)
        #expect(device.pollPeriod == .milliseconds(1000))
        #expect(device.connectAttemptTime == .milliseconds(5000))
        #expect(device.waitAfterFailedAttempts == .milliseconds(300_000))
        #expect(device.wordOrder == .little)
        #expect(device.byteOrder == .big)
        #expect(!device.timeseries.isEmpty)
        let server = try #require(configuration.server)
        #expect(server.deviceName == "Modbus Slave Example")
        #expect(server.sendDataToThingsBoard == false)
        #expect(server.connection.transport == .tcp(host: "127.0.0.1", port: 5026))
        let areas = server.initialAreas()
        // "sm" = "ON" at holding register 1, "smm" = 12334 at 2 (16int, LITTLE byte order),
        // a 32int 1243 at 29–30 and setValue 22 at 31.
        #expect(areas.holdingRegisters.count == 32)
        #expect(areas.holdingRegisters[1] == 0x4F4E)
        #expect(areas.holdingRegisters[2] == UInt16(12334).byteSwapped)
        #expect(areas.holdingRegisters[29] == 0xDB04 && areas.holdingRegisters[30] == 0)
        #expect(areas.holdingRegisters[31] == UInt16(22).byteSwapped)
        // (These are the values the reference's own server context holds for this file.)
        #expect(areas.coils.count == 6)
        // The server polled as a device reads its attributes with the area's function code.
        let polled = server.device
        #expect(polled.deviceName == "Modbus Slave Example")
        #expect(polled.attributes.contains { $0.key == "sm" && $0.functionCode == 3 && $0.address == 1 })
    }

    @Test("the reference modbus_serial.json")
    func serialConfig() throws {
        let device = try #require(try ModbusCompat.load("reference-configs/modbus_serial.json").devices.first)
        #expect(device.connection.transport == .serial(port: "/dev/tty0", baudRate: 9600, byteSize: 8, parity: .none, stopBits: 1))
        #expect(device.connection.framing == .rtu)
    }

    static func parse(_ slave: JSONValue) throws(ConfigError) -> ModbusConnectorConfiguration {
        try ModbusConnectorConfiguration(json: ["master": ["slaves": [slave]]], file: "modbus.json")
    }

    static let minimal: JSONObject = ["deviceName": "Meter", "unitId": 1, "host": "10.0.0.5", "port": 502]

    static func with(_ changes: JSONObject) -> JSONValue {
        var object = minimal
        for (key, value) in changes { object[key] = value }
        return .object(object)
    }

    @Test("defaults of a minimal device")
    func defaults() throws {
        let device = try #require(try Self.parse(.object(Self.minimal)).devices.first)
        #expect(device.deviceType == "default")
        #expect(device.timeout == .seconds(30))
        #expect(device.retries == 3)
        #expect(device.pollPeriod == .milliseconds(5000))
        #expect(device.connectAttemptTime == .milliseconds(500))
        #expect(device.connectAttemptCount == 2)
        #expect(device.waitAfterFailedAttempts == .milliseconds(30000))
        #expect(device.delayBetweenRequests == .zero)
        #expect(device.byteOrder == .little && device.wordOrder == .little)
        #expect(device.connection.tls == nil)
        #expect(device.reportStrategy == nil)
    }

    @Test("values below the reference minimums are raised, with a warning")
    func minimums() throws {
        let configuration = try Self.parse(Self.with(["connectAttemptTimeMs": 100, "connectAttemptCount": 1,
                                                      "waitAfterFailedAttemptsMs": 1000]))
        let device = try #require(configuration.devices.first)
        #expect(device.connectAttemptTime == .milliseconds(500))
        #expect(device.connectAttemptCount == 2)
        #expect(device.waitAfterFailedAttempts == .milliseconds(30000))
        #expect(configuration.warnings.count == 3)
        #expect(configuration.warnings.contains { $0.contains("master.slaves[0].connectAttemptCount") })
    }

    @Test("retries: bool or integer")
    func retries() throws {
        #expect(try Self.parse(Self.with(["retries": false])).devices[0].retries == 0)
        #expect(try Self.parse(Self.with(["retries": 7])).devices[0].retries == 7)
        #expect(throws: ConfigError.self) { try Self.parse(Self.with(["retries": "often"])) }
    }

    @Test("serial, udp, tls and framing keys")
    func connections() throws {
        let serial = try Self.parse(Self.with(["type": "serial", "port": "/dev/ttyUSB0", "method": "ascii",
                                               "parity": "E", "stopbits": 2, "bytesize": 7, "handleLocalEcho": true]))
        #expect(serial.devices[0].connection == ModbusConnectionSettings(
            transport: .serial(port: "/dev/ttyUSB0", baudRate: 19200, byteSize: 7, parity: .even, stopBits: 2),
            framing: .ascii, handleLocalEcho: true))
        #expect(throws: ConfigError.self) { try Self.parse(Self.with(["type": "serial", "port": "/dev/ttyS0", "parity": "X"])) }
        let udp = try Self.parse(Self.with(["type": "UDP"]))
        #expect(udp.devices[0].connection.transport == .udp(host: "10.0.0.5", port: 502))
        let tls = try Self.parse(Self.with(["tls": ["certfile": "c.pem", "keyfile": "k.pem", "password": "x"]]))
        #expect(tls.devices[0].connection.tls == ModbusTLSSettings(certFile: "c.pem", keyFile: "k.pem", password: "x"))
        // Devices on the same host:port share one connection.
        let two = try ModbusConnectorConfiguration(
            json: ["master": ["slaves": [Self.with(["unitId": 1]), Self.with(["unitId": 2, "deviceName": "B"])]]],
            file: "modbus.json")
        #expect(Set(two.devices.map(\.connection)).count == 1)
    }

    @Test("mistakes name the file and key path")
    func errors() throws {
        func failure(_ slave: JSONValue) -> ConfigError? {
            do { _ = try Self.parse(slave); return nil } catch { return error }
        }
        let badFunction = failure(Self.with(["timeseries": [
            ["tag": "a", "type": "16int", "functionCode": 3, "address": 0],
            ["tag": "b", "type": "16int", "functionCode": 3, "address": 1],
            ["tag": "c", "type": "16int", "functionCode": 7, "address": 2],
        ]]))
        #expect(badFunction?.file == "modbus.json")
        #expect(badFunction?.keyPath == "master.slaves[0].timeseries[2].functionCode")
        #expect(badFunction?.found == "7")
        #expect(failure(Self.with(["unitId": 300]))?.keyPath == "master.slaves[0].unitId")
        #expect(failure(.object(Self.minimal.filter { $0.key != "deviceName" }))?.keyPath == "master.slaves[0].deviceName")
        #expect(failure(Self.with(["attributes": [["tag": "a", "type": "16int", "functionCode": 3, "address": 70000]]]))?
            .keyPath == "master.slaves[0].attributes[0].address")
        #expect(failure(Self.with(["attributeUpdates": [["tag": "a", "type": "16int", "functionCode": 3, "address": 1]]]))?
            .keyPath == "master.slaves[0].attributeUpdates[0].functionCode")
        #expect(failure(Self.with(["method": "carrier-pigeon"]))?.keyPath == "master.slaves[0].method")
        #expect(failure(Self.with(["timeout": -1]))?.keyPath == "master.slaves[0].timeout")
        #expect(failure(Self.with(["type": "carrier-pigeon"]))?.keyPath == "master.slaves[0].type")
        #expect(failure(Self.with(["rpc": [["tag": "x", "type": "16int", "functionCode": 9, "address": 1]]]))?
            .keyPath == "master.slaves[0].rpc[0].functionCode")
    }

    @Test("an unknown type drops that datapoint with a warning, as the reference does at decode time")
    func unknownType() throws {
        let configuration = try Self.parse(Self.with(["timeseries": [
            ["tag": "a", "type": "4bits", "functionCode": 4, "address": 0],
            ["tag": "b", "type": "8Uint", "functionCode": 4, "address": 1],
        ]]))
        #expect(configuration.devices[0].timeseries.map(\.key) == ["b"])
        #expect(configuration.warnings.contains { $0.contains("timeseries[0].type") && $0.contains("4bits") })
    }

    @Test("wide address ranges expand into one datapoint per objectsCount with rendered keys")
    func wideRange() throws {
        let configuration = try Self.parse(Self.with(["unitId": 3, "timeseries": [
            ["tag": "reg_${unitId}_${functionCode}_${address}_${type}_${objectsCount}", "type": "32int",
             "functionCode": 4, "objectsCount": 2, "address": "10-15", "maxRegistersPerRequest": 4],
            ["tag": "coil", "type": "bit", "functionCode": 1, "address": "0-2"],
        ]]))
        let items = configuration.devices[0].timeseries
        #expect(items.map(\.key) == ["reg_3_4_10_32int_2", "reg_3_4_12_32int_2", "reg_3_4_14_32int_2",
                                     "coil_0", "coil_1", "coil_2"])
        #expect(items.map(\.address) == [10, 12, 14, 0, 1, 2])
        #expect(items[0].maxRegistersPerRequest == 4)
        #expect(items[3].maxRegistersPerRequest == 16)
        #expect(configuration.warnings.contains { $0.contains("no ${address}") })
        // The plan honours the range's request limit: 6 registers in requests of at most 4.
        let plan = ModbusReadPlan(items: Array(items[0 ..< 3]))
        #expect(plan.requests.map(\.count) == [4, 2])
    }

    @Test("item keys: objectsCount spellings, divider, bit, variants and per-key report strategy")
    func itemKeys() throws {
        let configuration = try Self.parse(Self.with(["byteOrder": "BIG", "timeseries": [
            ["tag": "a", "type": "int", "functionCode": 3, "registerCount": 2, "address": 0, "divider": 10,
             "reportStrategy": ["type": "ON_CHANGE"]],
            ["tag": "b", "type": "bits", "functionCode": 1, "objectsCount": 8, "address": 0, "bit": 3,
             "bitTargetType": "int", "variants": ["1": "on"]],
        ]]))
        let items = configuration.devices[0].timeseries
        #expect(items[0].format.type == .int32)
        #expect(items[0].format.objectsCount == 2)
        #expect(items[0].format.divider == 10)
        #expect(items[0].format.byteOrder == .big)
        #expect(items[0].reportStrategy?.kind == .onChange)
        #expect(items[1].format.bit == 3)
        #expect(items[1].format.bitTargetType == .int)
        #expect(items[1].format.variants == ["1": .string("on")])
    }

    @Test("rpc as an object keyed by method, and RPC params as an ad-hoc item")
    func rpcForms() throws {
        let configuration = try Self.parse(Self.with(["rpc": [
            "setValue": ["type": "16int", "functionCode": 6, "address": 3],
            "getValue": ["type": "16int", "functionCode": 3, "address": 3],
        ]]))
        let device = configuration.devices[0]
        #expect(device.rpcItem(forMethod: "setValue")?.functionCode == 6)
        #expect(device.rpcItem(forMethod: "getValue")?.isRead == true)
        let adHoc = try ModbusRPCItem(method: "get", params: ["type": "32float", "functionCode": 4,
                                                              "objectsCount": 2, "address": 7],
                                      byteOrder: .big, wordOrder: .big)
        #expect(adHoc.address == 7 && adHoc.format.type == .float32)
    }

    @Test("the pre-3.0 layout: server.devices inherit the connection keys")
    func legacyLayout() throws {
        let json: JSONValue = ["server": [
            "type": "tcp", "host": "192.168.1.2", "port": 5020, "timeout": 5, "byteOrder": "BIG",
            "devices": [["unitId": 1, "deviceName": "Old", "timeseriesPollPeriod": 2000,
                         "timeseries": [["tag": "t", "type": "16int", "functionCode": 3, "address": 0]]]],
        ]]
        let configuration = try ModbusConnectorConfiguration(json: json, file: "modbus.json")
        let device = try #require(configuration.devices.first)
        #expect(device.connection.transport == .tcp(host: "192.168.1.2", port: 5020))
        #expect(device.pollPeriod == .milliseconds(2000))
        #expect(device.timeout == .seconds(5))
        #expect(device.byteOrder == .big)
        #expect(configuration.warnings.contains { $0.contains("old configuration layout") })
    }

    @Test("server values: legacy list form, coils and bad initial values")
    func serverValues() throws {
        let json: JSONValue = ["slave": [
            "type": "tcp", "host": "127.0.0.1", "port": 5026, "byteOrder": "BIG", "wordOrder": "BIG", "unitId": 1,
            "deviceName": "Gateway server", "sendDataToThingsBoard": true,
            "values": [
                "holding_registers": [["attributes": [["tag": "a", "type": "32int", "objectsCount": 2, "address": 4,
                                                       "value": -2]]]],
                "coils_initializer": ["timeseries": [["tag": "c", "type": "bits", "objectsCount": 1, "address": 3,
                                                      "value": true]]],
                "discrete_inputs": ["attributes": [["tag": "d", "type": "bits", "objectsCount": 8, "address": 0,
                                                    "value": [true, false, false, false, false, false, false, false]]]],
            ],
        ]]
        let server = try #require(try ModbusConnectorConfiguration(json: json, file: "modbus.json").server)
        let areas = server.initialAreas()
        #expect(areas.holdingRegisters == [0, 0, 0, 0, 0xFFFF, 0xFFFE])
        #expect(areas.coils == [false, false, false, true])
        // Reversed within the byte, so that reading 8 inputs gives the list back.
        #expect(areas.discreteInputs == [false, false, false, false, false, false, false, true])
        #expect(areas.inputRegisters.isEmpty)
        #expect(server.device.timeseries.first?.functionCode == 1)

        var bad = json
        if case .object(var root) = bad, case .object(var slave)? = root["slave"] {
            slave["values"] = ["input_registers": ["rpc": [["tag": "r", "type": "8int", "objectsCount": 1,
                                                              "functionCode": 6, "address": 0, "value": 300]]]]
            root["slave"] = .object(slave)
            bad = .object(root)
        }
        #expect {
            try ModbusConnectorConfiguration(json: bad, file: "modbus.json")
        } throws: { error in
            (error as? ConfigError)?.keyPath == "slave.values.input_registers.rpc[0].value"
        }
    }
}

@Suite("Modbus reserved get/set RPCs")
struct ModbusConfigReservedRPCTests {
    @Test("get and set params parse into an item (and the value to write)")
    func parse() throws {
        let get = try ModbusReservedRPC(method: "get", params: "type=32float;functionCode=4;objectsCount=2;address=7;",
                                        byteOrder: .big, wordOrder: .big)
        #expect(get.item.functionCode == 4 && get.item.address == 7 && get.item.format.type == .float32)
        #expect(get.value == nil)
        let set = try ModbusReservedRPC(method: "set", params: "type=16int;functionCode=6;objectsCount=1;address=3;value=-2;",
                                        byteOrder: .big, wordOrder: .big)
        #expect(set.value == .string("-2"))
        #expect(try set.item.encode(try #require(set.value)) == .register(0xFFFE))
    }

    @Test("params off the schema are refused with the schema in the message")
    func refused() {
        for (method, params) in [("get", "type=16int;functionCode=6;objectsCount=1;address=3;"),
                                 ("set", "type=16int;functionCode=6;objectsCount=1;address=3;"),
                                 ("get", "type=16int;address=x;")] {
            #expect(throws: ConfigError.self, "\(method) \(params)") {
                try ModbusReservedRPC(method: method, params: params, byteOrder: .big, wordOrder: .big)
            }
        }
    }
}
