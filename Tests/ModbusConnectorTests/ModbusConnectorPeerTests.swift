import Foundation
import GatewayKit
import ModbusConnector
import Testing
import TestSupport

/// The connector against a real pymodbus 3.16.1 server: the upstream blackbox cases produce their
/// expected values, attribute updates and RPCs write and read the server's registers, and a
/// device that stops answering does not slow a healthy one.
@Suite(.serialized, .timeLimit(.minutes(3))) struct ModbusConnectorPeerTests {
    static let blackbox = "upstream-tests/blackbox/data/modbus"

    /// The server's register image for a blackbox config: each item's registers at its address.
    static func registerImage(for device: JSONObject) throws -> [Int] {
        let configuration = try ModbusConnectorConfiguration(json: ModbusTestConfig.master([device]), file: "image")
        var image = [Int](repeating: 0, count: 40)
        for item in configuration.devices[0].readItems {
            guard let registers = ModbusValueDecodeTests.blackboxRegisters[item.key] else { continue }
            for (offset, register) in registers.enumerated() { image[Int(item.address) + offset] = Int(register) }
        }
        return image
    }

    @Test("blackbox register configs deliver the upstream values",
          arguments: ["holding_registers", "input_registers"], ["big", "little"])
    func blackboxRegistersThroughPymodbus(kind: String, order: String) async throws {
        let scratch = try makeScratchDirectory("modbus-blackbox")
        let configPath = "\(Self.blackbox)/configs/uplink_configs/modbus_uplink_converter_\(kind)_reading_\(order).json"
        var device = try ModbusTestConfig.blackboxDevice(configPath, port: 1)
        let image = try Self.registerImage(for: device)
        let values = ModbusPeer.Values(unit: 2, holdingRegisters: kind == "holding_registers" ? image : [0],
                                       inputRegisters: kind == "input_registers" ? image : [0])
        let (server, port) = try await ModbusPeer.startNetworkServer(in: scratch, values: values)
        defer { server.stop() }
        device["port"] = .int(Int64(port))
        let running = try RunningModbusConnector(ModbusTestConfig.master([device]))
        let arrived = await waitUntil(timeout: 15) { !running.gateway.readings(of: "Temp Sensor").isEmpty }
        await running.stop()
        #expect(arrived, "no readings; server log:\n\(server.output().suffix(1500))")

        let expected = try ModbusCompat.testValues("\(Self.blackbox)/test_values/uplink/\(kind)_values_\(order).json")
        let reading = try #require(running.gateway.readings(of: "Temp Sensor").first)
        let values_ = reading.telemetry.first?.values ?? [:]
        var checked = 0
        for (key, want) in expected where ModbusValueDecodeTests.blackboxRegisters[key] != nil {
            #expect(ModbusValueTestHelpers.same(values_[key], want), "\(kind) \(order) \(key): \(values_[key].map(\.jsonString) ?? "missing")")
            checked += 1
        }
        #expect(checked == 11)
        #expect(running.gateway.connects == ["Temp Sensor"])
    }

    @Test("blackbox coil and discrete input configs deliver the upstream values",
          arguments: ["coils", "discrete_input"], ["big", "little"])
    func blackboxBitsThroughPymodbus(kind: String, order: String) async throws {
        let scratch = try makeScratchDirectory("modbus-blackbox-bits")
        let configPath = "\(Self.blackbox)/configs/uplink_configs/modbus_uplink_converter_\(kind)_reading_\(order).json"
        var device = try ModbusTestConfig.blackboxDevice(configPath, port: 1)
        let bits = ModbusValueDecodeTests.blackboxCoils
        let values = ModbusPeer.Values(unit: 2, coils: kind == "coils" ? bits : [false],
                                       discreteInputs: kind == "discrete_input" ? bits : [false])
        let (server, port) = try await ModbusPeer.startNetworkServer(in: scratch, values: values)
        defer { server.stop() }
        device["port"] = .int(Int64(port))
        let running = try RunningModbusConnector(ModbusTestConfig.master([device]))
        let arrived = await waitUntil(timeout: 15) { !running.gateway.readings(of: "Temp Sensor").isEmpty }
        await running.stop()
        #expect(arrived, "no readings; server log:\n\(server.output().suffix(1500))")
        let expected = try ModbusCompat.testValues("\(Self.blackbox)/test_values/uplink/discrete_and_coils_registers_values_\(order).json")
        let reading = try #require(running.gateway.readings(of: "Temp Sensor").first)
        let all = (reading.telemetry.first?.values ?? [:]).merging(reading.attributes) { $1 }
        #expect(!expected.isEmpty)
        for (key, want) in expected {
            #expect(all[key] == want, "\(kind) \(order) \(key): \(all[key].map(\.jsonString) ?? "missing")")
        }
    }

    @Test("attribute updates write the upstream values into holding registers", arguments: ["big", "little"])
    func attributeUpdatesWriteRegisters(order: String) async throws {
        let scratch = try makeScratchDirectory("modbus-attrs")
        var device = try ModbusTestConfig.blackboxDevice(
            "\(Self.blackbox)/configs/attrs_update_configs/attrs_update_holding_registers_\(order).json", port: 1)
        let (server, port) = try await ModbusPeer.startNetworkServer(
            in: scratch, values: ModbusPeer.Values(unit: 2, holdingRegisters: [Int](repeating: 0, count: 40)))
        defer { server.stop() }
        device["port"] = .int(Int64(port))
        let running = try RunningModbusConnector(ModbusTestConfig.master([device]))
        let up = await waitUntil(timeout: 15) { !running.gateway.readings(of: "Temp Sensor").isEmpty }
        #expect(up, "no readings; server log:\n\(server.output().suffix(1500))")

        let wanted = try ModbusCompat.testValues("\(Self.blackbox)/test_values/attrs_update/holding_registers_values_\(order).json")
        var update: JSONObject = [:]
        for (key, value) in wanted { update[key] = value }
        await running.connector.handleAttributeUpdate(AttributeUpdate(deviceName: "Temp Sensor", values: update))
        // The written registers come back through the device's own timeseries (FC 3).
        let readBack = await waitUntil(timeout: 10) {
            running.gateway.latest("16int", of: "Temp Sensor") == wanted["16int"]
        }
        await running.stop()
        #expect(readBack, "16int never read back: \(running.gateway.latest("16int", of: "Temp Sensor").map(\.jsonString) ?? "nil")")
        for key in ["string", "16int", "16uint", "32int", "32uint", "64int"] {
            #expect(ModbusValueTestHelpers.same(running.gateway.latest(key, of: "Temp Sensor"), wanted[key]),
                    "\(order) \(key): \(running.gateway.latest(key, of: "Temp Sensor").map(\.jsonString) ?? "nil") ≠ \(wanted[key].map(\.jsonString) ?? "nil")")
        }
    }

    /// A register pair holding a NaN float gives no value; the other keys still arrive, and the
    /// converter logger (the reference's `<connector>_converter`) says which key and why, once.
    /// An attribute update its type cannot hold is reported there too.
    @Test func aValueThatDoesNotConvertIsLeftOutAndLoggedByTheConverterLogger() async throws {
        let scratch = try makeScratchDirectory("modbus-nan")
        let registers = [0x7FC0, 0x0000, 0x4148, 0x0000]  // NaN, 12.5 as big-endian 32-bit floats
        let (server, port) = try await ModbusPeer.startNetworkServer(in: scratch, values: ModbusPeer.Values(holdingRegisters: registers))
        defer { server.stop() }
        let device: JSONObject = [
            "host": "127.0.0.1", "port": .int(Int64(port)), "type": "tcp", "unitId": 1,
            "deviceName": "Flow", "pollPeriod": 100, "timeout": 2, "byteOrder": "BIG", "wordOrder": "BIG",
            "timeseries": [["tag": "broken", "type": "32float", "functionCode": 3, "objectsCount": 2, "address": 0],
                           ["tag": "flow", "type": "32float", "functionCode": 3, "objectsCount": 2, "address": 2]],
            "attributeUpdates": [["tag": "setpoint", "type": "16int", "functionCode": 6, "objectsCount": 1, "address": 4]],
        ]
        let connectorLog = LogRecorder()
        let converterLog = LogRecorder()
        let running = try RunningModbusConnector(ModbusTestConfig.master([device]), logger: connectorLog.logger("modbus"),
                                                 converterLogger: converterLog.logger("modbus_converter"))
        let polledTwice = await waitUntil(timeout: 15) { running.gateway.readings(of: "Flow").count >= 2 }
        await running.connector.handleAttributeUpdate(AttributeUpdate(deviceName: "Flow", values: ["setpoint": "twelve"]))
        await running.stop()
        #expect(polledTwice, "server log:\n\(server.output().suffix(1500))")
        #expect(running.gateway.readings(of: "Flow").allSatisfy { $0.telemetry.first?.values == ["flow": 12.5] })
        let noValue = converterLog.lines.filter { $0.contains("No value for broken") }
        #expect(noValue.count == 1 && noValue.allSatisfy { $0.hasPrefix("WARNING ") && $0.contains("device=Flow") },
                "\(converterLog.lines)")
        #expect(!connectorLog.lines.contains { $0.contains("No value") || $0.contains("twelve") })
        #expect(converterLog.lines.contains { $0.hasPrefix("ERROR Attribute update not written") && $0.contains("twelve") && $0.contains("key=setpoint") },
                "\(converterLog.lines)")
    }

    @Test func rpcsReadAndWriteAndAnswerInTheReferenceShapes() async throws {
        let scratch = try makeScratchDirectory("modbus-rpc")
        let (server, port) = try await ModbusPeer.startNetworkServer(in: scratch)
        defer { server.stop() }
        let device: JSONObject = [
            "host": "127.0.0.1", "port": .int(Int64(port)), "type": "tcp", "method": "socket", "unitId": 1,
            "deviceName": "Pump", "pollPeriod": 200, "timeout": 2, "byteOrder": "BIG", "wordOrder": "BIG",
            "timeseries": [["tag": "hr5", "type": "16int", "functionCode": 3, "objectsCount": 1, "address": 5]],
            "rpc": [["tag": "getHR7", "type": "16int", "functionCode": 3, "objectsCount": 1, "address": 7],
                    ["tag": "setHR5", "type": "16int", "functionCode": 6, "objectsCount": 1, "address": 5]],
        ]
        let running = try RunningModbusConnector(ModbusTestConfig.master([device]))
        defer { Task { await running.stop() } }
        let up = await waitUntil(timeout: 15) { running.gateway.latest("hr5", of: "Pump") == 105 }
        #expect(up)

        func rpc(_ method: String, _ params: JSONValue) async -> JSONValue {
            await running.connector.handleRPC(DeviceRPCRequest(deviceName: "Pump", id: 1, method: method, params: params))
        }
        #expect(await rpc("getHR7", [:]) == ["result": ["value": 107]])
        #expect(await rpc("setHR5", 4242) == ["result": ["value": 4242]])
        let written = await waitUntil(timeout: 5) { running.gateway.latest("hr5", of: "Pump") == 4242 }
        #expect(written, "the RPC write never showed in the poll")
        #expect(await rpc("get", "type=16int;functionCode=3;objectsCount=1;address=5;") == ["result": ["value": 4242]])
        #expect(await rpc("set", "type=16int;functionCode=6;objectsCount=1;address=6;value=-7;") == ["result": ["value": "-7"]])
        #expect(await rpc("get", "type=16int;functionCode=3;objectsCount=1;address=6;") == ["result": ["value": -7]])
        #expect(await rpc("modbus_read", ["type": "16int", "functionCode": 4, "objectsCount": 1, "address": 2])
                == ["result": ["value": 202]])
        #expect(await rpc("nope", [:]) == ["result": ["error": "Method not found for nope"]])
        // An address the server does not have: the device's exception comes back as the error.
        let failed = await rpc("get", "type=16int;functionCode=3;objectsCount=1;address=900;")
        #expect(failed["result"]?["error"] != nil, "\(failed)")
        // Connector RPC to every device.
        let all = await running.connector.handleConnectorRPC(
            method: "modbus_get", params: ["type": "16int", "functionCode": 3, "objectsCount": 1, "address": 5])
        #expect(all == [["result": 4242, "device_name": "Pump"]])
    }

    @Test(arguments: ["rtu", "ascii"])
    func aSerialDevicePollsOverAPseudoTerminal(framing: String) async throws {
        let scratch = try makeScratchDirectory("modbus-serial-\(framing)")
        let pty = try await PtyPair(in: scratch)
        defer { pty.stop() }
        let server = try await ModbusPeer.startSerialServer(mode: framing, tty: pty.first, in: scratch)
        defer { server.stop() }
        let device: JSONObject = [
            "type": "serial", "port": .string(pty.second), "method": .string(framing), "baudrate": 19200,
            "bytesize": 8, "parity": "N", "stopbits": 1, "unitId": 1, "deviceName": "Meter", "pollPeriod": 200,
            "timeout": 2, "byteOrder": "BIG", "wordOrder": "BIG",
            "timeseries": [["tag": "hr", "type": "16uint", "functionCode": 3, "objectsCount": 1, "address": 2],
                           ["tag": "ir", "type": "16uint", "functionCode": 4, "objectsCount": 1, "address": 3]],
            "attributeUpdates": [["tag": "hr", "type": "16uint", "functionCode": 6, "objectsCount": 1, "address": 2]],
        ]
        let running = try RunningModbusConnector(ModbusTestConfig.master([device]))
        let polled = await waitUntil(timeout: 15) { running.gateway.latest("ir", of: "Meter") == 203 }
        #expect(polled, "no serial readings; server log:\n\(server.output().suffix(1500))")
        #expect(running.gateway.latest("hr", of: "Meter") == 102)
        await running.connector.handleAttributeUpdate(AttributeUpdate(deviceName: "Meter", values: ["hr": 999]))
        let written = await waitUntil(timeout: 10) { running.gateway.latest("hr", of: "Meter") == 999 }
        await running.stop()
        #expect(written, "the write over \(framing) never read back")
    }

    @Test func aDeviceThatStopsAnsweringDoesNotDelayAHealthyOne() async throws {
        let scratch = try makeScratchDirectory("modbus-dead")
        let (healthyServer, healthyPort) = try await ModbusPeer.startNetworkServer(in: scratch)
        defer { healthyServer.stop() }
        // A listener that accepts connections and never answers: a hung device.
        let silent = try SilentTCPListener()
        defer { silent.stop() }
        func device(_ name: String, port: Int) -> JSONObject {
            ["host": "127.0.0.1", "port": .int(Int64(port)), "type": "tcp", "unitId": 1, "deviceName": .string(name),
             "pollPeriod": 100, "timeout": 1, "retries": 0,
             "timeseries": [["tag": "hr1", "type": "16uint", "functionCode": 3, "objectsCount": 1, "address": 1]]]
        }
        let running = try RunningModbusConnector(ModbusTestConfig.master([
            device("Healthy", port: healthyPort), device("Hung", port: silent.port)]))
        try await Task.sleep(for: .seconds(3))
        await running.stop()
        let polls = running.gateway.readings(of: "Healthy").count
        // 100 ms period over 3 s: ~30 polls; the hung device's 1 s timeouts must not gate them.
        #expect(polls >= 20, "healthy device polled only \(polls) times")
        #expect(running.gateway.readings(of: "Hung").isEmpty)
        #expect(running.gateway.connects == ["Healthy"])
    }
}

/// Accepts TCP connections on 127.0.0.1 and never replies (nor reads): a device that hangs.
final class SilentTCPListener: Sendable {
    let port: Int
    private let process: PeerProcess

    init() throws {
        port = freeTCPPort()
        let script = """
            import socket, time
            s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("127.0.0.1", \(port))); s.listen(16); held = []
            print("READY", flush=True)
            while True:
                c, _ = s.accept(); held.append(c)
            """
        process = try PeerProcess(executable: "python3", arguments: ["-u", "-c", script],
                                  logFile: try makeScratchDirectory("silent").appendingPathComponent("silent.log"))
        let port = self.port
        let open: Bool = waitUntil(timeout: 10) { isTCPPortOpen(port) }
        guard open else {
            throw PeerUnavailable(what: "silent TCP listener", hint: process.output())
        }
    }

    func stop() { process.killHard() }
}
