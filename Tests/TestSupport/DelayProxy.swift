import Foundation

/// `Tests/Peers/delay_proxy.py`: a TCP proxy on a free port of 127.0.0.1 that delays each direction
/// by `delayMs`, so a test can put a remote ThingsBoard's round trip between the gateway and a local
/// broker. Throws `PeerUnavailable` (the test fails) when it does not come up.
public enum DelayProxy {
    public static func start(to targetPort: Int, delayMs: Int, logFile: URL) async throws -> (process: PeerProcess, port: Int) {
        try await ProxyPeer.start("delay_proxy.py", to: targetPort, arguments: ["\(delayMs)"], logFile: logFile)
    }
}

/// `Tests/Peers/puback_withholding_proxy.py`: a proxy in front of a broker that withholds or
/// refuses (`action`) the PUBACK of a QoS 1 publish containing `marker`, on the first
/// `connections` connections (0: on all), as ThingsBoard does for the data of a device it cannot
/// create. Its output has a "withheld <id>" or "refused <id>" line per PUBACK.
public enum PubackWithholdingProxy {
    /// What the proxy does to the PUBACK of a marked publish.
    public enum Action: String, Sendable {
        /// None comes (ThingsBoard up to 4.2.0, a device it cannot create).
        case withhold
        /// QUOTA_EXCEEDED, the session stays (ThingsBoard 4.2.1 and later, a device it cannot create).
        case refuse
        /// QUOTA_EXCEEDED, then the connection is closed (ThingsBoard's rate limit).
        case refuseAndClose = "refuse-close"
    }

    public static func start(to targetPort: Int, marker: String, connections: Int, action: Action = .withhold,
                             logFile: URL) async throws -> (process: PeerProcess, port: Int) {
        try await ProxyPeer.start("puback_withholding_proxy.py", to: targetPort,
                                  arguments: [marker, "\(connections)", action.rawValue], logFile: logFile)
    }
}

/// `Tests/Peers/http_connect_proxy.py`: an HTTP proxy doing CONNECT tunnels (only to
/// `allowedPort` when given; others get 403). Its output has a "CONNECT <authority>" line per tunnel.
public enum HTTPConnectProxy {
    public static func start(allowedPort: Int? = nil, logFile: URL) async throws -> (process: PeerProcess, port: Int) {
        try await ProxyPeer.start("http_connect_proxy.py", to: nil, arguments: allowedPort.map { ["\($0)"] } ?? [],
                                  logFile: logFile)
    }
}

/// A proxy script of `Tests/Peers/` taking `LISTEN_PORT [TARGET_PORT] ...` and printing "ready".
enum ProxyPeer {
    static func start(_ script: String, to targetPort: Int?, arguments: [String],
                      logFile: URL) async throws -> (process: PeerProcess, port: Int) {
        let port = freeTCPPort()
        let process = try PythonPeer.start(script, arguments: ["\(port)"] + (targetPort.map { ["\($0)"] } ?? []) + arguments,
                                           logFile: logFile)
        guard await waitUntil(timeout: 10, { process.output().contains("ready") }) else {
            process.stop()
            throw PeerUnavailable(what: script, hint: process.output())
        }
        return (process, port)
    }
}
