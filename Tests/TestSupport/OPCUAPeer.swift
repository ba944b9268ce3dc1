import Foundation

/// The asyncua 2.1.0 test server (`Tests/Peers/opcua_server.py`) on 127.0.0.1. Start-up is dominated
/// by Python imports (seconds on a loaded machine), so `start` waits up to 30 s for the READY line (20 s was not enough with four servers starting on a loaded 2-core machine).
/// Fails with `PeerUnavailable` (tests fail, never skip) when the venv or asyncua is missing.
public final class OPCUAPeer: Sendable {
    public let port: Int
    public let process: PeerProcess
    /// "opc.tcp://127.0.0.1:PORT/tbtest/"
    public let endpointURL: String
    /// The namespace index of "http://tbgw.test" (2 on a fresh server).
    public let namespaceIndex: Int

    /// Starts the server; pass `port` to restart one on the port a client is still pointed at.
    /// `options` are the script's flags ("--secure", "--users", "--cert-dir", dir).
    public static func start(port: Int? = nil, in scratch: URL, options: [String] = []) async throws -> OPCUAPeer {
        let port = port ?? freeTCPPort()
        let log = scratch.appendingPathComponent("opcua-server-\(port)-\(UUID().uuidString.prefix(6)).log")
        let process = try PythonPeer.start("opcua_server.py", arguments: [String(port)] + options, logFile: log)
        let ready = await waitUntil(timeout: 30, interval: 0.05) { process.output().contains("READY") || !process.isRunning }
        guard ready, process.isRunning, let line = process.output().split(separator: "\n").first(where: { $0.hasPrefix("READY") })
        else {
            process.stop()
            throw PeerUnavailable(what: "opcua_server.py on port \(port)",
                                  hint: "did not print READY within 30 s: \(process.output().suffix(2000))")
        }
        let namespace = line.split(separator: " ").last.flatMap { Int($0.dropFirst(3)) } ?? 2
        return OPCUAPeer(port: port, process: process, namespaceIndex: namespace)
    }

    private init(port: Int, process: PeerProcess, namespaceIndex: Int) {
        self.port = port
        self.process = process
        self.endpointURL = "opc.tcp://127.0.0.1:\(port)/tbtest/"
        self.namespaceIndex = namespaceIndex
    }

    /// SIGKILL: the server vanishes without closing sessions, like a crashed or unplugged device.
    public func kill() { process.killHard() }

    public func stop() { process.stop(grace: 2) }

    public func output() -> String { process.output() }
}
