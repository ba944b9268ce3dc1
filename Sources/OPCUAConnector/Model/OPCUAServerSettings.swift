import GatewayKit

/// The `server` section of an OPC-UA connector file: where to connect, how, and the timing of
/// scans, polls and subscriptions. Defaults are the reference connector's code defaults
/// (`opcua_connector.py`), not those of its example file.
public struct OPCUAServerSettings: Sendable, Equatable {
    /// `opc.tcp://host:port/path`; a `url` written without the scheme gets `opc.tcp://` in front,
    /// as the reference does.
    public var url: String
    /// Application URI the client announces (`uri`); nil: the client's default.
    public var applicationURI: String?
    /// Per-request timeout (`timeoutInMillis`, default 4000).
    public var timeout: Duration
    /// Re-browse for devices and nodes every `scanPeriodInMillis` (default 3 600 000).
    public var scanPeriod: Duration
    /// Read every node every `pollPeriodInMillis` when subscriptions are off (default 5000).
    public var pollPeriod: Duration
    /// Monitored-item subscriptions (`enableSubscriptions`, default true) instead of polling.
    public var enableSubscriptions: Bool
    /// Publishing interval of subscriptions (`subCheckPeriodInMillis`, default 100, minimum 100).
    public var subscriptionPublishingInterval: Duration
    /// Most data changes converted in one batch (`subDataMaxBatchSize`, default 1000).
    public var subscriptionDataMaxBatchSize: Int
    /// Longest a batch of data changes is collected (`subDataMinBatchCreationTimeMs`, default
    /// 200, minimum 100).
    public var subscriptionBatchCollectionTime: Duration
    /// Monitored items created per CreateMonitoredItems call (`subscriptionProcessBatchSize`,
    /// default 2000; lowered to the server's MaxMonitoredItemsPerCall when it says so).
    public var subscriptionProcessBatchSize: Int
    /// Requested session timeout (`sessionTimeoutInMillis`, default 120 000).
    public var sessionTimeout: Duration
    /// Log every browsed path (`showMap`, default false).
    public var showMap: Bool
    /// Security policy name (`security`): None, Basic128Rsa15, Basic256, Basic256Sha256,
    /// Aes128_Sha256_RsaOaep, Aes256_Sha256_RsaPss. As in the reference it applies only with
    /// certificate identity; anonymous and username sessions use policy None.
    public var securityPolicy: String?
    public var identity: OPCUAIdentitySettings
    /// Connect attempts in one reconnect round (`reconnectRetriesCount`, default 8).
    public var reconnectRetriesCount: Int
    /// First pause between connect attempts (`reconnectBackoffInitialDelay`, seconds, default 1).
    public var reconnectBackoffInitialDelay: Duration
    /// Growth of the pause (`reconnectBackoffFactor`, default 2).
    public var reconnectBackoffFactor: Double
    /// A subscription silent for this long is re-created (`subKeepAlivePeriodInSeconds`,
    /// default 0 = never).
    public var subscriptionKeepAlivePeriod: Duration

    public static let securityPolicies = ["None", "Basic128Rsa15", "Basic256", "Basic256Sha256",
                                          "Aes128_Sha256_RsaOaep", "Aes256_Sha256_RsaPss"]

    public init(_ server: ConfigReader) throws(ConfigError) {
        let rawURL = try server.string("url", default: nil)
        url = rawURL.contains("opc.tcp") ? rawURL : "opc.tcp://" + rawURL
        applicationURI = try server.string("uri", nonEmpty: true)
        timeout = .milliseconds(try server.int64("timeoutInMillis", default: 4000, in: 1...Int64(Int32.max)))
        scanPeriod = .milliseconds(try server.int64("scanPeriodInMillis", default: 3_600_000, in: 1...Int64.max))
        pollPeriod = .milliseconds(try server.int64("pollPeriodInMillis", default: 5000, in: 1...Int64.max))
        enableSubscriptions = try server.bool("enableSubscriptions", default: true)
        subscriptionPublishingInterval = .milliseconds(max(try server.int64("subCheckPeriodInMillis", default: 100), 100))
        subscriptionDataMaxBatchSize = try server.int("subDataMaxBatchSize", default: 1000, in: 1...Int.max)
        subscriptionBatchCollectionTime = .milliseconds(
            max(try server.int64("subDataMinBatchCreationTimeMs", default: 200), 100))
        subscriptionProcessBatchSize = try server.int("subscriptionProcessBatchSize", default: 2000, in: 1...Int.max)
        sessionTimeout = .milliseconds(try server.int64("sessionTimeoutInMillis", default: 120_000, in: 1...Int64(UInt32.max)))
        showMap = try server.bool("showMap", default: false)
        if server.has("security") {
            securityPolicy = try server.choice("security", of: Self.securityPolicies, default: nil)
        } else {
            securityPolicy = nil
        }
        identity = try OPCUAIdentitySettings(server.child("identity"))
        if identity.usesCertificates && securityPolicy == nil {
            throw server.failure("security", expected: "a security policy for certificate identity ("
                + Self.securityPolicies.joined(separator: ", ") + ")", found: nil)
        }
        reconnectRetriesCount = try server.int("reconnectRetriesCount", default: 8, in: 1...Int.max)
        reconnectBackoffInitialDelay = .seconds(try server.number("reconnectBackoffInitialDelay", default: 1, positive: true))
        reconnectBackoffFactor = try server.number("reconnectBackoffFactor", default: 2, positive: true)
        // The reference treats a negative or non-integer period as 0 (off) with a warning.
        subscriptionKeepAlivePeriod = .seconds(max(try server.int64("subKeepAlivePeriodInSeconds", default: 0), 0))
    }

    /// The policy the secure channel really uses: the configured one for certificate identity,
    /// None otherwise (reference: `set_security` is called only for `cert.PEM`/`certificates`).
    public var effectiveSecurityPolicy: String {
        identity.usesCertificates ? (securityPolicy ?? "None") : "None"
    }
}
