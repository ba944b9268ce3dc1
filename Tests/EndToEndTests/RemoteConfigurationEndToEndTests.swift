import Foundation
import GatewayKit
import Testing
import TestSupport

/// Remote configuration as ThingsBoard drives it: the gateway publishes its configuration as
/// client attributes; shared attributes named after a connector create or change just that
/// connector (file rewritten with a backup); a refused change is reported and changes nothing;
/// `active_connectors` stops the connectors it does not list.
@Suite(.serialized, .timeLimit(.minutes(3))) struct RemoteConfigurationEndToEndTests {
    @Test func sharedAttributesReconfigureOneConnectorAtATime() async throws {
        let broker = try Mosquitto()
        defer { broker.stop() }
        let responder = try await SessionLimitsResponder(port: broker.port)
        let observer = try BrokerObserver(port: broker.port, topics: ["v1/gateway/telemetry", "v1/devices/me/attributes",
                                                                      "v1/gateway/disconnect"])
        defer { observer.stop() }
        let gateway = try GatewayUnderTest(label: "remote-config")
        try gateway.writeMainConfig(
            port: broker.port, storage: #"{"type": "memory"}"#,
            connectors: [#"{"type": "simulator", "name": "A", "configuration": "a.json"}"#,
                         #"{"type": "simulator", "name": "B", "configuration": "b.json"}"#])
        try gateway.enableRemoteConfiguration()
        let main = gateway.configDirectory.appendingPathComponent("tb_gateway.json")
        try gateway.write("a.json", GatewayUnderTest.counterSimulator(device: "Alpha"))
        try gateway.write("b.json", GatewayUnderTest.counterSimulator(device: "Beta"))
        try gateway.start()
        defer { gateway.stop() }

        func clientAttributes() -> [JSONValue] {
            observer.messages(on: "v1/devices/me/attributes").compactMap { try? JSONValue.parse($0.payload) }
        }
        let published = await waitUntil(timeout: 30) {
            clientAttributes().contains { $0["active_connectors"] == ["A", "B"] && $0["A"]?["type"] == "simulator" }
        }
        #expect(published, "configuration not published; gateway log:\n\(gateway.log())")
        let initial = try #require(clientAttributes().first { $0["active_connectors"] != nil })
        #expect(initial["B"]?["configurationJson"]?["devices"]?.arrayValue?.first?["name"] == "Beta")
        #expect(initial["general_configuration"]?["host"] == "127.0.0.1")
        #expect(initial["general_configuration"]?["security"] == nil, "credentials must not be published")
        // ThingsBoard's gateway pages pick the connector configuration format from `Version`.
        #expect(initial["Version"] == "3.8.5" && initial["implementation"]?.stringValue?.hasPrefix("swift-iot-gateway") == true)
        // The reference's layout: every section, statistics completed with its commands, and per
        // connector logLevel/enableRemoteLogging beside the document rather than in it.
        #expect(initial["grpc_configuration"]?["ts"] != nil && initial["logs_configuration"]?["ts"] != nil, "\(initial)")
        #expect(initial["general_configuration"]?["statistics"]?["commands"]?.arrayValue != nil, "\(initial)")
        #expect(initial["B"]?["logLevel"] == "INFO" && initial["B"]?["enableRemoteLogging"] == false, "\(initial)")
        #expect(initial["B"]?["configurationJson"]?["logLevel"] == nil, "\(initial)")
        let flowing = await waitUntil(timeout: 20) { readings(of: "Beta", key: "counter", in: observer.messages()).count >= 3 }
        #expect(flowing)

        func share(_ json: String) throws {
            try mosquittoPublish(port: broker.port, topic: "v1/devices/me/attributes", payload: json)
        }
        // B gets a new configuration: only B restarts.
        let newB = GatewayUnderTest.counterSimulator(device: "Gamma").replacingOccurrences(of: "\n", with: " ")
        try share(#"{"B": {"name": "B", "type": "simulator", "configuration": "b.json", "logLevel": "DEBUG", "reportStrategy": {"type": "ON_CHANGE"}, "configurationJson": \#(newB)}}"#)
        let gamma = await waitUntil(timeout: 15) { readings(of: "Gamma", key: "counter", in: observer.messages()).count >= 3 }
        #expect(gamma, "B not reconfigured; gateway log:\n\(gateway.log())")
        let alpha = readings(of: "Alpha", key: "counter", in: observer.messages())
        #expect(alpha == Array(0..<Int64(alpha.count)), "A restarted: \(alpha.prefix(40))")
        let rewritten = try JSONValue.parse(String(contentsOf: gateway.configDirectory.appendingPathComponent("b.json"), encoding: .utf8))
        #expect(rewritten["devices"]?.arrayValue?.first?["name"] == "Gamma")
        // The keys ThingsBoard's pages send beside the document are written into the file, as the reference does.
        #expect(rewritten["logLevel"] == "DEBUG" && rewritten["reportStrategy"]?["type"] == "ON_CHANGE" && rewritten["name"] == "B",
                "\(rewritten)")
        #expect(clientAttributes().contains { $0["B"]?["logLevel"] == "DEBUG" && $0["B"]?["configurationJson"]?["logLevel"] == nil })
        let backups = try FileManager.default.contentsOfDirectory(atPath: gateway.configDirectory.appendingPathComponent("backup").path)
        #expect(backups.contains { $0.hasPrefix("b.backup.") }, "\(backups)")
        #expect(clientAttributes().contains { $0["B"]?["configurationJson"]?["devices"]?.arrayValue?.first?["name"] == "Gamma" })

        // A refused configuration changes nothing and says why.
        try share(#"{"A": {"name": "A", "type": "simulator", "configuration": "a.json", "configurationJson": {"devices": "nope"}}}"#)
        let reported = await waitUntil(timeout: 10) { clientAttributes().contains { $0["A_error"] != nil } }
        #expect(reported, "no error attribute; gateway log:\n\(gateway.log())")
        let aFile = try String(contentsOf: gateway.configDirectory.appendingPathComponent("a.json"), encoding: .utf8)
        #expect(aFile.contains("Alpha"))

        // A new connector C: its file is created and tb_gateway.json lists it.
        let newC = GatewayUnderTest.counterSimulator(device: "Delta").replacingOccurrences(of: "\n", with: " ")
        try share(#"{"C Line": {"name": "C Line", "type": "simulator", "configurationJson": \#(newC)}}"#)
        let delta = await waitUntil(timeout: 15) { readings(of: "Delta", key: "counter", in: observer.messages()).count >= 3 }
        #expect(delta, "C not started; gateway log:\n\(gateway.log())")
        #expect(FileManager.default.fileExists(atPath: gateway.configDirectory.appendingPathComponent("c_line.json").path))
        let listed = try JSONValue.parse(String(contentsOf: main, encoding: .utf8))["connectors"]?.arrayValue ?? []
        #expect(listed.contains { $0["name"] == "C Line" && $0["configuration"] == "c_line.json" })

        // active_connectors without B: B stops and leaves tb_gateway.json.
        try share(#"{"active_connectors": ["A", "C Line"]}"#)
        let stopped = await waitUntil(timeout: 10) {
            !((try? JSONValue.parse(String(contentsOf: main, encoding: .utf8)))?["connectors"]?.arrayValue ?? [])
                .contains { $0["name"] == "B" }
        }
        #expect(stopped)
        try await Task.sleep(for: .seconds(1))
        let gammaCount = readings(of: "Gamma", key: "counter", in: observer.messages()).count
        try await Task.sleep(for: .seconds(1))
        #expect(readings(of: "Gamma", key: "counter", in: observer.messages()).count == gammaCount, "B still delivers")
        // Its device is reported disconnected and forgotten, as the reference's del_device does.
        let disconnected = await waitUntil(timeout: 5) {
            observer.messages(on: "v1/gateway/disconnect").contains { $0.payload.contains(#""Gamma""#) }
        }
        #expect(disconnected, "no disconnect for B's device; gateway log:\n\(gateway.log())")
        let registry = { (try? String(contentsOf: gateway.configDirectory.appendingPathComponent("connected_devices.json"), encoding: .utf8)) ?? "" }
        let forgotten = await waitUntil(timeout: 5) { !registry().contains("Gamma") && registry().contains("Alpha") }
        #expect(forgotten, "connected_devices.json: \(registry())")

        // The published general configuration sent back with statistics commands: the commands
        // go to their own file (the main file keeps none), as the reference writes them.
        guard case .object(var general)? = initial["general_configuration"],
              case .object(var statistics)? = general["statistics"] else {
            Issue.record("no general_configuration.statistics: \(initial)")
            return
        }
        statistics["commands"] = [["attributeOnGateway": "uptime", "command": "cat /proc/uptime", "timeout": 5]]
        general["statistics"] = .object(statistics)
        try share(JSONValue.object(["general_configuration": .object(general)]).jsonString)
        let commandsFile = gateway.configDirectory.appendingPathComponent("statistics.json")
        let written = await waitUntil(timeout: 10) {
            (try? JSONValue.parse(String(contentsOf: commandsFile, encoding: .utf8)))?.arrayValue?.first?["attributeOnGateway"] == "uptime"
        }
        #expect(written, "statistics commands not written; gateway log:\n\(gateway.log())")
        let mainAfter = try JSONValue.parse(String(contentsOf: main, encoding: .utf8))
        #expect(mainAfter["thingsboard"]?["statistics"]?["commands"] == nil, "\(mainAfter)")
        await responder.stop()
    }

    @Test(arguments: [true, false])
    func remoteLoggingLevelStreamsLogsAndErrorCountsAsGatewayTelemetry(remoteConfiguration: Bool) async throws {
        let broker = try Mosquitto()
        defer { broker.stop() }
        let responder = try await SessionLimitsResponder(port: broker.port)
        let observer = try BrokerObserver(port: broker.port, topics: ["v1/devices/me/telemetry", "v1/devices/me/attributes"])
        defer { observer.stop() }
        let gateway = try GatewayUnderTest(label: "remote-logging")
        try gateway.writeMainConfig(port: broker.port, storage: #"{"type": "memory"}"#)
        // Remote logging does not need remote configuration, as in the reference.
        if remoteConfiguration { try gateway.enableRemoteConfiguration() }
        try gateway.write("simulator.json", GatewayUnderTest.counterSimulator(device: "Alpha"))
        try gateway.start()
        defer { gateway.stop() }
        let up = await waitUntil(timeout: 30) {
            remoteConfiguration
                ? observer.messages(on: "v1/devices/me/attributes").contains { $0.payload.contains("active_connectors") }
                : gateway.log().contains("connected to ThingsBoard")
        }
        #expect(up, "gateway log:\n\(gateway.log())")
        func telemetry() -> [JSONValue] {
            observer.messages(on: "v1/devices/me/telemetry").compactMap { try? JSONValue.parse($0.payload) }
        }
        #expect(!telemetry().contains { $0.arrayValue != nil }, "logs streamed before they were asked for")

        try mosquittoPublish(port: broker.port, topic: "v1/devices/me/attributes", payload: #"{"RemoteLoggingLevel": "INFO"}"#)
        // The change itself is logged by the service logger, and so streamed.
        let streamed = await waitUntil(timeout: 10) {
            telemetry().compactMap(\.arrayValue).joined().contains {
                $0["values"]?["SERVICE_LOGS"]?.stringValue?.contains("remote logging level set") == true
                    && $0["values"]?["LOGS"] != nil && $0["ts"]?.intValue != nil
            }
        }
        #expect(streamed, "no SERVICE_LOGS; telemetry: \(telemetry())")
        guard remoteConfiguration else {
            await responder.stop()
            return
        }

        // An error (a refused remote configuration) is counted.
        try mosquittoPublish(port: broker.port, topic: "v1/devices/me/attributes",
                             payload: #"{"Simulator": {"name": "Simulator", "type": "simulator", "configurationJson": {"devices": 3}}}"#)
        let counted = await waitUntil(timeout: 15) {
            telemetry().contains { ($0["service_ERRORS_COUNT"]?.intValue ?? 0) >= 1 && ($0["ALL_ERRORS_COUNT"]?.intValue ?? 0) >= 1 }
        }
        #expect(counted, "no error counters; telemetry: \(telemetry())")
        await responder.stop()
    }

    @Test func storageConfigurationAppliesOnlyWhenChangedAndRestartsGracefully() async throws {
        let broker = try Mosquitto()
        defer { broker.stop() }
        let responder = try await SessionLimitsResponder(port: broker.port)
        let observer = try BrokerObserver(port: broker.port, topics: ["v1/gateway/telemetry", "v1/devices/me/attributes"])
        defer { observer.stop() }
        let gateway = try GatewayUnderTest(label: "remote-storage")
        try gateway.writeMainConfig(port: broker.port, storage: #"{"type": "memory", "max_records_count": 10000}"#)
        try gateway.enableRemoteConfiguration()
        try gateway.write("simulator.json", GatewayUnderTest.counterSimulator(device: "Alpha"))
        try gateway.start()
        defer { gateway.stop() }
        let up = await waitUntil(timeout: 30) { readings(of: "Alpha", key: "counter", in: observer.messages()).count >= 3 }
        #expect(up, "gateway log:\n\(gateway.log())")
        func share(_ json: String) throws {
            try mosquittoPublish(port: broker.port, topic: "v1/devices/me/attributes", payload: json)
        }
        let main = gateway.configDirectory.appendingPathComponent("tb_gateway.json")

        // The same section (keys reordered, with a ts): nothing is rebuilt, nothing restarts.
        try share(#"{"storage_configuration": {"max_records_count": 10000, "type": "memory", "ts": 1}}"#)
        // A refused one: reported, nothing changes.
        try share(#"{"storage_configuration": {"type": "tape"}}"#)
        let refused = await waitUntil(timeout: 10) {
            observer.messages(on: "v1/devices/me/attributes").contains { $0.payload.contains("storage_configuration_error") }
        }
        #expect(refused, "gateway log:\n\(gateway.log())")
        #expect(!gateway.log().contains("restarting the gateway"))
        #expect(try JSONValue.parse(String(contentsOf: main, encoding: .utf8))["storage"]?["type"] == "memory")

        // A real change: written (after a backup), and the gateway restarts to apply it.
        let dataPath = gateway.directory.appendingPathComponent("data").path
        try share(#"{"storage_configuration": {"type": "sqlite", "data_file_path": "\#(dataPath)/data.db", "ts": 2}}"#)
        // Two start-up lines ("iot-gateway <version> starting"): the process re-executed itself.
        let restarted = await waitUntil(timeout: 20) { gateway.log().components(separatedBy: "] iot-gateway ").count > 2 }
        #expect(restarted, "gateway log:\n\(gateway.log())")
        #expect(try JSONValue.parse(String(contentsOf: main, encoding: .utf8))["storage"]?["type"] == "sqlite")
        let before = readings(of: "Alpha", key: "counter", in: observer.messages()).count
        let flowingAgain = await waitUntil(timeout: 30) { readings(of: "Alpha", key: "counter", in: observer.messages()).count > before + 5 }
        #expect(flowingAgain, "no data after the restart; gateway log:\n\(gateway.log())")
        #expect(FileManager.default.fileExists(atPath: "\(dataPath)/data.db"))
        await responder.stop()
    }
}
