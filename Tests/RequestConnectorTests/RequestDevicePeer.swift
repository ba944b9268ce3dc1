import Foundation
import GatewayKit
import HTTPConnectorKit
import Logging
import RequestConnector
import TestSupport

/// Tests/Peers/request_device.py on a free port of 127.0.0.1 (see the script for its paths).
final class RequestDevicePeer: Sendable {
    let port: Int
    let process: PeerProcess

    init(port: Int = freeTCPPort(), user: String? = nil, password: String? = nil) async throws {
        self.port = port
        let scratch = try makeScratchDirectory("request-peer")
        var arguments = [String(port)]
        if let user, let password { arguments += ["--user", user, "--password", password] }
        process = try PythonPeer.start("request_device.py", arguments: arguments,
                                       logFile: scratch.appendingPathComponent("peer.log"))
        guard await waitUntil(timeout: 10, { isTCPPortOpen(port) }) else {
            process.stop()
            throw PeerUnavailable(what: "request_device.py on port \(port)", hint: "did not start:\n\(process.output())")
        }
    }

    var baseURL: String { "http://127.0.0.1:\(port)" }

    func stop() { process.stop(grace: 2) }

    /// What the device recorded on its /sensor/... paths, oldest first.
    func received() async throws -> [JSONValue] {
        try await get("/_received").arrayValue ?? []
    }

    /// How often each path was asked.
    func counts() async throws -> JSONObject {
        try await get("/_count").objectValue ?? [:]
    }

    private func get(_ path: String) async throws -> JSONValue {
        let reply = try await HTTPClients.shared.perform(HTTPOutgoingRequest(url: baseURL + path, timeout: .seconds(5)))
        return try JSONValue.parse(reply.body)
    }
}

/// A running connector for one test; `stop()` cancels it and waits for it to end.
struct RunningConnector {
    let connector: RequestConnector
    let context: RecordingContext
    let task: Task<Void, any Error>

    init(_ config: JSONValue, file: String = "request.json", logger: Logger? = nil,
         converterLogger: Logger? = nil) throws {
        var debug = Logger(label: "request-test")
        debug.logLevel = .debug
        let configuration = try RequestConnectorConfiguration.parse(config, file: file)
        let context = RecordingContext()
        let connector = RequestConnector(identity: ConnectorIdentity(name: "Request", type: "request", id: "r1"),
                                         configuration: configuration, context: context, logger: logger ?? debug,
                                         converterLogger: converterLogger)
        self.connector = connector
        self.context = context
        task = Task { try await connector.run() }
    }

    func stop() async {
        task.cancel()
        _ = await task.result
    }
}
