import GatewayKit
import Testing
@testable import OPCUAConnector

/// The upstream gateway's OPC-UA blackbox cases (uplink, RPC, attribute updates), run against
/// a real asyncua server with the same node layout. Where the upstream tests read values back
/// from ThingsBoard, these read what the connector hands to the gateway.
@Suite("OPC-UA blackbox cases against asyncua", .serialized)
struct BlackboxIntegrationTests {
    static let device = "Temp Sensor"

    /// Upstream uplink config → the values file its test expects. The server is only read, so
    /// one serves every case.
    static let uplinkCases = [
        ("uplink_configs/opcua_uplink_converter_absolute_path.json", "uplink/different_paths_finding_methods_values.json"),
        ("uplink_configs/opcua_uplink_converter_relative_path.json", "uplink/different_paths_finding_methods_values.json"),
        ("uplink_configs/opcua_uplink_converter_relative_path_with_identifier_device_node.json", "default_node_values.json"),
        ("uplink_configs/opcua_uplink_converter_identifier.json", "uplink/different_identifier_finding_methods_values.json"),
        ("uplink_configs/opcua_uplink_converter_different_types.json", "uplink/different_types_finding_methods_values.json"),
        ("default_opcua_config.json", "default_node_values.json"),
    ]

    @Test("uplink configs report the expected values")
    func uplink() async throws {
        let server = try await OPCUATestServer.start(label: "opcua-uplink")
        defer { server.stop() }
        for (config, values) in Self.uplinkCases {
            let harness = try ConnectorHarness.start(try CompatCorpus.blackboxConfig(config, port: server.port))
            let missing = await harness.waitForAll(Self.device, try CompatCorpus.expectedValues(values))
            let connected = await harness.context.connected.map(\.name)
            await harness.stop()
            #expect(missing.isEmpty, "\(config): \(missing)")
            #expect(connected == [Self.device], "\(config)")
        }
    }

    @Test("reserved get and set RPCs by full path, relative path, foreign node and NodeId")
    func getAndSet() async throws {
        let server = try await OPCUATestServer.start(label: "opcua-rpc")
        defer { server.stop() }
        let cases: [(config: String, get: String, set: String, key: String, defaults: String, written: String)] = [
            ("rpc_configs/opcua_rpc_absolute_path.json", "Root\\.Objects\\.TempSensor\\.Pressure",
             "Root\\.Objects\\.TempSensor\\.Pressure; 90.25", "Pressure",
             "rpc/opcua_rpc_full_path_default_values.json", "rpc/opcua_rpc_full_path_values.json"),
            ("rpc_configs/opcua_rpc_foreign_node.json", "Root\\.Objects\\.TempSensor_G\\.Humidity",
             "Root\\.Objects\\.TempSensor_G\\.Humidity; 40.5", "Humidity",
             "rpc/opcua_rpc_foreign_path_default_values.json", "rpc/opcua_rpc_foreign_path_values.json"),
            ("rpc_configs/opcua_rpc_identifier.json", "ns=3;i=9", "ns=3;i=9; 456.34", "Pressure_S",
             "rpc/opcua_rpc_identifier_default_values.json", "rpc/opcua_rpc_identifier_values.json"),
            // Runs after the full-path case wrote 90.25: the relative path reads it back.
            ("rpc_configs/opcua_rpc_relative_path.json", "Pressure", "Pressure; 91.5", "Pressure",
             "", "rpc/opcua_rpc_relative_path_values.json"),
        ]
        for item in cases {
            let harness = try ConnectorHarness.start(try CompatCorpus.blackboxConfig(item.config, port: server.port))
            #expect(await harness.context.waitFor { $0.connected.contains { $0.name == Self.device } }, "\(item.config)")
            let before = try await rpc(harness, "get", .string(item.get))
            let expectedBefore: JSONValue = item.defaults.isEmpty
                ? 90.25 : (try CompatCorpus.expectedValues(item.defaults)[item.key] ?? .null)
            #expect(before.isEquivalent(to: ["result": ["value": expectedBefore]]), "\(item.config) get: \(before)")
            let written = try await rpc(harness, "set", .string(item.set))
            let expectedText = item.config.contains("relative") ? "91.5"
                : (try CompatCorpus.expectedValues(item.written)[item.key]?.stringValue ?? "")
            #expect(written == ["result": ["value": .string(expectedText)]], "\(item.config) set: \(written)")
            // The node really changed: the subscription reports the new value, typed.
            #expect(await harness.waitFor(Self.device, item.key, toBe: expectedText), "\(item.config)")
            let after = try await rpc(harness, "get", .string(item.get))
            #expect(after == ["result": ["value": .double(Double(expectedText) ?? 0)]], "\(item.config) get after set: \(after)")
            await harness.stop()
        }
    }

