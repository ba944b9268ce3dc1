import Foundation
import TestSupport

/// The asyncua server of `Tests/Peers/opcua_connector_server.py` (the upstream blackbox node
/// layout plus our own test nodes), run as a child process on a free port. Missing Python or
/// asyncua fails the test (never skips).
final class OPCUATestServer: @unchecked Sendable {
    // @unchecked: `process` is replaced only by `restart()`, which tests call from the one task
    // that owns the server; other members are immutable.
    let port: Int
    let scratch: URL
    private(set) var process: PeerProcess
    private var starts = 0

    var url: String { "opc.tcp://127.0.0.1:\(port)/freeopcua/server/" }

    private init(port: Int, scratch: URL, process: PeerProcess) {
        self.port = port
        self.scratch = scratch
        self.process = process
    }

    static func start(label: String = "opcua-connector") async throws -> OPCUATestServer {
        let scratch = try makeScratchDirectory(label)
        let port = freeTCPPort()
        let process = try launch(port: port, log: scratch.appendingPathComponent("server-0.log"))
        let server = OPCUATestServer(port: port, scratch: scratch, process: process)
        try await server.waitUntilReady()
        return server
    }

    private static func launch(port: Int, log: URL) throws -> PeerProcess {
        try PythonPeer.start("opcua_connector_server.py", arguments: [String(port)], logFile: log)
    }

    /// Waits for the READY line (the machine may be busy: Python start-up can take seconds).
    func waitUntilReady(timeout: Double = 90) async throws {
        let ready = await waitUntil(timeout: timeout, interval: 0.1) {
            process.output().contains("READY") || !process.isRunning
        }
        guard ready, process.isRunning, process.output().contains("READY") else {
            throw PeerUnavailable(what: "opcua_connector_server.py",
                                  hint: "it did not start; its output: \(process.output().suffix(2000))")
        }
    }

    /// Kills the server (as a crash would) and starts a fresh one on the same port.
    func restart() async throws {
        process.killHard()
        starts += 1
        // The port may linger in TIME_WAIT; asyncua binds with SO_REUSEADDR, so one try is enough.
        process = try Self.launch(port: port, log: scratch.appendingPathComponent("server-\(starts).log"))
        try await waitUntilReady()
    }

    func kill() { process.killHard() }

    func stop() { process.stop(grace: 2) }

    deinit { process.stop(grace: 1) }
}
