import GatewayKit
import Testing
@testable import OPCUAConnector

/// Behaviour beyond the upstream cases, against the asyncua test server: polling, devices
/// found by pattern and named from node values, value types, a bad node among good ones, and
/// recovery after the server restarts.
@Suite("OPC-UA connector against asyncua", .serialized)
struct ConnectorIntegrationTests {
    static func config(port: Int, server: JSONObject = [:], mapping: [JSONValue]) -> JSONValue {
        var serverObject: JSONObject = ["url": .string("opc.tcp://127.0.0.1:\(port)/freeopcua/server/"),
                                        "timeoutInMillis": 20000, "identity": ["type": "anonymous"]]
        for (key, value) in server { serverObject[key] = value }
        return ["server": .object(serverObject), "mapping": .array(mapping)]
    }

    @Test("polling: pattern devices named from nodes, every value type, a bad node does not stop the others")
    func polling() async throws {
        let server = try await OPCUATestServer.start(label: "opcua-poll")
        defer { server.stop() }
        let config = Self.config(port: server.port, server: ["enableSubscriptions": false, "pollPeriodInMillis": 300], mapping: [
            [
                "deviceNodeSource": "path",
                "deviceNodePattern": "Root\\.Objects\\.2:Boiler\\d",
                "deviceInfo": ["deviceNameExpressionSource": "path", "deviceNameExpression": "Boiler ${SerialNumber}",
                               "deviceProfileExpressionSource": "constant", "deviceProfileExpression": "boiler"],
                "attributes": [["key": "vendor", "type": "constant", "value": "ACME"]],
                "timeseries": [["key": "temperature", "type": "path", "value": "${Temperature}"],
                               ["key": "setpoint", "type": "path", "value": "${Setpoint}"]],
            ],
            [
                "deviceNodeSource": "identifier",
                "deviceNodePattern": "ns=2;s=Types",
                "deviceInfo": ["deviceNameExpression": "Types"],
                "timeseries": [
                    ["key": "int32", "type": "path", "value": "${Int32}"],
                    ["key": "uint16", "type": "path", "value": "${UInt16}"],
                    ["key": "float", "type": "path", "value": "${Float}"],
                    ["key": "dateTime", "type": "path", "value": "${DateTime}"],
                    ["key": "byteString", "type": "path", "value": "${ByteString}"],
                    ["key": "guid", "type": "path", "value": "${Guid}"],
                    ["key": "nodeId", "type": "path", "value": "${NodeId}"],
                    ["key": "qualifiedName", "type": "path", "value": "${QualifiedName}"],
                    ["key": "localizedText", "type": "path", "value": "${LocalizedText}"],
                    ["key": "array", "type": "path", "value": "${Array}"],
                    ["key": "bool", "type": "identifier", "value": "${ns=2;s=Types.Bool}"],
                    ["key": "missing", "type": "identifier", "value": "${ns=2;i=9999}"],
                ],
            ],
        ])
        let harness = try ConnectorHarness.start(config)
        let boilers = await harness.waitForAll("Boiler SN-001", ["temperature": 71.5, "setpoint": 60, "vendor": "ACME"])
        #expect(boilers.isEmpty, "\(boilers)")
        #expect(await harness.waitForAll("Boiler SN-002", ["temperature": 64.0, "setpoint": 60]).isEmpty)
        let types = await harness.waitForAll("Types", [
            "int32": -42, "uint16": 65535, "float": 1.5, "dateTime": "2024-05-01T12:30:00.250000+00:00",
            "byteString": "01abff", "guid": "72962b91-fa75-4ae6-8d28-b404dc7daf63", "nodeId": "i=85",
            "qualifiedName": "2:Name", "localizedText": "Hello", "array": ["1", "2", "3"], "bool": false,
        ])
        #expect(types.isEmpty, "\(types)")
        let missing = await harness.context.latest("missing", of: "Types")
        #expect(missing?.stringValue?.hasPrefix("Bad status code: BadNodeIdUnknown for node: ns=2;i=9999") == true, "\(String(describing: missing))")
        let connected = await harness.context.connected
        #expect(Set(connected.map(\.name)) == ["Boiler SN-001", "Boiler SN-002", "Types"])
        #expect(connected.first { $0.name == "Boiler SN-001" }?.type == "boiler")
        // Polled again and again, not once.
        #expect(await harness.context.waitFor { $0.values("temperature", of: "Boiler SN-001").count >= 3 })
        await harness.stop()
    }

    @Test("a server restart mid-subscription: data flows again within 10 s of the server being back")
    func serverRestart() async throws {
        let server = try await OPCUATestServer.start(label: "opcua-restart")
        defer { server.stop() }
        let config = Self.config(port: server.port, server: [
            "reconnectBackoffInitialDelay": 0.2, "reconnectBackoffFactor": 1.5, "reconnectRetriesCount": 5,
            "sessionTimeoutInMillis": 30000,
        ], mapping: [[
            "deviceNodePattern": "Root\\.Objects\\.Ticker",
            "deviceInfo": ["deviceNameExpression": "Ticker"],
            "timeseries": [["key": "count", "type": "identifier", "value": "${ns=2;s=Ticker.Count}"]],
        ]])
        let harness = try ConnectorHarness.start(config)
        #expect(await harness.context.waitFor { $0.values("count", of: "Ticker").count >= 3 })
        try await server.restart()
        let back = ContinuousClock.now
        await harness.context.clear()
        let flowing = await harness.context.waitFor(timeout: .seconds(10)) { $0.values("count", of: "Ticker").count >= 3 }
        let elapsed = ContinuousClock.now - back
        await harness.stop()
        #expect(flowing, "no data within 10 s after the restart")
        // The restarted server counts from 0 again: these are fresh values, not buffered ones.
        let values = await harness.context.values("count", of: "Ticker")
        #expect(values.first.flatMap(\.intValue).map { $0 < 100 } ?? false, "\(values.prefix(5)) after \(elapsed)")
    }
}
