import GatewayKit

/// The `thingsboard` section of tb_gateway.json (reference §2), after environment overrides.
public struct ThingsBoardSettings: Sendable, Equatable {
    public enum Security: Sendable, Equatable {
        case accessToken(String)
        case tlsAccessToken(String, caCert: String?)
        case usernamePassword(username: String?, password: String?, clientID: String?)
        case x509(caCert: String?, cert: String, privateKey: String)
        /// No `security` section: the gateway must be provisioned (or use saved credentials).
        case none

        public var typeName: String {
            switch self {
            case .accessToken: return "accessToken"
            case .tlsAccessToken: return "tlsAccessToken"
            case .usernamePassword: return "usernamePassword"
            case .x509: return "x509Certificate"
            case .none: return "none"
            }
        }
    }

    public struct Provisioning: Sendable, Equatable {
        public var type: String
        public var deviceKey: String
        public var deviceSecret: String
        public var deviceName: String?
        public var accessToken: String?
        public var username: String?
        public var password: String?
        public var clientID: String?
        /// X509_CERTIFICATE: ThingsBoard's CA certificate, which the TLS sessions verify it with.
        public var caCert: String?
    }

    public var host = "localhost"
    public var port = 1883
    public var qos = 1
    public var keepAliveSeconds = 120
    public var security: Security = .none
    /// `security.tls`, a CA certificate, or port 8883 (reference §1.1).
    public var tls = false
    /// `security.insecure`: verify the chain but not the host name.
    public var insecure = false
    /// `proxy_host` / `proxy_port`: the HTTP proxy the ThingsBoard connection goes through.
    public var proxyHost: String?
    public var proxyPort: Int?
    public var caCert: String?
    /// `security.checkCertPeriod` (s) and `security.certificateDaysLeft`: how often the TLS
    /// certificates are checked, and how close to their expiry a warning starts (see
    /// `CertificateExpiryWatch`).
    public var certificateCheckPeriodSeconds = 86_400
    public var certificateDaysLeft = 3
    public var provisioning: Provisioning?
    public var maxPayloadSizeBytes = 8196
    public var minPackSendDelayMS = 50
    public var remoteConfiguration = false
    /// The main `reportStrategy`, the default of every connector (nil: ON_RECEIVED).
    public var reportStrategy: ReportStrategy?
    public var statistics = StatisticsSettings()
    /// `remoteShell`: run shell commands sent as gateway RPCs (off by default; see RemoteShell).
    public var remoteShell = false
    /// `deviceFiltering`: the filter file's path when enabled.
    public var deviceFilterFile: String?
    /// Ask ThingsBoard for a device's shared attributes when it connects and hand them to its connector.
    public var syncDevicesSharedAttributesOnConnect = true
    /// `checkingDeviceActivity`: devices silent for `inactivityTimeoutSeconds` are reported
    /// disconnected (checked every `inactivityCheckPeriodSeconds`); nil: off.
    public var inactivity: InactivityCheck?

    public struct InactivityCheck: Sendable, Equatable {
        public var timeoutSeconds: Int
        public var checkPeriodSeconds: Int
    }
    /// Seconds between checks of the connector files for local edits; 0 turns the check off.
    public var checkConnectorsConfigurationSeconds = 60
    public var messagesRateLimits = ""
    public var rateLimits = ""
    public var dpRateLimits = ""
    public var deviceMessagesRateLimits = ""
    public var deviceRateLimits = ""
    public var deviceDpRateLimits = ""
    /// The raw section, for the parts later gateway services read (report strategy, device activity...).
    public var raw: JSONValue = .object([:])

    public init() {}
}

extension ThingsBoardSettings {
    /// The certificate files of `security` (provisioned credentials may add their own at start).
    var watchedCertificates: [CertificateExpiryWatch.Watched] {
        var files: [CertificateExpiryWatch.Watched] = []
        if case .x509(_, let cert, _) = security { files.append(.init(role: "client", file: cert)) }
        if let caCert { files.append(.init(role: "ca", file: caCert)) }
        return files
    }
}
