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
    /// X.509 user identity (`userCert` + `userPrivateKey`, our addition: the reference has no
    /// certificate user tokens): the session is activated as this user instead of anonymously.
    public var userCertificatePath: String?
    public var userPrivateKeyPath: String?

    public static let anonymous = OPCUAIdentitySettings(type: "anonymous", username: nil, password: nil, certificates: nil)

    init(type: String, username: String?, password: String?, certificates: Certificates?,
         userCertificatePath: String? = nil, userPrivateKeyPath: String? = nil) {
        self.type = type
        self.username = username
        self.password = password
        self.certificates = certificates
        self.userCertificatePath = userCertificatePath
        self.userPrivateKeyPath = userPrivateKeyPath
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
        userCertificatePath = try reader.string("userCert", nonEmpty: true)
        userPrivateKeyPath = try reader.string("userPrivateKey", nonEmpty: true)
        if userCertificatePath != nil && userPrivateKeyPath == nil {
            throw reader.failure("userPrivateKey", expected: "the private key file of userCert", found: nil)
        }
        if userPrivateKeyPath != nil && userCertificatePath == nil {
            throw reader.failure("userCert", expected: "the user certificate file userPrivateKey belongs to", found: nil)
        }
        if userCertificatePath != nil && username != nil {
            throw reader.failure("userCert", expected: "either a user certificate or a username, not both",
                                 found: .string(userCertificatePath ?? ""))
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
