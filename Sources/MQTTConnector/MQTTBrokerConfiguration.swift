import Foundation
import GatewayKit
import MQTT

/// The `broker` section: where the external broker is and how to log in.
public struct MQTTBrokerConfiguration: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var clientID: String
    public var version: MQTTVersion
    public var keepAliveSeconds: Int
    /// MQTT 3.1/3.1.1 clean session.
    public var cleanSession: Bool
    /// MQTT 5 clean start.
    public var cleanStart: Bool
    /// MQTT 5 session expiry, seconds.
    public var sessionExpiryInterval: UInt32
    public var security: MQTTBrokerSecurity
    /// `acknowledgeAfterStorage` (this gateway's key): QoS 1/2 messages are acknowledged to the
    /// broker once their readings are written to storage instead of on receipt.
    public var acknowledgeAfterStorage = false
    /// `readBatchingMs` (this gateway's key): while messages trickle in, the connection reads the
    /// broker's socket no sooner than this many milliseconds after the previous read; 0: at once.
    public var readBatchingMilliseconds = 0

    /// Whether the session (with its unacknowledged messages) outlives a connection: the broker
    /// keeps it, and the next connection takes it up instead of starting afresh.
    public var keepsSession: Bool {
        version == .v5 ? !cleanStart && sessionExpiryInterval > 0 : !cleanSession
    }

    /// The client settings this section stands for.
    public func clientConfiguration() -> MQTTClientConfiguration {
        var tls: MQTTTLSConfiguration?
        if security.usesTLS {
            tls = MQTTTLSConfiguration(caCertificateFile: security.caCertificateFile,
                                       certificateFile: security.clientCertificateFile,
                                       privateKeyFile: security.privateKeyFile,
                                       verifyHostname: !security.insecure)
        }
        var configuration = MQTTClientConfiguration(
            host: host, port: port, clientID: clientID, version: version,
            keepAlive: .seconds(keepAliveSeconds),
            cleanSession: version == .v5 ? cleanStart : cleanSession,
            sessionExpiryInterval: version == .v5 ? sessionExpiryInterval : nil,
            username: security.username, password: security.password.map { Array($0.utf8) },
            tls: tls)
        // With a clean session the broker forgets what is not acknowledged when the connection ends,
        // so holding acknowledgements back would keep nothing (and closing the connection after a
        // failed write would lose what the broker held meanwhile).
        configuration.acknowledgesInboundOnRequest = acknowledgeAfterStorage && keepsSession
        if readBatchingMilliseconds > 0 { configuration.readBatching = .milliseconds(readBatchingMilliseconds) }
        return configuration
    }

    static func parse(_ reader: ConfigReader) throws(ConfigError) -> MQTTBrokerConfiguration {
        let host = try reader.string("host", default: nil)
        let port = try reader.int("port", default: 1883, in: 1...65_535)
        let clientID = try reader.string("clientId", nonEmpty: false).flatMap { $0.isEmpty ? nil : $0 }
            ?? randomClientID()
        let versionNumber = try reader.int("version", default: 5, in: 3...5)
        let version: MQTTVersion = switch versionNumber {
        case 3: .v3_1
        case 4: .v3_1_1
        default: .v5
        }
        var broker = MQTTBrokerConfiguration(
            host: host, port: port, clientID: clientID, version: version,
            keepAliveSeconds: try reader.int("keepAlive", default: 60, in: 0...65_535),
            cleanSession: try reader.bool("cleanSession", default: true),
            cleanStart: try reader.bool("cleanStart", default: true),
            sessionExpiryInterval: UInt32(try reader.int64("sessionExpiryInterval", default: 0,
                                                           in: 0...Int64(UInt32.max))),
            security: try MQTTBrokerSecurity.parse(reader.child("security"), parent: reader))
        broker.acknowledgeAfterStorage = try reader.bool("acknowledgeAfterStorage", default: false)
        broker.readBatchingMilliseconds = try reader.int("readBatchingMs", default: 0, in: 0...100)
        return broker
    }

    /// 23 lowercase letters, as the reference does when `clientId` is absent (23 is the longest
    /// id every MQTT 3.1 broker must accept).
    static func randomClientID() -> String {
        let letters = Array("abcdefghijklmnopqrstuvwxyz")
        return String((0..<23).map { _ in letters.randomElement()! })
    }
}

