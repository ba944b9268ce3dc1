import GatewayKit
import MQTT

/// How the gateway authenticates to ThingsBoard (reference §1.1).
public enum ThingsBoardCredentials: Sendable, Equatable {
    /// MQTT username = access token, no password (`accessToken`, and `tlsAccessToken` with TLS).
    case accessToken(String)
    /// ThingsBoard "MQTT Basic" credentials.
    case usernamePassword(username: String?, password: String?, clientID: String?)
    /// X.509: the TLS client certificate is the credential; no username.
    case x509Certificate

    public var kindName: String {
        switch self {
        case .accessToken: return "access token"
        case .usernamePassword: return "username/password"
        case .x509Certificate: return "X.509 certificate"
        }
    }
}

/// Everything the ThingsBoard client needs; GatewayCore maps `tb_gateway.json` onto it.
public struct ThingsBoardConnectionConfiguration: Sendable {
    public var host: String
    public var port: Int
    /// QoS of telemetry, attributes and device-topic subscriptions (`thingsboard.qos`, 0 or 1).
    public var qos: MQTTQoS
    public var keepAlive: Duration
    public var clientID: String
    public var credentials: ThingsBoardCredentials
    /// TLS settings, nil for plain TCP. Never falls back to plain TCP when TLS fails.
    public var tls: MQTTTLSConfiguration?
    /// `thingsboard.maxPayloadSizeBytes`, used until the server states its own limit.
    public var maxPayloadBytes: Int
    public var gatewayRateLimits: SessionLimits.RateLimits
    public var deviceRateLimits: SessionLimits.RateLimits
    /// How long to wait for the `getSessionLimits` reply before going on with the configured
    /// limits (the reference waits forever on its first connection).
    public var sessionLimitsTimeout: Duration
    public var reconnectBackoff: ExponentialBackoff
    /// While every address of ThingsBoard refuses the connection (nothing listens: ThingsBoard or
    /// its MQTT transport is down or restarting), attempts follow this shorter back-off: the kernel
    /// answers them with a reset, so they cost the server nothing, and the session is back within
    /// seconds of ThingsBoard instead of up to `reconnectBackoff.maximum` later. Other failures
    /// (timeouts, TLS, a refused CONNACK) keep `reconnectBackoff`.
    public var refusedReconnectBackoff: ExponentialBackoff
    /// The HTTP proxy the connection goes through (`proxy_host` / `proxy_port`); nil: direct.
    public var httpProxy: MQTTHTTPProxy?

    public init(host: String, port: Int, qos: MQTTQoS = .atLeastOnce, keepAlive: Duration = .seconds(120),
                clientID: String = "", credentials: ThingsBoardCredentials, tls: MQTTTLSConfiguration? = nil,
                maxPayloadBytes: Int = 8196,
                gatewayRateLimits: SessionLimits.RateLimits = .unlimited,
                deviceRateLimits: SessionLimits.RateLimits = .unlimited,
                sessionLimitsTimeout: Duration = .seconds(10),
                reconnectBackoff: ExponentialBackoff = ExponentialBackoff(initial: .seconds(1), maximum: .seconds(60)),
                refusedReconnectBackoff: ExponentialBackoff = ExponentialBackoff(initial: .seconds(1), maximum: .seconds(5))) {
        self.host = host
        self.port = port
        self.qos = qos
        self.keepAlive = keepAlive
        self.clientID = clientID
        self.credentials = credentials
        self.tls = tls
        self.maxPayloadBytes = maxPayloadBytes
        self.gatewayRateLimits = gatewayRateLimits
        self.deviceRateLimits = deviceRateLimits
        self.sessionLimitsTimeout = sessionLimitsTimeout
        self.reconnectBackoff = reconnectBackoff
        self.refusedReconnectBackoff = refusedReconnectBackoff
    }

    /// The MQTT client settings for this ThingsBoard connection (MQTT 5, like the reference).
    public func mqttConfiguration() -> MQTTClientConfiguration {
        var configuration = MQTTClientConfiguration(host: host, port: port, clientID: clientID)
        configuration.version = .v5
        configuration.keepAlive = keepAlive
        configuration.cleanSession = true
        configuration.tls = tls
        configuration.httpProxy = httpProxy
        // The uplink waits for every PUBACK of a pack before the next: no delayed-ACK stalls.
        configuration.acknowledgesReadsImmediately = true
        switch credentials {
        case .accessToken(let token):
            configuration.username = token
        case .usernamePassword(let username, let password, let clientID):
            configuration.username = username
            configuration.password = password.map { Array($0.utf8) }
            if let clientID, !clientID.isEmpty { configuration.clientID = clientID }
        case .x509Certificate:
            break
        }
        return configuration
    }
}
