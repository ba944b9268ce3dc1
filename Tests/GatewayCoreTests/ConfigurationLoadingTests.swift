import Foundation
import GatewayKit
import MQTT
import Logging
import Testing
import TestSupport
@testable import GatewayCore

@Suite struct ConfigurationLoadingTests {
    func directory(_ files: [String: String]) throws -> String {
        let url = try makeScratchDirectory("config")
        for (name, text) in files {
            try text.write(to: url.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        return url.path
    }

    /// ../shared/compat relative to the project root; under CI its absence is a failure.
    static func compatDirectory() -> URL? {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let compat = root.deletingLastPathComponent().appendingPathComponent("shared/compat")
        return FileManager.default.fileExists(atPath: compat.path) ? compat : nil
    }

    @Test func theReferenceMainConfigurationLoads() throws {
        guard let compat = Self.compatDirectory() else {
            #expect(ProcessInfo.processInfo.environment["CI"] == nil, "../shared/compat is missing under CI")
            print("compatibility corpus ../shared/compat not found: reference config check not run")
            return
        }
        let loaded = try GatewayConfiguration.load(directory: compat.appendingPathComponent("reference-configs").path, environment: [:])
        let settings = loaded.configuration.thingsboard
        #expect(settings.host == "thingsboard.cloud")
        #expect(settings.port == 1883)
        #expect(settings.qos == 1)
        #expect(settings.security == .accessToken("YOUR_ACCESS_TOKEN"))
        #expect(settings.maxPayloadSizeBytes == 8196)
        #expect(settings.rateLimits == "DEFAULT_TELEMETRY_RATE_LIMIT")
        #expect(loaded.configuration.storage["type"] == "memory")
        #expect(loaded.connectors.isEmpty)
    }

    /// The reference's mqtt.json maps a topic to a custom converter (a Python class): the
    /// connector runs without that mapping, and check-config says so up front.
    @Test func checkConfigWarnsOfMappingsTheConnectorLeavesOut() throws {
        guard let compat = Self.compatDirectory() else {
            #expect(ProcessInfo.processInfo.environment["CI"] == nil, "../shared/compat is missing under CI")
            return
        }
        let mqtt = try String(contentsOf: compat.appendingPathComponent("reference-configs/mqtt.json"), encoding: .utf8)
        let path = try directory([
            "tb_gateway.json": #"{"thingsboard": {"host": "h", "security": {"accessToken": "T"}}, "connectors": [{"type": "mqtt", "name": "MQTT Broker Connector", "configuration": "mqtt.json"}]}"#,
            "mqtt.json": mqtt,
        ])
        let report = ConfigurationCheck.run(directory: path, environment: [:])
        #expect(report.ok, "\(report.text)")
        #expect(report.text.contains(#"WARNING MQTT Broker Connector: Mapping left out: mapping[3] (custom/sensors/+): no custom converter named "CustomMqttUplinkConverter" is registered"#),
                "\(report.text)")
    }

    @Test func theShippedDefaultConfigurationLoadsAndChecksClean() throws {
        let shipped = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("config").path
        let report = ConfigurationCheck.run(directory: shipped, environment: [:])
        #expect(report.ok, "\(report.text)")
        #expect(report.text.contains("storage: sqlite"))
        #expect(report.text.contains("storage folder: /"), "install-service.sh reads it")
        #expect(report.text.contains("OK    Simulator (simulator, simulator.json)"))
        #expect(report.text.contains("logs: console only"))
    }

    /// The reference's logs.json: check-config names its files and their folder (install-service.sh
    /// makes the folder for the service's user and lets the service write there).
    @Test func checkConfigNamesTheReferenceLogFilesAndTheirFolder() throws {
        guard let compat = Self.compatDirectory() else {
            #expect(ProcessInfo.processInfo.environment["CI"] == nil, "../shared/compat is missing under CI")
            return
        }
        let directory = compat.appendingPathComponent("reference-configs").path
        let relocated = ConfigurationCheck.run(directory: directory, environment: ["TB_GW_LOGS_PATH": "/var/log/thingsboard-gateway"])
        #expect(relocated.text.contains("/var/log/thingsboard-gateway/service.log"), "\(relocated.text)")
        #expect(relocated.text.contains("\nlog folder: /var/log/thingsboard-gateway\n"), "\(relocated.text)")
        #expect(!relocated.text.contains("WARNING logs.json"), "\(relocated.text)")
        let local = ConfigurationCheck.run(directory: directory, environment: [:])
        #expect(local.text.contains("logs: ./logs/connector.log, ./logs/converter.log, ./logs/database.log"), "\(local.text)")
        #expect(local.text.contains("\nlog folder: \(FileManager.default.currentDirectoryPath)/logs\n"), "\(local.text)")
    }

    @Test func legacyYAMLLoadsLikeJSON() throws {
        let path = try directory(["tb_gateway.yaml": """
            thingsboard:
              host: tb.example.com
              port: 8883
              security:
                type: usernamePassword
                username: gw
                password: secret
                clientId: gw-1
            storage:
              type: sqlite
              data_file_path: ./data/
            connectors: []
            """])
        let loaded = try GatewayConfiguration.load(directory: path, environment: [:])
        #expect(loaded.configuration.mainFile == "tb_gateway.yaml")
        #expect(loaded.configuration.thingsboard.host == "tb.example.com")
        #expect(loaded.configuration.thingsboard.tls, "port 8883 means TLS")
        #expect(loaded.configuration.thingsboard.security == .usernamePassword(username: "gw", password: "secret", clientID: "gw-1"))
        #expect(loaded.configuration.storage["type"] == "sqlite")

        // At start the gateway writes it out as tb_gateway.json (as the reference), which remote
        // configuration can update; once.
        #expect(try GatewayConfiguration.convertLegacyYAML(directory: path) == path + "/tb_gateway.json")
        let converted = try GatewayConfiguration.load(directory: path, environment: [:])
        #expect(converted.configuration.mainFile == "tb_gateway.json")
        #expect(converted.configuration.thingsboard == loaded.configuration.thingsboard)
        #expect(converted.configuration.storage == loaded.configuration.storage)
        #expect(try GatewayConfiguration.convertLegacyYAML(directory: path) == nil)
    }

    @Test func environmentOverridesReplaceTheSecurityObject() throws {
        let path = try directory(["tb_gateway.json": #"{"thingsboard":{"host":"a","port":1883,"security":{"type":"accessToken","accessToken":"OLD"}}}"#])
        let loaded = try GatewayConfiguration.load(directory: path, environment: [
            "TB_GW_HOST": "tb.local", "TB_GW_PORT": "1884", "TB_GW_USERNAME": "u", "TB_GW_PASSWORD": "p",
            "TB_GW_RATE_LIMITS": "10:1,",
        ])
        let settings = loaded.configuration.thingsboard
        #expect(settings.host == "tb.local" && settings.port == 1884)
        #expect(settings.security == .usernamePassword(username: "u", password: "p", clientID: nil))
        #expect(settings.rateLimits == "10:1,")
        // As the reference, the general variable sets the device and message limits too.
        #expect(settings.messagesRateLimits == "10:1," && settings.deviceRateLimits == "10:1,"
                && settings.deviceMessagesRateLimits == "10:1,")
        let specific = try GatewayConfiguration.load(directory: path, environment: [
            "TB_GW_DP_RATE_LIMITS": "100:1,", "TB_GW_DEVICE_DP_RATE_LIMITS": "50:1,"]).configuration.thingsboard
        #expect(specific.dpRateLimits == "100:1," && specific.deviceDpRateLimits == "50:1,")
        let legacy = try GatewayConfiguration.load(directory: path, environment: ["host": "legacy.local", "accessToken": "NEW"])
        #expect(legacy.configuration.thingsboard.host == "legacy.local")
        #expect(legacy.configuration.thingsboard.security == .accessToken("NEW"))
    }

    @Test func theHTTPProxySettingsOfTheReferenceAreRead() async throws {
        let path = try directory(["tb_gateway.json": #"{"thingsboard":{"host":"tb.example.com","port":1883,"proxy_host":"proxy.local","proxy_port":3128,"security":{"accessToken":"T"}}}"#])
        let loaded = try GatewayConfiguration.load(directory: path, environment: [:])
        let connection = try await ThingsBoardConnectionFactory.make(loaded.configuration, options: GatewayOptions(configDirectory: path, environment: [:]),
                                                                     logger: Logger(label: "test"))
        #expect(connection.httpProxy == MQTTHTTPProxy(host: "proxy.local", port: 3128))
        let fromEnvironment = try GatewayConfiguration.load(directory: path, environment: ["TB_GW_PROXY_HOST": "other", "TB_GW_PROXY_PORT": "8888"])
        #expect(fromEnvironment.configuration.thingsboard.proxyHost == "other" && fromEnvironment.configuration.thingsboard.proxyPort == 8888)
        #expect(MQTTHTTPProxy(host: "p").port == 8080, "PySocks' default HTTP proxy port")
    }

    @Test func theConfigurationFolderFallsBackToThePythonGatewaysOne() {
        let etc = GatewayOptions.pythonGatewayConfigDirectory
        #expect(GatewayOptions.resolveConfigDirectory("/x", environment: ["TB_GW_CONFIG_DIR": "/y"]) == "/x")
        #expect(GatewayOptions.resolveConfigDirectory(nil, environment: ["TB_GW_CONFIG_DIR": "/y"]) == "/y")
        #expect(GatewayOptions.resolveConfigDirectory(nil, environment: [:], exists: { $0 == etc }) == etc)
        #expect(GatewayOptions.resolveConfigDirectory(nil, environment: [:], exists: { _ in true }) == "./config")
        #expect(GatewayOptions.resolveConfigDirectory(nil, environment: [:], exists: { _ in false }) == "./config")
    }

    @Test func wrongValuesNameTheFileTheKeyAndTheExpectation() throws {
        let cases: [(String, String)] = [
            (#"{"thingsboard":{"host":"h","port":"abc"}}"#,
             #"tb_gateway.json: thingsboard.port: expected an integer from 1 to 65535, found "abc""#),
            (#"{"thingsboard":{"host":"h","qos":2}}"#, "tb_gateway.json: thingsboard.qos: expected an integer from 0 to 1, found 2"),
            (#"{"thingsboard":{"host":"h","security":{"type":"magic"}}}"#,
             #"tb_gateway.json: thingsboard.security.type: expected one of accessToken, tlsAccessToken, usernamePassword, x509Certificate, found "magic""#),
            (#"{"thingsboard":{"host":5}}"#, "tb_gateway.json: thingsboard.host: expected a string, found 5"),
            (#"{"thingsboard":{"host":"h"},"connectors":{}}"#, "tb_gateway.json: connectors: expected a list, found an object"),
            ("{\"thingsboard\":\n{\"host\":}", "tb_gateway.json: expected valid JSON, found a syntax error at line 2, column 9 (unexpected character '}')"),
        ]
        for (text, message) in cases {
            let path = try directory(["tb_gateway.json": text])
            #expect(throws: ConfigError.self) { try GatewayConfiguration.load(directory: path, environment: [:]) }
            do {
                _ = try GatewayConfiguration.load(directory: path, environment: [:])
            } catch {
                #expect(error.description == message)
            }
        }
        let missing = try directory([:])
        #expect(throws: ConfigError.self) { try GatewayConfiguration.load(directory: missing, environment: [:]) }
        #expect(throws: ConfigError.self) {
            try GatewayConfiguration.load(directory: "/nonexistent", environment: ["TB_GW_PORT": "x"])
        }
    }

    @Test func aBrokenConnectorFileStopsOnlyThatConnector() throws {
        let path = try directory([
            "tb_gateway.json": """
                {"thingsboard": {"host": "h", "security": {"accessToken": "T"}},
                 "connectors": [
                   {"type": "simulator", "name": "Good", "configuration": "good.json"},
                   {"type": "simulator", "name": "Broken", "configuration": "broken.json"},
                   {"type": "simulator", "name": "Missing", "configuration": "missing.json"},
                   {"type": "simulator", "name": "Good", "configuration": "good.json"},
                   {"type": "nosuch", "name": "Unknown", "configuration": "good.json"},
                   {"type": "Simulator", "name": "Capitals", "configuration": "good.json"}
                 ]}
                """,
            "good.json": #"{"devices": [{"name": "D", "telemetry": [{"key": "c", "kind": "counter"}]}]}"#,
            "broken.json": #"{"devices": [ "#,
        ])
        let loaded = try GatewayConfiguration.load(directory: path, environment: [:])
        #expect(loaded.connectors.count == 6)
        #expect(loaded.connectors[5].type == "simulator", "types are lower-cased, as the reference does")
        #expect(loaded.connectors[0].error == nil && loaded.connectors[0].document != nil)
        #expect(loaded.connectors[1].error?.file == "broken.json")
        #expect(loaded.connectors[2].error?.file == "missing.json")
        #expect(loaded.connectors[3].error?.keyPath == "connectors[3].name")
        #expect(loaded.connectors[0].id == GatewayConfiguration.stableIdentifier(for: "Good"))

        let report = ConfigurationCheck.run(directory: path, environment: [:])
        #expect(!report.ok)
        #expect(report.text.contains("OK    Good (simulator, good.json)"))
        #expect(report.text.contains("ERROR Broken (simulator, broken.json): broken.json: expected valid JSON, found a syntax error at line 1"))
        #expect(report.text.contains(#"SKIP  Unknown (nosuch, good.json): type "nosuch" is not built in"#))
        // A type this gateway lacks alone does not fail the check (install-service.sh relies on it).
        let onlyUnknown = try directory([
            "tb_gateway.json": #"{"thingsboard": {"host": "h", "security": {"accessToken": "T"}}, "connectors": [{"type": "can", "name": "Bus", "configuration": "can.json"}]}"#,
            "can.json": "{}",
        ])
        #expect(ConfigurationCheck.run(directory: onlyUnknown, environment: [:]).ok)
    }
}
