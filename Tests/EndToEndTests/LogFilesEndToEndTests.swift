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

    /// The lines of a file in the gateway's folder (none while it does not exist).
    static func lines(of file: String, in gateway: GatewayUnderTest) -> [String] {
        let path = gateway.directory.appendingPathComponent(file).path
        return ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    /// A request the REST connector cannot convert is logged in `<connector>_converter.log`, as the
    /// reference's converter logger does, not in the connector's own file.
    @Test func aRESTConversionFailureGoesToTheConvertersLogFile() async throws {
        let broker = try Mosquitto()
        defer { broker.stop() }
        let responder = try await SessionLimitsResponder(port: broker.port)
        let gateway = try GatewayUnderTest(label: "rest-converter-log")
        let port = freeTCPPort()
        try gateway.writeMainConfig(port: broker.port, storage: #"{"type": "memory"}"#,
                                    connectors: [#"{"type": "rest", "name": "Meter REST", "configuration": "rest.json"}"#])
        try gateway.write("rest.json", """
            {"server": {"host": "127.0.0.1", "port": \(port)},
             "mapping": [{"endpoint": "/counter", "HTTPMethods": ["POST"],
               "converter": {"type": "custom", "extension": "CustomRestUplinkConverter",
                 "deviceInfo": {"deviceNameExpressionSource": "constant", "deviceNameExpression": "Meter"},
                 "extensionConfig": {"key": "energy", "fromByte": 0, "toByte": 8}}}]}
            """)
        try gateway.write("logs.json", referenceLogsJSON(folder: "./logs"))
        try gateway.start(logLevel: nil)
        defer { gateway.stop() }
        let lines = { (file: String) in Self.lines(of: "logs/\(file)", in: gateway) }
        let curl = try PeerProcess.resolve("curl")
        // Three bytes where the converter needs eight.
        let logged = await waitUntil(timeout: 30, interval: 0.5) {
            _ = try? runTool(curl, ["-s", "-m", "5", "-X", "POST", "--data-binary", "abc", "http://127.0.0.1:\(port)/counter"])
            return lines("meter_rest_converter.log").contains { $0.contains("needs bytes 0..<8") }
        }
        await responder.stop()
        #expect(logged, "converter log: \(lines("meter_rest_converter.log")); gateway log:\n\(gateway.log())")
        #expect(lines("meter_rest_converter.log").allSatisfy { $0.contains("|ERROR|") })
        #expect(!lines("meter_rest_connector.log").contains { $0.contains("needs bytes") })
    }

    /// The same for the Request connector: an answer that is not JSON is the converter's problem
    /// (its log file); the connector's own file does not report the poll as failed.
    @Test func aRequestConversionFailureGoesToTheConvertersLogFile() async throws {
        let broker = try Mosquitto()
        defer { broker.stop() }
        let responder = try await SessionLimitsResponder(port: broker.port)
        let gateway = try GatewayUnderTest(label: "request-converter-log")
        // A plain HTTP server as the device: its answer is a text file.
        let served = gateway.directory.appendingPathComponent("served")
        try FileManager.default.createDirectory(at: served, withIntermediateDirectories: true)
        try "not json".write(to: served.appendingPathComponent("data.txt"), atomically: true, encoding: .utf8)
        let port = freeTCPPort()
        let device = try PeerProcess(executable: PythonPeer.python(),
                                     arguments: ["-m", "http.server", "\(port)", "--bind", "127.0.0.1", "--directory", served.path],
                                     logFile: gateway.directory.appendingPathComponent("http-server.log"))
        defer { device.stop() }
        #expect(await waitUntil(timeout: 10) { isTCPPortOpen(port) }, "http.server: \(device.output())")
        try gateway.writeMainConfig(port: broker.port, storage: #"{"type": "memory"}"#,
                                    connectors: [#"{"type": "request", "name": "Meter Poller", "configuration": "request.json"}"#])
        try gateway.write("request.json", """
            {"host": "http://127.0.0.1:\(port)",
             "mapping": [{"url": "data.txt", "scanPeriod": 0.2, "timeout": 2,
               "converter": {"type": "json", "deviceNameJsonExpression": "Meter",
                 "telemetry": [{"key": "temperature", "type": "double", "value": "${temp}"}]}}]}
            """)
        try gateway.write("logs.json", referenceLogsJSON(folder: "./logs"))
        try gateway.start(logLevel: nil)
        defer { gateway.stop() }
        let lines = { (file: String) in Self.lines(of: "logs/\(file)", in: gateway) }
        let logged = await waitUntil(timeout: 30) {
            lines("meter_poller_converter.log").contains { $0.contains("not (fully) converted") && $0.contains("data.txt") }
        }
        await responder.stop()
        #expect(logged, "converter log: \(lines("meter_poller_converter.log")); gateway log:\n\(gateway.log())")
        #expect(!lines("meter_poller_connector.log").contains { $0.contains("not (fully) converted") || $0.contains("json converter") })
    }
}
