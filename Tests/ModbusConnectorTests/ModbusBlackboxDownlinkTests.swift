import Foundation
import GatewayKit
import ModbusConnector
import Testing
import TestSupport

/// The upstream blackbox RPC and attribute-update configs (all function codes, BIG and LITTLE)
/// against a real pymodbus server: reading RPCs answer the upstream values, writing RPCs and
/// attribute updates put the upstream values into the device, read back as a user would.
///
/// Upstream reads the writes back through telemetry from a simulator whose four tables share
/// one memory; pymodbus here keeps them apart, so a write that lands in holding registers or
/// coils is read back from there (through the device's telemetry where it polls that table,
/// otherwise through a reserved `get` RPC of the same type, count and address).
@Suite(.serialized, .timeLimit(.minutes(3))) struct ModbusBlackboxDownlinkTests {
    static let blackbox = ModbusConnectorPeerTests.blackbox

    /// The config's only device, its `rpc` (or `attributeUpdates`) items, and a connector
    /// polling it on a pymodbus server holding the upstream register and coil image.
    struct Setup {
        let server: PeerProcess
        let running: RunningModbusConnector
        let items: [JSONObject]

        init(config: String, section: String, serverImage: Bool) async throws {
            let scratch = try makeScratchDirectory("modbus-blackbox-downlink")
            var device = try ModbusTestConfig.blackboxDevice("\(ModbusBlackboxDownlinkTests.blackbox)/configs/\(config)", port: 1)
            let image = serverImage ? try ModbusConnectorPeerTests.registerImage(for: device) : [Int](repeating: 0, count: 40)
            let bits = serverImage ? ModbusValueDecodeTests.blackboxCoils : [Bool](repeating: false, count: 16)
            let values = ModbusPeer.Values(unit: 2, coils: bits, discreteInputs: bits,
                                           holdingRegisters: image, inputRegisters: image)
            let (server, port) = try await ModbusPeer.startNetworkServer(in: scratch, values: values)
            device["port"] = .int(Int64(port))
            self.server = server
            running = try RunningModbusConnector(ModbusTestConfig.master([device]))
            items = (device[section]?.arrayValue ?? []).compactMap(\.objectValue)
            let up = await waitUntil(timeout: 15) { !self.running.gateway.readings(of: "Temp Sensor").isEmpty }
            if !up {
                server.stop()
                Issue.record("no readings; server log:\n\(server.output().suffix(1500))")
            }
        }

        func rpc(_ method: String, _ params: JSONValue) async -> JSONValue {
            await running.connector.handleRPC(DeviceRPCRequest(deviceName: "Temp Sensor", id: 7, method: method, params: params))
        }

        /// What the device holds where `item` writes: FC 5/15 wrote coils, FC 6/16 registers.
        func readBack(_ item: JSONObject) async -> JSONValue? {
            let writtenCoils = [5, 15].contains(item["functionCode"]?.intValue ?? 0)
            let type = writtenCoils ? "bits" : (item["type"]?.stringValue ?? "")
            let query = "type=\(type);functionCode=\(writtenCoils ? 1 : 3);"
                + "objectsCount=\(item["objectsCount"]?.intValue ?? 1);address=\(item["address"]?.intValue ?? 0);"
            return await rpc("get", .string(query))["result"]?["value"]
        }

        func stop() async {
            await running.stop()
            server.stop()
        }
    }

    /// A float read back from a 16/32-bit register holds the written value to the type's
    /// precision, rounded to 6 decimals as the reference does; other types read back exactly.
    static func matches(_ back: JSONValue?, _ want: JSONValue, _ item: JSONObject) -> Bool {
        guard item["type"]?.stringValue?.contains("float") == true else { return ModbusValueTestHelpers.same(back, want) }
        guard let back = back?.doubleValue, let want = want.doubleValue else { return false }
        return abs(back - want) <= max(1e-6, 1e-3 * abs(want))
    }

    @Test("reading RPCs answer the upstream values",
          arguments: ["holding_registers", "input_registers", "coils", "discrete_inputs"], ["big", "little"])
    func readingRPCs(kind: String, order: String) async throws {
        let setup = try await Setup(config: "rpc_configs/\(kind)_reading_rpc_\(order).json", section: "rpc", serverImage: true)
        let valuesFile = kind.contains("registers") ? "\(kind)_values_reading_\(order)" : "discrete_and_coils_registers_values_reading_\(order)"
        let expected = try ModbusCompat.testValues("\(Self.blackbox)/test_values/rpc/\(valuesFile).json")
        var answered = 0
        for var item in setup.items {
            guard case .string(let tag)? = item.removeValue(forKey: "tag"), let want = expected[tag] else { continue }
            // Upstream sends the item itself (without its tag) as the RPC's params.
            // The method is looked up by name: input_registers_reading_rpc_big.json's second "bits"
            // item (type "4bits") runs the first one, as in the reference.
            let reply = await setup.rpc(tag, .object(item))
            let value = try #require(reply["result"]?["value"], "\(kind) \(order) \(tag): \(reply.jsonString)")
            #expect(ModbusValueTestHelpers.same(value, want), "\(kind) \(order) \(tag): \(value.jsonString) ≠ \(want.jsonString)")
            answered += 1
        }
        await setup.stop()
        // Eleven register types, plus the extra bits item of the input register configs.
        #expect(answered == (kind == "input_registers" ? 12 : kind.contains("registers") ? 11 : 2))
    }

    @Test("writing RPCs put the upstream values into the device",
          arguments: ["holding_registers", "input_registers", "coils", "discrete_inputs"], ["big", "little"])
    func writingRPCs(kind: String, order: String) async throws {
        let setup = try await Setup(config: "rpc_configs/\(kind)_writing_rpc_\(order).json", section: "rpc", serverImage: false)
        let valuesFile = kind.contains("registers") ? "\(kind)_values_writing_\(order)" : "discrete_and_coils_registers_values_writing_\(order)"
        let expected = try ModbusCompat.testValues("\(Self.blackbox)/test_values/rpc/\(valuesFile).json")
        var written = 0
        for item in setup.items {
            guard case .string(let tag)? = item["tag"], let want = expected[tag] else { continue }
            // Upstream sends the expected value as the RPC's params; the reply echoes it.
            let reply = await setup.rpc(tag, want)
            #expect(reply["result"]?["value"] != nil, "\(kind) \(order) \(tag): \(reply.jsonString)")
            let back = await setup.readBack(item)
            #expect(Self.matches(back, want, item), "\(kind) \(order) \(tag) read back: \(back.map(\.jsonString) ?? "nil") ≠ \(want.jsonString)")
            written += 1
        }
        if kind == "holding_registers" || kind == "coils" {
            // The device polls the table it was written to: the values reach its telemetry too.
            let keys = expected.keys.filter { key in setup.items.contains { $0["tag"]?.stringValue == key } }
            let arrived = await waitUntil(timeout: 10) {
                keys.allSatisfy { ModbusValueTestHelpers.same(setup.running.gateway.latest($0, of: "Temp Sensor"), expected[$0]) }
            }
            #expect(arrived, "\(kind) \(order): telemetry never showed the written values")
        }
        await setup.stop()
        #expect(written == (kind.contains("registers") ? 11 : 1))
    }

    @Test("attribute updates write coils and registers of every upstream config",
          arguments: ["coils_registers", "discrete_input", "input_registers"], ["big", "little"])
    func attributeUpdates(kind: String, order: String) async throws {
        let setup = try await Setup(config: "attrs_update_configs/attrs_update_\(kind)_\(order).json",
                                    section: "attributeUpdates", serverImage: false)
        let valuesFile = kind == "input_registers" ? "input_registers_values_\(order)" : "discrete_and_coils_registers_values_\(order)"
        let expected = try ModbusCompat.testValues("\(Self.blackbox)/test_values/attrs_update/\(valuesFile).json")
        var update: JSONObject = [:]
        for (key, value) in expected { update[key] = value }
        await setup.running.connector.handleAttributeUpdate(AttributeUpdate(deviceName: "Temp Sensor", values: update))
        var checked = 0
        for item in setup.items {
            guard case .string(let tag)? = item["tag"], let want = expected[tag] else { continue }
            // The write is queued behind the device's polls: wait for it to land.
            var back: JSONValue?
            _ = await waitUntil(timeout: 10, checking: {
                back = await setup.readBack(item)
                return Self.matches(back, want, item)
            })
            #expect(Self.matches(back, want, item), "\(kind) \(order) \(tag) read back: \(back.map(\.jsonString) ?? "nil") ≠ \(want.jsonString)")
            checked += 1
        }
        await setup.stop()
        #expect(checked == (kind == "input_registers" ? 11 : 1))
    }
}
