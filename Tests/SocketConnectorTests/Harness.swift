import Foundation
import GatewayKit
import Logging
import TestSupport
@testable import SocketConnector

/// A socket connector running in the test process on a port the kernel picks, recording what
/// it hands to the gateway.
struct RunningConnector {
    let connector: SocketConnector
    let context: RecordingContext
    let task: Task<Void, any Error>
    let port: Int

    /// `devicesJSON`: the `devices` array of the config.
    static func start(transport: String = "TCP", devicesJSON: String, bufferSize: Int = 1024,
                      context: RecordingContext = RecordingContext()) async throws -> RunningConnector {
        let document = try JSONValue.parse("""
            {"socket": {"type": "\(transport)", "address": "127.0.0.1", "port": 0, "bufferSize": \(bufferSize)},
             "devices": \(devicesJSON)}
            """)
        let configuration = try SocketConnectorConfiguration.parse(document, file: "socket.json")
        var logger = Logger(label: "socket-test")
        logger.logLevel = .debug
        let connector = SocketConnector(identity: ConnectorIdentity(name: "Socket", type: "socket", id: "s1"),
                                        configuration: configuration, context: context, logger: logger)
        let task = Task { try await connector.run() }
        let deadline = ContinuousClock.now + .seconds(10)
        while connector.listeningPort == nil {
            guard ContinuousClock.now < deadline else { throw HarnessError.notListening }
            try await Task.sleep(for: .milliseconds(10))
        }
        return RunningConnector(connector: connector, context: context, task: task, port: connector.listeningPort!)
    }

    func stop() async throws {
        task.cancel()
        try await task.value
    }

    /// The reference config's device, taking every peer.
    static let referenceDevices = """
        [{"address": "*:*", "deviceName": "Device Example", "deviceType": "default", "encoding": "utf-8",
          "telemetry": [{"key": "temp", "byteFrom": 0, "byteTo": -1}, {"key": "hum", "byteFrom": 0, "byteTo": 2}],
          "attributes": [{"key": "name", "byteFrom": 0, "byteTo": -1}, {"key": "num", "byteFrom": 2, "byteTo": 4}],
          "attributeRequests": [{"type": "shared", "requestExpression": "${[0:3]==atr}", "attributeNameExpression": "[3:]"}],
          "attributeUpdates": [{"encoding": "utf-16", "attributeOnThingsBoard": "sharedName"}],
          "serverSideRpc": [{"methodRPC": "rpcMethod1", "withResponse": true, "encoding": "utf-8"},
                            {"methodRPC": "oneWay", "withResponse": false}]}]
        """
}

enum HarnessError: Error { case notListening }

/// A device process (Tests/Peers/socket_device.py) talking to the connector; what it receives
/// is read back from its log of hex lines.
struct DeviceProcess {
    let process: PeerProcess
    let received: URL

    static func start(_ label: String, proto: String = "tcp", port: Int, bindPort: Int? = nil, linger: Double = 0,
                      steps: [String]) throws -> DeviceProcess {
        let directory = try makeScratchDirectory("socket-\(label)")
        let received = directory.appendingPathComponent("received.hex")
        _ = FileManager.default.createFile(atPath: received.path, contents: nil)
        var arguments = ["--proto", proto, "--port", "\(port)", "--out", received.path, "--linger", "\(linger)"]
        if let bindPort { arguments += ["--bind-port", "\(bindPort)"] }
        let process = try PythonPeer.start("socket_device.py", arguments: arguments + steps,
                                           logFile: directory.appendingPathComponent("device.log"))
        return DeviceProcess(process: process, received: received)
    }

    /// Every chunk received so far.
    var chunks: [[UInt8]] {
        let text = (try? String(contentsOf: received, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").map { line in
            stride(from: 0, to: line.count, by: 2).compactMap { offset in
                let start = line.index(line.startIndex, offsetBy: offset)
                return UInt8(line[start..<line.index(start, offsetBy: 2)], radix: 16)
            }
        }
    }

    var log: String { process.output() }

    func waitForExit(timeout: Double = 15) async -> Bool {
        await waitUntil(timeout: timeout) { !process.isRunning }
    }
}
