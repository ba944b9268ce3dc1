import Foundation
import Testing
import TestSupport

/// A Python gateway's logs.json, unchanged: the log files it names are written, by logger, in the
/// reference's format, where `TB_GW_LOGS_PATH` puts them; each connector gets its own file.
@Suite(.serialized)
struct LogFilesEndToEndTests {
    @Test func aReferenceLogsJsonWritesTheReferencesLogFiles() async throws {
        let broker = try Mosquitto()
        defer { broker.stop() }
        let responder = try await SessionLimitsResponder(port: broker.port)
        let gateway = try GatewayUnderTest(label: "log-files")
        try gateway.writeMainConfig(port: broker.port, storage: #"{"type": "memory"}"#,
                                    connectors: [#"{"type": "simulator", "name": "Boiler Simulator", "configuration": "simulator.json"}"#])
        try gateway.write("simulator.json", GatewayUnderTest.counterSimulator(device: "Boiler L"))
        try gateway.write("logs.json", referenceLogsJSON(folder: "./logs"))
        let logsFolder = gateway.directory.appendingPathComponent("var-log-thingsboard-gateway").path
        try gateway.start(environment: ["TB_GW_LOGS_PATH": logsFolder], logLevel: nil)
        defer { gateway.stop() }

        func lines(_ file: String) -> [String] {
            ((try? String(contentsOfFile: logsFolder + "/" + file, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
        }
        let written = await waitUntil(timeout: 30) {
            lines("tb_connection.log").contains { $0.contains("connected to ThingsBoard") }
                && lines("boiler_simulator_connector.log").contains { $0.contains("connector started") }
        }
        await responder.stop()
        #expect(written, "files: \((try? FileManager.default.contentsOfDirectory(atPath: logsFolder)) ?? []); log:\n\(gateway.log())")
        let starting = lines("service.log").first { $0.contains("starting") }
        #expect(starting?.wholeMatch(of: /\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} - \|INFO\| - \[GatewayRuntime\.swift\] - GatewayRuntime - .* - \d+ - .*iot-gateway .* starting/) != nil,
                "service.log: \(lines("service.log"))")
        // logs.json's levels (INFO), not the debug records the gateway also makes.
        #expect(!lines("service.log").contains { $0.contains("|DEBUG|") } && !gateway.log().contains("|DEBUG|"))
        // A connector's own file does not name the connector on each line.
        #expect(lines("boiler_simulator_connector.log").allSatisfy { !$0.contains("connector=") })
        // The console handler (standard output) has them too, in the same format.
        #expect(gateway.log().contains("|INFO| - [GatewayRuntime.swift]"))
        #expect(!FileManager.default.fileExists(atPath: gateway.directory.appendingPathComponent("logs").path),
                "TB_GW_LOGS_PATH moves the files out of ./logs")
    }
}
