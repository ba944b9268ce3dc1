import Foundation

/// A mosquitto broker started for one test on a free port of 127.0.0.1, with optional TLS and
/// password listeners. Stopped by `stop()` (or when released).
public final class Mosquitto: Sendable {
    public let port: Int
    /// The TLS listener's port when `tls` was given.
    public let tlsPort: Int?
    public let directory: URL
    private let peer: PeerProcess

    public struct TLSListener: Sendable {
        public var caFile: String
        public var certFile: String
        public var keyFile: String
        public var requireClientCertificate: Bool
        public init(caFile: String, certFile: String, keyFile: String, requireClientCertificate: Bool = false) {
            self.caFile = caFile
            self.certFile = certFile
            self.keyFile = keyFile
            self.requireClientCertificate = requireClientCertificate
        }
    }

    /// - Parameters:
    ///   - users: username → password; when non-empty anonymous access is refused.
    ///   - extraConfig: lines appended to the generated mosquitto.conf.
    ///   - persistenceDirectory: when set, the broker keeps sessions and queued messages there
    ///     across a stop and a new start on the same port (for broker-restart tests).
    public init(port: Int? = nil, users: [String: String] = [:], tls: TLSListener? = nil,
                persistenceDirectory: URL? = nil, extraConfig: [String] = []) throws {
        let directory = try makeScratchDirectory("mosquitto")
        let port = port ?? freeTCPPort()
        var lines = [
            "user root",
            "per_listener_settings false",
        ]
        if let persistenceDirectory {
            lines += ["persistence true", "persistence_location \(persistenceDirectory.path)/", "autosave_interval 1"]
        } else {
            lines.append("persistence false")
        }
        lines += [
            // stdout to a file is block-buffered by mosquitto; its own log file is written at once.
            "log_dest file \(directory.appendingPathComponent("broker.log").path)",
            "log_type error",
            "log_type warning",
            "log_type notice",
            "max_queued_messages 2000000",
            "max_inflight_messages 0",
            "listener \(port) 127.0.0.1",
        ]
        var tlsPort: Int?
        if let tls {
            let chosen = freeTCPPort()
            tlsPort = chosen
            lines += [
                "listener \(chosen) 127.0.0.1",
                "cafile \(tls.caFile)",
                "certfile \(tls.certFile)",
                "keyfile \(tls.keyFile)",
                "require_certificate \(tls.requireClientCertificate)",
            ]
        }
        if users.isEmpty {
            lines.append("allow_anonymous true")
        } else {
            let passwordFile = directory.appendingPathComponent("passwd")
            FileManager.default.createFile(atPath: passwordFile.path, contents: nil)
            for (user, password) in users {
                let tool = try PeerProcess(executable: "mosquitto_passwd", arguments: ["-b", passwordFile.path, user, password],
                                           logFile: directory.appendingPathComponent("passwd.log"))
                tool.process.waitUntilExit()
            }
            lines += ["allow_anonymous false", "password_file \(passwordFile.path)"]
        }
        lines += extraConfig
        let configFile = directory.appendingPathComponent("mosquitto.conf")
        try (lines.joined(separator: "\n") + "\n").write(to: configFile, atomically: true, encoding: .utf8)
        let peer = try PeerProcess(executable: "mosquitto", arguments: ["-c", configFile.path],
                                   logFile: directory.appendingPathComponent("mosquitto.log"))
        let up = waitUntil(timeout: 10) { isTCPPortOpen(port) && (tlsPort.map(isTCPPortOpen) ?? true) }
        guard up else {
            let log = peer.output()
            peer.stop()
            throw PeerUnavailable(what: "mosquitto", hint: "did not open port \(port) within 10 s; log:\n\(log)")
        }
        self.port = port
        self.tlsPort = tlsPort
        self.directory = directory
        self.peer = peer
    }

    public var isRunning: Bool { peer.isRunning }
    public func stop() { peer.stop() }
    public func log() -> String {
        let file = (try? String(contentsOf: directory.appendingPathComponent("broker.log"), encoding: .utf8)) ?? ""
        return peer.output() + file
    }
}
