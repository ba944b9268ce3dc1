import Foundation
import GatewayKit
import Logging
import MQTT
import ThingsBoard

/// Turns the `thingsboard` settings (plus command-line overrides) into the ThingsBoard client's
/// connection configuration, provisioning the gateway first when the configuration asks for it
/// and no credentials were saved by an earlier provisioning.
enum ThingsBoardConnectionFactory {
    static func make(_ configuration: GatewayConfiguration, options: GatewayOptions,
                     logger: Logger) async throws -> ThingsBoardConnectionConfiguration {
        var settings = configuration.thingsboard
        if let host = options.hostOverride { settings.host = host }
        if let port = options.portOverride { settings.port = port }
        if let token = options.accessTokenOverride { settings.security = .accessToken(token) }

        var tls = tlsConfiguration(settings)
        var credentials: ThingsBoardCredentials
        switch settings.security {
        case .accessToken(let token), .tlsAccessToken(let token, _): credentials = .accessToken(token)
        case .usernamePassword(let username, let password, let clientID):
            credentials = .usernamePassword(username: username, password: password, clientID: clientID)
        case .x509: credentials = .x509Certificate
        case .none:
            (credentials, tls) = try await provisionedCredentials(settings, tls: tls, directory: configuration.directory,
                                                                  logger: logger)
        }
        // Provisioning environment variables (key and secret) force provisioning even with a
        // security section, and stand in for a missing provisioning section (§1.1).
        if let fromEnvironment = provisioningFromEnvironment(options.environment) {
            if settings.provisioning == nil { settings.provisioning = fromEnvironment }
            (credentials, tls) = try await provisionedCredentials(settings, tls: tls, directory: configuration.directory,
                                                                  logger: logger)
        }

        let host = settings.host
        func spec(_ text: String, _ key: String) throws -> RateLimitSpec {
            do {
                return try RateLimitSpec(parsing: text, host: host)
            } catch {
                throw ConfigError(file: configuration.mainFile, keyPath: "thingsboard.\(key)",
                                  expected: "comma-separated <count>:<seconds> pairs such as \"10:1,60:60,\"", found: "\"\(text)\"")
            }
        }
        let gateway = SessionLimits.RateLimits(messages: try spec(settings.messagesRateLimits, "messagesRateLimits"),
                                               telemetryMessages: try spec(settings.rateLimits, "rateLimits"),
                                               telemetryDatapoints: try spec(settings.dpRateLimits, "dpRateLimits"))
        let devices = SessionLimits.RateLimits(messages: try spec(settings.deviceMessagesRateLimits, "deviceMessagesRateLimits"),
                                               telemetryMessages: try spec(settings.deviceRateLimits, "deviceRateLimits"),
                                               telemetryDatapoints: try spec(settings.deviceDpRateLimits, "deviceDpRateLimits"))
        let clientID: String
        if case .usernamePassword(_, _, let id?) = credentials { clientID = id } else { clientID = "" }
        var connection = ThingsBoardConnectionConfiguration(
            host: settings.host, port: settings.port, qos: settings.qos == 0 ? .atMostOnce : .atLeastOnce,
            keepAlive: .seconds(settings.keepAliveSeconds), clientID: clientID, credentials: credentials, tls: tls,
            maxPayloadBytes: settings.maxPayloadSizeBytes,
            gatewayRateLimits: gateway.scaled(by: SessionLimits.safetyFactor),
            deviceRateLimits: devices.scaled(by: SessionLimits.safetyFactor))
        connection.httpProxy = httpProxy(settings)
        return connection
    }

    /// `proxy_host` / `proxy_port`, for the session and for provisioning.
    static func httpProxy(_ settings: ThingsBoardSettings) -> MQTTHTTPProxy? {
        settings.proxyHost.map { host in settings.proxyPort.map { MQTTHTTPProxy(host: host, port: $0) } ?? MQTTHTTPProxy(host: host) }
    }

    static func tlsConfiguration(_ settings: ThingsBoardSettings) -> MQTTTLSConfiguration? {
        guard settings.tls else { return nil }
        var tls = MQTTTLSConfiguration(caCertificateFile: settings.caCert)
        if case .x509(_, let cert, let key) = settings.security {
            tls.certificateFile = cert
            tls.privateKeyFile = key
        }
        tls.verifyHostname = !settings.insecure
        return tls
    }

