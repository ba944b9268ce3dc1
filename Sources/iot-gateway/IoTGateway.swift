import ArgumentParser
import Foundation
import GatewayCore
import Logging

/// `iot-gateway`: argument parsing and start-up only; everything else lives in GatewayCore.
/// The entry point is main.swift.
struct IoTGateway: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "iot-gateway",
        abstract: "Connects field devices to ThingsBoard; a drop-in replacement for the Python ThingsBoard IoT Gateway.",
        discussion: """
            The configuration directory holds tb_gateway.json (or the legacy tb_gateway.yaml), one JSON file per \
            connector and optionally logs.json — the same files the Python gateway uses. Environment variables \
            TB_GW_HOST, TB_GW_PORT, TB_GW_ACCESS_TOKEN, ... override the thingsboard section as they do there.

            Examples:
              iot-gateway                                  run with ./config
              iot-gateway run --config /etc/thingsboard-gateway/config
              iot-gateway check-config ./config            validate and print a summary
              iot-gateway convert config/mqtt.json --topic sensor/SN-1/data --payload '{"temp": 21.5}'
                                                           show what a message becomes
            """,
        version: GatewayVersion.current,
        subcommands: [Run.self, CheckConfig.self, Convert.self, Version.self],
        defaultSubcommand: Run.self)
}

struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the gateway (the default when no command is given). SIGTERM or Ctrl-C stops it gracefully.")

    @Option(name: .shortAndLong, help: "Configuration directory (default: $TB_GW_CONFIG_DIR, else ./config, else /etc/thingsboard-gateway/config).")
    var config: String?

    @Option(name: .customLong("tb-host"), help: "ThingsBoard host (overrides thingsboard.host and TB_GW_HOST).")
    var tbHost: String?

    @Option(name: .customLong("tb-port"), help: "ThingsBoard MQTT port (overrides thingsboard.port and TB_GW_PORT).")
    var tbPort: Int?

    @Option(name: .customLong("token"), help: "Gateway device access token (overrides TB_GW_ACCESS_TOKEN).")
    var accessToken: String?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical (default: from logs.json, else info).")
    var logLevel: String?

    func run() async throws {
        let options = GatewayOptions(
            configDirectory: GatewayOptions.resolveConfigDirectory(config, environment: ProcessInfo.processInfo.environment),
            environment: ProcessInfo.processInfo.environment,
            hostOverride: tbHost, portOverride: tbPort, accessTokenOverride: accessToken,
            logLevel: try logLevel.map(GatewayOptions.parseLogLevel))
        let code = await GatewayRuntime.run(options)
        if code != 0 { throw ExitCode(code) }
    }
}

struct CheckConfig: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Validate the configuration directory, print a summary of ThingsBoard, storage, logs and connectors; exit non-zero on any error.")

    @Argument(help: "Configuration directory (default: $TB_GW_CONFIG_DIR, else ./config, else /etc/thingsboard-gateway/config).")
    var directory: String?

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let report = ConfigurationCheck.run(
            directory: GatewayOptions.resolveConfigDirectory(directory, environment: environment), environment: environment)
        print(report.text)
        if !report.ok { throw ExitCode(1) }
    }
}

struct Convert: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show what one message becomes: the ThingsBoard messages a connector file's mappings make of it (MQTT connector; no broker needed).",
        discussion: """
            The message is converted as the running connector converts it, then filtered by the connector's own \
            reportStrategy as its first message (the gateway's in tb_gateway.json is not applied), and printed as \
            '<ThingsBoard topic> <payload>' lines; a device's first data is also preceded by its connect and \
            connector attributes, which are not shown, and a disconnect request is sent only for a connected \
            device. Conversion problems print as PROBLEM lines; they, an \
            unmatched topic and a configuration error make the exit status 1.
            """)

    @Argument(help: "The connector file (e.g. config/mqtt.json).")
    var connectorFile: String

    @Option(help: "The topic the message arrives on.")
    var topic: String

    @Option(parsing: .unconditional, help: "The payload, as text (a leading '-' is fine: --payload -5).")
    var payload: String?

    @Option(help: "A file holding the payload (bytes as they are).")
    var payloadFile: String?

    @Option(help: "The payload as hex digits, white space allowed (for bytes converters).")
    var payloadHex: String?

    @Option(help: "The connector type (mqtt).")
    var type = "mqtt"

    func validate() throws {
        if [payload, payloadFile, payloadHex].compactMap({ $0 }).count != 1 {
            throw ValidationError("give the message with exactly one of --payload, --payload-file or --payload-hex")
        }
    }

    func run() throws {
        let input: ConversionTrial.Payload = if let payload { .text(payload) }
            else if let payloadFile { .file(payloadFile) } else { .hex(payloadHex ?? "") }
        let report = ConversionTrial.run(connectorFile: connectorFile, type: type, topic: topic, payload: input,
                                         now: Int64(Date().timeIntervalSince1970 * 1000))
        print(report.text)
        if !report.ok { throw ExitCode(1) }
    }
}

struct Version: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the gateway version.")
    func run() {
        print("iot-gateway \(GatewayVersion.current) (compatible with ThingsBoard IoT Gateway \(GatewayVersion.referenceCompatibility))")
    }
}

extension GatewayOptions {
    static func parseLogLevel(_ text: String) throws -> Logger.Level {
        guard let level = GatewayOptions.logLevel(named: text) else {
            throw ValidationError("--log-level: expected one of trace, debug, info, notice, warning, error, critical; found \"\(text)\"")
        }
        return level
    }
}

extension IoTGateway {
    /// ArgumentParser's async entry point (`AsyncParsableCommand.main() async`); from top-level code
    /// in main.swift the synchronous `ParsableCommand.main()` would be picked instead.
    static func start() async { await main() }
}
