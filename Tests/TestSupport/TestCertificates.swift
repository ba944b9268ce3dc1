import Foundation

/// A throw-away PKI made with the `openssl` CLI in a scratch directory: a CA, a server certificate
/// for 127.0.0.1/localhost and a client certificate, all signed by that CA (PEM files).
public struct TestCertificates: Sendable {
    public let directory: URL
    public var caFile: String { directory.appendingPathComponent("ca.pem").path }
    public var caKeyFile: String { directory.appendingPathComponent("ca.key").path }
    public var serverCertFile: String { directory.appendingPathComponent("server.pem").path }
    public var serverKeyFile: String { directory.appendingPathComponent("server.key").path }
    public var clientCertFile: String { directory.appendingPathComponent("client.pem").path }
    public var clientKeyFile: String { directory.appendingPathComponent("client.key").path }

    /// - Parameter serverNames: DNS names / IP addresses put into the server certificate's SAN.
    public init(label: String = "pki", serverNames: [String] = ["127.0.0.1", "localhost"]) throws {
        directory = try makeScratchDirectory(label)
        let dir = directory.path
        try Self.openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=Test CA",
                          "-keyout", "\(dir)/ca.key", "-out", "\(dir)/ca.pem",
                          "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"])
        let san = serverNames.map { name in
            name.allSatisfy { $0.isNumber || $0 == "." || $0 == ":" } ? "IP:\(name)" : "DNS:\(name)"
        }.joined(separator: ",")
        try issue(name: "server", subject: "/CN=\(serverNames.first ?? "localhost")",
                  extensions: "subjectAltName=\(san)\nextendedKeyUsage=serverAuth\n")
        try issue(name: "client", subject: "/CN=test-client", extensions: "extendedKeyUsage=clientAuth\n")
    }

    private func issue(name: String, subject: String, extensions: String) throws {
        let dir = directory.path
        try Self.openssl(["req", "-newkey", "rsa:2048", "-nodes", "-subj", subject,
                          "-keyout", "\(dir)/\(name).key", "-out", "\(dir)/\(name).csr"])
        let extFile = "\(dir)/\(name).ext"
        try ("basicConstraints=CA:FALSE\n" + extensions).write(toFile: extFile, atomically: true, encoding: .utf8)
        try Self.openssl(["x509", "-req", "-in", "\(dir)/\(name).csr", "-CA", caFile, "-CAkey", caKeyFile,
                          "-CAcreateserial", "-days", "2", "-extfile", extFile, "-out", "\(dir)/\(name).pem"])
    }

    /// Absolute path of `openssl` from PATH (an absolute path makes PeerProcess skip its own lookup).
    static func opensslPath() throws -> String {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        let directories: [String] = path.split(separator: ":").map(String.init) + ["/usr/bin", "/bin"]
        for directory in directories where FileManager.default.isExecutableFile(atPath: directory + "/openssl") {
            return directory + "/openssl"
        }
        throw PeerUnavailable(what: "openssl", hint: "install it (apt-get install openssl) or put it on PATH")
    }

    static func openssl(_ arguments: [String]) throws {
        let log = try makeScratchDirectory("openssl").appendingPathComponent("openssl.log")
        let tool = try PeerProcess(executable: try opensslPath(), arguments: arguments, logFile: log)
        tool.process.waitUntilExit()
        guard tool.process.terminationStatus == 0 else {
            throw PeerUnavailable(what: "openssl", hint: "openssl \(arguments.joined(separator: " ")) failed:\n\(tool.output())")
        }
    }
}
