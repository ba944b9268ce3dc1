import Foundation

/// `Tests/Peers/delay_proxy.py`: a TCP proxy on a free port of 127.0.0.1 that delays each direction
/// by `delayMs`, so a test can put a remote ThingsBoard's round trip between the gateway and a local
/// broker. Throws `PeerUnavailable` (the test fails) when it does not come up.
public enum DelayProxy {
    public static func start(to targetPort: Int, delayMs: Int, logFile: URL) async throws -> (process: PeerProcess, port: Int) {
        let port = freeTCPPort()
        let process = try PythonPeer.start("delay_proxy.py", arguments: ["\(port)", "\(targetPort)", "\(delayMs)"],
                                           logFile: logFile)
        guard await waitUntil(timeout: 10, { process.output().contains("ready") }) else {
            process.stop()
            throw PeerUnavailable(what: "delay_proxy.py", hint: process.output())
        }
        return (process, port)
    }
}
