import Foundation
import TestSupport

/// The real `iot-gateway` binary run against a config directory written by the test.
final class GatewayUnderTest: @unchecked Sendable {
    // @unchecked: `process` is replaced only by start()/kill methods called from the single test
    // task that owns this object.
    let directory: URL
    var configDirectory: URL { directory.appendingPathComponent("config") }
    private(set) var process: PeerProcess?
    private var runs = 0

    init(label: String) throws {
        directory = try makeScratchDirectory("e2e-\(label)")
        try FileManager.default.createDirectory(at: configDirectory, withIntermediateDirectories: true)
    }

    /// The binary built by `swift build` next to the test bundle.
    static func binary() throws -> String {
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        for _ in 0..<6 {
            url.deleteLastPathComponent()
            let candidate = url.appendingPathComponent("iot-gateway")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate.path }
        }
        let fallback = FileManager.default.currentDirectoryPath + "/.build/debug/iot-gateway"
        if FileManager.default.isExecutableFile(atPath: fallback) { return fallback }
        throw PeerUnavailable(what: "iot-gateway", hint: "run `swift build` before `swift test` (scripts/test.sh does)")
    }

    func write(_ name: String, _ json: String) throws {
        try json.write(to: configDirectory.appendingPathComponent(name), atomically: true, encoding: .utf8)
    }

    static let simulatorConnector = #"{"type": "simulator", "name": "Simulator", "configuration": "simulator.json"}"#

    /// tb_gateway.json for a broker on 127.0.0.1:port with the given storage section and
    /// connectors (by default the simulator connector reading simulator.json).
    func writeMainConfig(port: Int, storage: String, extraThingsBoard: String = "",
                         connectors: [String] = [GatewayUnderTest.simulatorConnector],
                         admin: String = #"{"enabled": false}"#) throws {
        try write("tb_gateway.json", """
            {
              "thingsboard": {
                "host": "127.0.0.1", "port": \(port), "qos": 1,
                "security": {"type": "accessToken", "accessToken": "E2E_TOKEN"},
                "remoteConfiguration": false, "statistics": {"enable": false}\(extraThingsBoard)
              },
              "storage": \(storage),
              "admin": \(admin),
              "connectors": [\(connectors.joined(separator: ", "))]
            }
            """)
    }

    /// Turns `thingsboard.remoteConfiguration` on in the tb_gateway.json written by `writeMainConfig`.
    func enableRemoteConfiguration() throws {
        let main = configDirectory.appendingPathComponent("tb_gateway.json")
        try String(contentsOf: main, encoding: .utf8)
            .replacingOccurrences(of: #""remoteConfiguration": false"#, with: #""remoteConfiguration": true"#)
            .write(to: main, atomically: true, encoding: .utf8)
    }

    /// A simulator connector file: one device sending a counter `counter` every 100 ms.
    static func counterSimulator(device: String) -> String {
        """
        {"devices": [{"name": "\(device)", "type": "sim", "periodMs": 100,
          "telemetry": [{"key": "counter", "kind": "counter", "start": 0, "step": 1}]}]}
        """
    }

    /// `asUnprivilegedUser`: when the tests run as root, the gateway runs as uid/gid 65534 (nobody),
    /// like its service runs as `thingsboard_gateway`; the test's folders are opened up for it.
    /// (Tests run by another user already run it unprivileged.)
    /// `logLevel` nil: the levels of the configuration's logs.json.
    func start(arguments extra: [String] = [], environment: [String: String]? = nil, logLevel: String? = "debug",
               asUnprivilegedUser: Bool = false) throws {
        runs += 1
        var executable = try Self.binary()
        var arguments = ["run", "--config", configDirectory.path] + (logLevel.map { ["--log-level", $0] } ?? []) + extra
        if asUnprivilegedUser && getuid() == 0 {
            for folder in [directory, configDirectory] {
                try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: folder.path)
            }
            arguments = ["--reuid=65534", "--regid=65534", "--clear-groups", executable] + arguments
            executable = try PeerProcess.resolve("setpriv")
        }
        process = try PeerProcess(
            executable: executable,
            arguments: arguments,
            environment: environment,
            currentDirectory: directory,
            logFile: directory.appendingPathComponent("gateway-\(runs).log"))
    }

    func stop() { process?.stop(grace: 15) }
    func killHard() { process?.killHard() }
    func log() -> String { process?.output() ?? "" }

    deinit { process?.stop(grace: 2) }
}

/// Values of the integer `key` in every telemetry entry of `device` seen on v1/gateway/telemetry.
func readings(of device: String, key: String, in messages: [BrokerObserver.Message]) -> [Int64] {
    var values: [Int64] = []
    for message in messages where message.topic == "v1/gateway/telemetry" {
        guard let entries = try? JSONValue.parse(message.payload)[device]?.arrayValue else { continue }
        for entry in entries {
            if let value = entry["values"]?[key]?.intValue { values.append(value) }
        }
    }
    return values
}

/// Every attribute of `device` seen on v1/gateway/attributes, merged (the uplink may pack the
/// device's own attributes and its connector attributes into one message or several).
func attributes(of device: String, in messages: [BrokerObserver.Message]) -> JSONObject {
    var merged: JSONObject = [:]
    for message in messages where message.topic == "v1/gateway/attributes" {
        if case .object(let values)? = try? JSONValue.parse(message.payload)[device] { merged.merge(values) { $1 } }
    }
    return merged
}

import GatewayKit
