import GatewayKit
import OPCUA

extension OPCUAClientOptions {
    /// Client options for the `server` section: endpoint, timeouts, identity, security and the
    /// reconnect back-off. Certificates are loaded here, so a missing file stops the connector
    /// with a message naming it.
    static func make(for server: OPCUAServerSettings, file: String) throws(ConfigError) -> OPCUAClientOptions {
        var options = OPCUAClientOptions(endpointURL: server.url)
        options.requestTimeout = server.timeout
        options.connection.connectTimeout = server.timeout
        options.sessionTimeout = server.sessionTimeout
        if let uri = server.applicationURI { options.applicationURI = uri }
        options.reconnect = reconnectPolicy(for: server)
        // Keep-alive reads often enough to notice a dead server quickly, rarely enough to be free.
        options.keepAliveInterval = min(.seconds(5), max(.seconds(1), server.sessionTimeout / 4))
        if let name = server.identity.username {
            options.identity = .userName(name, password: server.identity.password ?? "")
        }
        if let certificatePath = server.identity.userCertificatePath, let keyPath = server.identity.userPrivateKeyPath {
            options.identity = .certificate(try load("server.identity.userCert", certificatePath, file: file,
                                                     OPCUACertificate.init(contentsOfFile:)),
                                            privateKey: try load("server.identity.userPrivateKey", keyPath, file: file,
                                                                 OPCUAPrivateKey.init(contentsOfFile:)))
        }
        if let certificates = server.identity.certificates, certificates.mode != .none {
            let policyName = server.effectiveSecurityPolicy
            guard let policy = OPCUASecurityPolicy(name: policyName) else {
                throw ConfigError(file: file, keyPath: "server.security", expected: "a known security policy",
                                  found: policyName)
            }
            options.securityPolicy = policy
            options.securityMode = certificates.mode == .sign ? .sign : .signAndEncrypt
            options.certificate = try load("server.identity.cert", certificates.clientCertificatePath, file: file,
                                           OPCUACertificate.init(contentsOfFile:))
            options.privateKey = try load("server.identity.privateKey", certificates.privateKeyPath, file: file,
                                          OPCUAPrivateKey.init(contentsOfFile:))
            if let trustedPath = certificates.serverCertificatePath {
                // caCert: the server's certificate, or the CA that issued it; anything else is refused.
                let trusted = try load("server.identity.caCert", trustedPath, file: file,
                                       OPCUACertificate.init(contentsOfFile:))
                options.serverCertificateValidator = OPCUACertificateValidator(trustedCertificates: [trusted])
            }
        }
        return options
    }

    /// A certificate or key file, or a config error naming the key and the file.
    private static func load<Loaded>(_ keyPath: String, _ path: String, file: String,
                                     _ read: (String) throws -> Loaded) throws(ConfigError) -> Loaded {
        do {
            return try read(path)
        } catch {
            let what = keyPath.hasSuffix("ivateKey") ? "a readable PEM or DER RSA private key" : "a readable PEM or DER certificate"
            throw ConfigError(file: file, keyPath: keyPath, expected: "\(what) (\(error))", found: path)
        }
    }

    /// `reconnectBackoffInitialDelay` growing by `reconnectBackoffFactor`, for at most
    /// `reconnectRetriesCount` steps and never above 30 s: the reference waits up to 96 s
    /// (80 % of the session timeout) between tries, which keeps data away long after a server
    /// restart.
    static func reconnectPolicy(for server: OPCUAServerSettings) -> OPCUAReconnectPolicy {
        let initial = max(server.reconnectBackoffInitialDelay, .milliseconds(100))
        let factor = max(server.reconnectBackoffFactor, 1)
        var maximum = initial
        for _ in 1..<max(server.reconnectRetriesCount, 1) where maximum < .seconds(30) { maximum = maximum * factor }
        maximum = max(initial, min(maximum, .seconds(30)))
        return OPCUAReconnectPolicy(initialDelay: initial, factor: factor, maximumDelay: maximum)
    }
}
