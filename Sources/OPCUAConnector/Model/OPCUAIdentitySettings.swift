import GatewayKit

/// How the connector identifies itself (`server.identity`).
public struct OPCUAIdentitySettings: Sendable, Equatable {
    public enum MessageMode: String, Sendable, Equatable, CaseIterable {
        case none = "None", sign = "Sign", signAndEncrypt = "SignAndEncrypt"
    }

    /// Client certificate and key for the secure channel (`type` `cert.PEM` or `certificates`).
    public struct Certificates: Sendable, Equatable {
        /// Server certificate to trust (`caCert` / `pathToCACert`); nil: taken from GetEndpoints.
        public var serverCertificatePath: String?
        /// `cert` / `pathToClientCert`.
        public var clientCertificatePath: String
        /// `privateKey` / `pathToPrivateKey`.
        public var privateKeyPath: String
        /// `mode`, default SignAndEncrypt.
        public var mode: MessageMode
    }

    public var type: String
    /// User name and password: sent whenever `username` is set, whatever the `type` (reference).
    public var username: String?
    public var password: String?
    public var certificates: Certificates?

    public static let anonymous = OPCUAIdentitySettings(type: "anonymous", username: nil, password: nil, certificates: nil)

    init(type: String, username: String?, password: String?, certificates: Certificates?) {
        self.type = type
        self.username = username
        self.password = password
        self.certificates = certificates
    }

    public var usesCertificates: Bool { certificates != nil }

    /// Parses `identity`; absent means anonymous (the reference fails without one).
    public init(_ reader: ConfigReader?) throws(ConfigError) {
        guard let reader else {
            self = .anonymous
            return
        }
        type = try reader.choice("type", of: ["anonymous", "username", "basic", "cert.PEM", "certificates"],
                                 default: "anonymous")
        username = try reader.string("username", nonEmpty: true)
        password = try reader.string("password")
        if (type == "username" || type == "basic") && username == nil {
            throw reader.failure("username", expected: "a non-empty string for identity type \(type)", found: nil)
        }
        if type == "cert.PEM" || type == "certificates" {
            func path(_ key: String, _ alternative: String) throws(ConfigError) -> String? {
                if let value = try reader.string(key, nonEmpty: true) { return value }
                return try reader.string(alternative, nonEmpty: true)
            }
            guard let certificate = try path("cert", "pathToClientCert") else {
                throw reader.failure("cert", expected: "the client certificate file (cert or pathToClientCert)", found: nil)
            }
            guard let key = try path("privateKey", "pathToPrivateKey") else {
                throw reader.failure("privateKey", expected: "the private key file (privateKey or pathToPrivateKey)",
                                     found: nil)
            }
            let mode = try reader.choice("mode", of: MessageMode.allCases.map(\.rawValue), default: "SignAndEncrypt")
            certificates = Certificates(serverCertificatePath: try path("caCert", "pathToCACert"),
                                        clientCertificatePath: certificate, privateKeyPath: key,
                                        mode: MessageMode(rawValue: mode) ?? .signAndEncrypt)
        } else {
            certificates = nil
        }
    }
}
