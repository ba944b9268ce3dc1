import Foundation
import GatewayKit

extension ThingsBoardSettings {
    init(json: JSONValue, file: String, directory: String) throws(ConfigError) {
        self.init()
        raw = json
        let section = try ConfigReader(json, file: file, path: "thingsboard")
        host = try section.string("host") ?? host
        port = try section.int("port", in: 1...65535) ?? port
        qos = try section.int("qos", in: 0...1) ?? qos
        keepAliveSeconds = try section.int("keep_alive", in: 0...65535) ?? keepAliveSeconds
        maxPayloadSizeBytes = try section.int("maxPayloadSizeBytes", in: 256...268_435_455) ?? maxPayloadSizeBytes
        minPackSendDelayMS = try section.int("minPackSendDelayMS", in: 0...60_000) ?? minPackSendDelayMS
        remoteConfiguration = try section.bool("remoteConfiguration") ?? remoteConfiguration
        remoteShell = try section.bool("remoteShell") ?? remoteShell
        proxyHost = try section.string("proxy_host")
        proxyPort = try section.int("proxy_port", in: 1...65535)
        if let filtering = try section.child("deviceFiltering"), try filtering.bool("enable") == true {
            deviceFilterFile = Self.resolve(try filtering.string("filterFile", default: "list.json"), in: directory)
        }
        syncDevicesSharedAttributesOnConnect = try section.bool("syncDevicesSharedAttributesOnConnect")
            ?? syncDevicesSharedAttributesOnConnect
        if let activity = try section.child("checkingDeviceActivity"), try activity.bool("checkDeviceInactivity") == true {
            inactivity = InactivityCheck(timeoutSeconds: try activity.int("inactivityTimeoutSeconds", default: 50, in: 1...31_536_000),
                          checkPeriodSeconds: try activity.int("inactivityCheckPeriodSeconds", default: 1, in: 1...86_400))
        }
        checkConnectorsConfigurationSeconds = try section.int("checkConnectorsConfigurationInSeconds", in: 0...86_400)
            ?? checkConnectorsConfigurationSeconds
        if let statisticsSection = try section.child("statistics") {
            statistics = try StatisticsSettings(statisticsSection, directory: directory)
        }
        messagesRateLimits = try section.string("messagesRateLimits") ?? messagesRateLimits
        rateLimits = try section.string("rateLimits") ?? rateLimits
        dpRateLimits = try section.string("dpRateLimits") ?? dpRateLimits
        deviceMessagesRateLimits = try section.string("deviceMessagesRateLimits") ?? deviceMessagesRateLimits
        deviceRateLimits = try section.string("deviceRateLimits") ?? deviceRateLimits
        deviceDpRateLimits = try section.string("deviceDpRateLimits") ?? deviceDpRateLimits
        if let security = try section.child("security") {
            try applySecurity(security, directory: directory)
        }
        if let provisioning = try section.child("provisioning") {
            self.provisioning = try Provisioning(provisioning)
        }
        reportStrategy = try ReportStrategy.parse(in: section, mainSection: true)
        if port == 8883 { tls = true }
    }

    /// `security` per reference §1.1; file names relative to the config directory resolve there.
    mutating func applySecurity(_ security: ConfigReader, directory: String) throws(ConfigError) {
        func path(_ key: String) throws(ConfigError) -> String? {
            try security.string(key).map { Self.resolve($0, in: directory) }
        }
        tls = try security.bool("tls") ?? false
        insecure = try security.bool("insecure") ?? false
        caCert = try path("caCert")
        if caCert != nil { tls = true }
        certificateCheckPeriodSeconds = try security.int("checkCertPeriod", in: 1...Int(Int32.max)) ?? certificateCheckPeriodSeconds
        certificateDaysLeft = try security.int("certificateDaysLeft", in: 0...36_500) ?? certificateDaysLeft
        let type = try security.string("type")
        let token = try security.string("accessToken")
        switch type ?? (token != nil ? "accessToken" : nil) {
        case "accessToken"?:
            guard let token, !token.isEmpty else {
                throw security.failure("accessToken", expected: "the gateway device's access token", found: security.object["accessToken"])
            }
            self.security = .accessToken(token)
        case "tlsAccessToken"?:
            guard let token, !token.isEmpty else {
                throw security.failure("accessToken", expected: "the gateway device's access token", found: security.object["accessToken"])
            }
            tls = true
            self.security = .tlsAccessToken(token, caCert: caCert)
        case "usernamePassword"?:
            self.security = .usernamePassword(username: try security.string("username"), password: try security.string("password"),
                                              clientID: try security.string("clientId"))
        case nil where security.object["cert"] != nil:
            fallthrough  // No type but a certificate: x509, as the reference infers.
        case "x509Certificate"?, "tlsX509"?, "certificates"?:
            guard let cert = try path("cert") else {
                throw security.failure("cert", expected: "the path of the gateway's client certificate (PEM)", found: nil)
            }
            guard let key = try path("privateKey") else {
                throw security.failure("privateKey", expected: "the path of the client certificate's private key (PEM)", found: nil)
            }
            tls = true
            self.security = .x509(caCert: caCert, cert: cert, privateKey: key)
        case nil:
            self.security = .none
        case let other?:
            throw security.failure("type", expected: "one of accessToken, tlsAccessToken, usernamePassword, x509Certificate",
                                   found: .string(other))
        }
    }