/// `broker.security`.
public struct MQTTBrokerSecurity: Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable, CaseIterable {
        case anonymous, basic, certificates
    }

    public var kind: Kind
    /// Sent whenever configured, whatever the kind (as the reference does).
    public var username: String?
    public var password: String?
    /// TLS (`certificates`, or any type with a `caCert` key): the CA bundle (nil = system trust
    /// store), client certificate and key.
    public var caCertificateFile: String?
    public var clientCertificateFile: String?
    public var privateKeyFile: String?
    /// Skip host name verification (the chain is still verified).
    public var insecure: Bool
    /// A `caCert` key was present: the reference turns TLS on for it whatever the type.
    public var caCertKeyPresent: Bool = false

    public static let anonymous = MQTTBrokerSecurity(kind: .anonymous, insecure: false)

    public init(kind: Kind, username: String? = nil, password: String? = nil, caCertificateFile: String? = nil,
                clientCertificateFile: String? = nil, privateKeyFile: String? = nil, insecure: Bool = false) {
        self.kind = kind
        self.username = username
        self.password = password
        self.caCertificateFile = caCertificateFile
        self.clientCertificateFile = clientCertificateFile
        self.privateKeyFile = privateKeyFile
        self.insecure = insecure
    }

    public var usesTLS: Bool { kind == .certificates || caCertKeyPresent }

    static func parse(_ reader: ConfigReader?, parent: ConfigReader) throws(ConfigError) -> MQTTBrokerSecurity {
        guard let reader else { return .anonymous }
        // The reference compares the type case-insensitively.
        let kind = Kind(rawValue: try reader.choiceIgnoringCase("type", of: Kind.allCases.map(\.rawValue),
                                                                 default: Kind.anonymous.rawValue)) ?? .anonymous
        var security = MQTTBrokerSecurity(kind: kind)
        // As the reference: credentials are sent whenever a username is configured (`basic`
        // without one connects anonymously).
        security.username = try reader.string("username")
        security.password = try reader.string("password")
        security.caCertKeyPresent = reader.value("caCert") != nil
        if security.usesTLS {
            security.caCertificateFile = try readableFile(reader, "pathToCACert")
            security.clientCertificateFile = try readableFile(reader, "pathToClientCert")
            security.privateKeyFile = try readableFile(reader, "pathToPrivateKey")
            if security.clientCertificateFile == nil {
                // The reference hands the key to TLS only with a certificate: alone it is unused.
                security.privateKeyFile = nil
            } else if security.privateKeyFile == nil {
                // A certificate file that holds its key too (one PEM with both), as the reference
                // accepts it.
                guard let certificate = security.clientCertificateFile,
                      let text = try? String(contentsOfFile: certificate, encoding: .utf8), text.contains("PRIVATE KEY-----")
                else {
                    throw reader.failure("pathToPrivateKey", expected: "a file (pathToClientCert holds no private key)",
                                         found: nil)
                }
                security.privateKeyFile = certificate
            }
            security.insecure = try reader.bool("insecure", default: false)
        }
        return security
    }

    /// A path that must exist now: a typo is reported at start-up rather than as a TLS error on
    /// every reconnect.
    private static func readableFile(_ reader: ConfigReader, _ key: String) throws(ConfigError) -> String? {
        guard let path = try reader.string(key, nonEmpty: true) else { return nil }
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw reader.failure(key, expected: "a readable file", found: .string(path))
        }
        return path
    }
}