    /// Saved `.credentials` when present, else a provisioning exchange whose answer is saved; with
    /// the TLS settings of the session those credentials need (X.509: ThingsBoard's CA and the
    /// certificate made for provisioning).
    static func provisionedCredentials(_ settings: ThingsBoardSettings, tls: MQTTTLSConfiguration?, directory: String,
                                       logger: Logger) async throws -> (ThingsBoardCredentials, MQTTTLSConfiguration?) {
        if let saved = ThingsBoardProvisioning.loadSavedAnswer(configDirectory: directory) {
            logger.info("using the credentials saved by an earlier provisioning", metadata: ["file": ".credentials"])
            let credentials = try ThingsBoardProvisioning.credentials(from: saved)
            guard credentials == .x509Certificate else { return (credentials, tls) }
            return (credentials, try x509TLS(settings, caCert: saved["caCert"]?.stringValue, directory: directory))
        }
        guard let provisioning = settings.provisioning else {
            throw ConfigError(file: "tb_gateway.json", keyPath: "thingsboard.security",
                              expected: "a security section (e.g. {\"type\":\"accessToken\",\"accessToken\":\"...\"}) or a provisioning section")
        }
        let credentials: ThingsBoardProvisioning.CredentialsType
        var provisioningTLS = tls
        switch provisioning.type.uppercased() {
        case "MQTT_BASIC":
            credentials = .mqttBasic(username: provisioning.username, password: provisioning.password, clientID: provisioning.clientID)
        case "ACCESS_TOKEN":
            credentials = .accessToken(token: provisioning.accessToken)
        case "X509_CERTIFICATE":
            guard let caCert = provisioning.caCert else {
                throw ConfigError(file: "tb_gateway.json", keyPath: "thingsboard.provisioning.caCert",
                                  expected: "the file of the CA certificate ThingsBoard's MQTT TLS port is verified with (X509_CERTIFICATE provisioning)")
            }
            // The session it provisions for is TLS on the same port, so the exchange is too,
            // verified with that CA (the reference uses TLS only on port 8883, and checks nothing).
            provisioningTLS = MQTTTLSConfiguration(caCertificateFile: ThingsBoardSettings.resolve(caCert, in: directory),
                                                   verifyHostname: !settings.insecure)
            credentials = .x509Certificate(certificatePEM: try ProvisioningCertificate.generate(in: directory))
        default:
            throw ConfigError(file: "tb_gateway.json", keyPath: "thingsboard.provisioning.type",
                              expected: "ACCESS_TOKEN, MQTT_BASIC or X509_CERTIFICATE", found: provisioning.type)
        }
        let request = ThingsBoardProvisioning.Request(
            deviceKey: provisioning.deviceKey, deviceSecret: provisioning.deviceSecret,
            deviceName: provisioning.deviceName ?? defaultProvisionedName(), credentials: credentials)
        logger.info("provisioning the gateway device", metadata: ["device": "\(request.deviceName)"])
        var answer = try await ThingsBoardProvisioning.provision(host: settings.host, port: settings.port, tls: provisioningTLS,
                                                                 httpProxy: httpProxy(settings), request: request, logger: logger)
        if case .x509Certificate = credentials, let caCert = provisioning.caCert, case .object(var fields) = answer {
            fields["caCert"] = .string(caCert)  // as the reference saves it, for the next starts
            answer = .object(fields)
        }
        try ThingsBoardProvisioning.save(answer: answer, configDirectory: directory)
        let granted = try ThingsBoardProvisioning.credentials(from: answer)
        guard granted == .x509Certificate else { return (granted, tls) }
        return (granted, try x509TLS(settings, caCert: provisioning.caCert, directory: directory))
    }

    /// TLS of a session with provisioned X.509 credentials: ThingsBoard's CA (a name relative to
    /// the configuration folder resolves there) and `cert.pem` / `key.pem` of that folder.
    static func x509TLS(_ settings: ThingsBoardSettings, caCert: String?, directory: String) throws -> MQTTTLSConfiguration {
        let certificate = ProvisioningCertificate.certificateFile(in: directory)
        let key = ProvisioningCertificate.privateKeyFile(in: directory)
        guard FileManager.default.fileExists(atPath: certificate), FileManager.default.fileExists(atPath: key) else {
            throw ConfigError(file: ThingsBoardProvisioning.credentialsFile(in: directory), keyPath: "credentialsType",
                              expected: "X.509 credentials with the \(ProvisioningCertificate.certificateFileName) and \(ProvisioningCertificate.privateKeyFileName) provisioning wrote beside it (remove the file to provision again)")
        }
        var tls = MQTTTLSConfiguration(caCertificateFile: caCert.map { ThingsBoardSettings.resolve($0, in: directory) },
                                       certificateFile: certificate, privateKeyFile: key)
        tls.verifyHostname = !settings.insecure
        return tls
    }
}

extension ThingsBoardConnectionFactory {
    /// As the reference: "Gateway " and five random letters, so a gateway provisioned again (or
    /// many gateways on machines with the same host name) gets a name ThingsBoard accepts.
    static func defaultProvisionedName() -> String { "Gateway \(ThingsBoardProvisioning.randomLetters(5))" }

    /// The reference's `TB_GW_PROVISIONING_*` variables: nil unless both `..._DEVICE_KEY` and
    /// `..._DEVICE_SECRET` are set; the credentials type follows from which others are.
    static func provisioningFromEnvironment(_ environment: [String: String]) -> ThingsBoardSettings.Provisioning? {
        func value(_ name: String) -> String? { environment["TB_GW_PROVISIONING_DEVICE_\(name)"] }
        guard let key = value("KEY"), let secret = value("SECRET") else { return nil }
        let type: String
        if value("ACCESS_TOKEN") != nil {
            type = "ACCESS_TOKEN"
        } else if value("USERNAME") != nil || value("PASSWORD") != nil || value("CLIENT_ID") != nil {
            type = "MQTT_BASIC"
        } else if value("CA_CERT_FILENAME") != nil {
            type = "X509_CERTIFICATE"
        } else {
            type = "ACCESS_TOKEN"
        }
        return ThingsBoardSettings.Provisioning(type: type, deviceKey: key, deviceSecret: secret, deviceName: value("NAME"),
                                                accessToken: value("ACCESS_TOKEN"), username: value("USERNAME"),
                                                password: value("PASSWORD"), clientID: value("CLIENT_ID"),
                                                caCert: value("CA_CERT_FILENAME"))
    }
}

extension SessionLimits.RateLimits {
    func scaled(by factor: Double) -> SessionLimits.RateLimits {
        SessionLimits.RateLimits(messages: messages.scaled(by: factor), telemetryMessages: telemetryMessages.scaled(by: factor),
                                 telemetryDatapoints: telemetryDatapoints.scaled(by: factor))
    }
}