    @Test("device method multiply: config arguments, RPC arguments, errors")
    func multiply() async throws {
        let server = try await OPCUATestServer.start(label: "opcua-multiply")
        defer { server.stop() }
        let harness = try ConnectorHarness.start(try CompatCorpus.blackboxConfig("rpc_configs/opcua_rpc_multiply.json", port: server.port))
        #expect(await harness.context.waitFor { $0.connected.contains { $0.name == Self.device } })
        #expect(try await rpc(harness, "multiply", [7, 8]) == ["result": ["result": 56]])
        #expect(try await rpc(harness, "multiply", .null) == ["result": ["result": 20]])
        #expect(try await rpc(harness, "multiply", [1]) == ["result": "Expected 2 arguments, but got 1"])
        #expect(try await rpc(harness, "divide", [1, 2]) == ["result": ["error": "Requested rpc method is not found in config"]])
        // opcua_<method>: any method of the device node, arguments as the connector RPC sends them.
        #expect(try await rpc(harness, "opcua_multiply", ["arguments": [["value": 3], ["value": 4]]]) == ["result": ["result": 12]])
        let failed = try await rpc(harness, "opcua_fail", .null)
        // The method raises; asyncua reports it as a bad status, which the reply names.
        #expect(failed["result"]?["error"]?.stringValue?.hasPrefix("Bad") == true, "\(failed)")
        let connectorWide = await harness.connector.handleConnectorRPC(method: "opcua_multiply",
                                                                       params: ["arguments": [["value": 6], ["value": 7]]])
        #expect(connectorWide == [["result": 42, "device_name": "Temp Sensor"]])
        let unknownDevice = await harness.connector.handleRPC(DeviceRPCRequest(deviceName: "nobody", id: 1, method: "get", params: "x"))
        #expect(unknownDevice == ["result": ["error": "Device not found"]])
        await harness.stop()
    }

    @Test("attribute updates write the nodes, typed, by path, NodeId and foreign node")
    func attributeUpdates() async throws {
        let server = try await OPCUATestServer.start(label: "opcua-attributes")
        defer { server.stop() }
        // Ordered so that every case changes the values it checks.
        let cases = [
            ("attrs_update_configs/opcua_attribute_updates_full_path.json", "attrs_update/opcua_full_path_attributes_update_values.json"),
            ("attrs_update_configs/opcua_attribute_updates_identifier.json", "attrs_update/opcua_identifier_attributes_update_values.json"),
            ("attrs_update_configs/opcua_attribute_updates_different_types.json",
             "attrs_update/opcua_different_types_attributes_update_values.json"),
            ("attrs_update_configs/opcua_attribute_updates_foreign_device_node.json", "attrs_update/opcua_foreign_device_nodes.json"),
            ("attrs_update_configs/opcua_attribute_updates_relative_path.json",
             "attrs_update/opcua_relative_path_attributes_update_values.json"),
        ]
        for (config, valuesFile) in cases {
            let harness = try ConnectorHarness.start(try CompatCorpus.blackboxConfig(config, port: server.port))
            #expect(await harness.context.waitFor { $0.connected.contains { $0.name == Self.device } }, "\(config)")
            let values = try CompatCorpus.expectedValues(valuesFile)
            let keys = harness.connector.sharedAttributeKeys(of: Self.device) ?? []
            #expect(Set(values.keys).isSubset(of: Set(keys)), "\(config): \(keys)")
            // Shared attributes arrive from ThingsBoard as the upstream test saves them (strings).
            await harness.connector.handleAttributeUpdate(AttributeUpdate(deviceName: Self.device, values: values))
            let missing = await harness.waitForAll(Self.device, values)
            #expect(missing.isEmpty, "\(config): \(missing)")
            await harness.stop()
        }
    }

    func rpc(_ harness: ConnectorHarness, _ method: String, _ params: JSONValue) async throws -> JSONValue {
        await harness.connector.handleRPC(DeviceRPCRequest(deviceName: Self.device, id: 1, method: method, params: params,
                                                           timeout: .seconds(10)))
    }
}
