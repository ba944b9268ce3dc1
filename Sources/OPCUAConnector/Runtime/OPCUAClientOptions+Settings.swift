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
        if let certificates = server.identity.certificates, certificates.mode != .none {
            let policyName = server.effectiveSecurityPolicy
            guard let policy = OPCUASecurityPolicy(name: policyName) else {
                throw ConfigError(file: file, keyPath: "server.security", expected: "a known security policy",
                                  found: policyName)
            }
            options.securityPolicy = policy
            options.securityMode = certificates.mode == .sign ? .sign : .signAndEncrypt
            do {
                options.certificate = try OPCUACertificate(contentsOfFile: certificates.clientCertificatePath)
            } catch {
                throw ConfigError(file: file, keyPath: "server.identity.cert",
                                  expected: "a readable PEM or DER client certificate (\(error))",
                                  found: certificates.clientCertificatePath)
            }
            do {
                options.privateKey = try OPCUAPrivateKey(contentsOfFile: certificates.privateKeyPath)
            } catch {
                throw ConfigError(file: file, keyPath: "server.identity.privateKey",
                                  expected: "a readable PEM or DER RSA private key (\(error))",
                                  found: certificates.privateKeyPath)
            }
        }
        return options
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