    static func resolve(_ file: String, in directory: String) -> String {
        if file.hasPrefix("/") { return file }
        let inDirectory = (directory as NSString).appendingPathComponent(file)
        return FileManager.default.fileExists(atPath: inDirectory) ? inDirectory : file
    }

    /// The TB_GW_* variables (and the unprefixed legacy names) of reference §6.2. Variables that
    /// set the security type or credentials replace the whole security object.
    mutating func applyEnvironment(_ environment: [String: String], file: String, directory: String) throws(ConfigError) {
        func value(_ names: String...) -> String? {
            for name in names { if let value = environment[name], !value.isEmpty { return value } }
            return nil
        }
        if let host = value("TB_GW_HOST", "host") { self.host = host }
        if let text = value("TB_GW_PORT", "port") {
            guard let port = Int(text), (1...65535).contains(port) else {
                throw ConfigError(file: file, keyPath: "TB_GW_PORT", expected: "an integer from 1 to 65535", found: "\"\(text)\"")
            }
            self.port = port
            if port == 8883 { tls = true }
        }
        // As the reference: the general variables set the device limits too; the specific
        // ones below, when set, win.
        if let host = value("TB_GW_PROXY_HOST", "proxy_host") { proxyHost = host }
        if let text = value("TB_GW_PROXY_PORT", "proxy_port") {
            guard let port = Int(text), (1...65535).contains(port) else {
                throw ConfigError(file: file, keyPath: "TB_GW_PROXY_PORT", expected: "an integer from 1 to 65535", found: "\"\(text)\"")
            }
            proxyPort = port
        }
        if let text = value("TB_GW_RATE_LIMITS") {
            (rateLimits, messagesRateLimits, deviceMessagesRateLimits, deviceRateLimits) = (text, text, text, text)
        }
        if let text = value("TB_GW_DP_RATE_LIMITS") { (dpRateLimits, deviceDpRateLimits) = (text, text) }
        if let text = value("TB_GW_MESSAGES_RATE_LIMITS") { messagesRateLimits = text }
        if let text = value("TB_GW_DEVICE_MESSAGES_RATE_LIMIT", "TB_GW_DEVICE_MESSAGES_RATE_LIMITS") { deviceMessagesRateLimits = text }
        if let text = value("TB_GW_DEVICE_RATE_LIMITS") { deviceRateLimits = text }
        if let text = value("TB_GW_DEVICE_DP_RATE_LIMITS") { deviceDpRateLimits = text }

        let securityNames = ["TB_GW_SECURITY_TYPE", "type", "TB_GW_ACCESS_TOKEN", "accessToken", "TB_GW_USERNAME", "username",
                             "TB_GW_PASSWORD", "password", "TB_GW_CLIENT_ID", "clientId", "TB_GW_CA_CERT", "caCert",
                             "TB_GW_CERT", "cert", "TB_GW_PRIVATE_KEY", "privateKey"]
        guard securityNames.contains(where: { environment[$0]?.isEmpty == false }) else { return }
        var security: JSONObject = [:]
        if let type = value("TB_GW_SECURITY_TYPE", "type") { security["type"] = .string(type) }
        if let token = value("TB_GW_ACCESS_TOKEN", "accessToken") { security["accessToken"] = .string(token) }
        if let username = value("TB_GW_USERNAME", "username") { security["username"] = .string(username) }
        if let password = value("TB_GW_PASSWORD", "password") { security["password"] = .string(password) }
        if let clientID = value("TB_GW_CLIENT_ID", "clientId") { security["clientId"] = .string(clientID) }
        if let ca = value("TB_GW_CA_CERT", "caCert") { security["caCert"] = .string(ca) }
        if let cert = value("TB_GW_CERT", "cert") { security["cert"] = .string(cert) }
        if let key = value("TB_GW_PRIVATE_KEY", "privateKey") { security["privateKey"] = .string(key) }
        if security["type"] == nil {
            if security["accessToken"] != nil { security["type"] = "accessToken" }
            else if security["username"] != nil || security["clientId"] != nil { security["type"] = "usernamePassword" }
        }
        try applySecurity(try ConfigReader(.object(security), file: file, path: "security"), directory: directory)
    }
}

extension ThingsBoardSettings.Provisioning {
    init(_ section: ConfigReader) throws(ConfigError) {
        guard let key = try section.string("provisionDeviceKey") else {
            throw section.failure("provisionDeviceKey", expected: "the provisioning key of the device profile", found: nil)
        }
        guard let secret = try section.string("provisionDeviceSecret") else {
            throw section.failure("provisionDeviceSecret", expected: "the provisioning secret of the device profile", found: nil)
        }
        let type = try section.string("type") ?? "ACCESS_TOKEN"
        guard ["ACCESS_TOKEN", "MQTT_BASIC", "X509_CERTIFICATE"].contains(type) else {
            throw section.failure("type", expected: "ACCESS_TOKEN, MQTT_BASIC or X509_CERTIFICATE", found: .string(type))
        }
        self.init(type: type, deviceKey: key, deviceSecret: secret, deviceName: try section.string("deviceName"),
                  accessToken: try section.string("access_token"), username: try section.string("username"),
                  password: try section.string("password"), clientID: try section.string("client_id"),
                  caCert: try section.string("caCert"))
    }
}
