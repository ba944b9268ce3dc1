/// Who the client logs in as (ActivateSession identity token).
public enum OPCUAIdentity: Sendable, Equatable {
    case anonymous
    case userName(String, password: String)
    /// An X.509 user certificate; its private key signs the server's challenge.
    case certificate(OPCUACertificate, privateKey: OPCUAPrivateKey)

    public static func == (left: OPCUAIdentity, right: OPCUAIdentity) -> Bool {
        switch (left, right) {
        case (.anonymous, .anonymous): true
        case let (.userName(a, p), .userName(b, q)): a == b && p == q
        // A certificate names one key pair: equal certificates are the same identity.
        case let (.certificate(a, _), .certificate(b, _)): a == b
        default: false
        }
    }
}

/// Reconnect back-off: delay n = min(maximum, initial × factor^n), without jitter (one client, one
/// server: nothing to de-synchronise). Reset after a successful reconnect.
public struct OPCUAReconnectPolicy: Sendable, Equatable {
    public var initialDelay: Duration
    public var factor: Double
    public var maximumDelay: Duration

    public init(initialDelay: Duration = .milliseconds(500), factor: Double = 2, maximumDelay: Duration = .seconds(30)) {
        precondition(initialDelay > .zero && factor >= 1 && maximumDelay >= initialDelay)
        self.initialDelay = initialDelay
        self.factor = factor
        self.maximumDelay = maximumDelay
    }

    /// The delay before attempt `attempt` (0-based).
    public func delay(attempt: Int) -> Duration {
        let initial = Double(initialDelay.components.seconds) + Double(initialDelay.components.attoseconds) / 1e18
        let maximum = Double(maximumDelay.components.seconds) + Double(maximumDelay.components.attoseconds) / 1e18
        var seconds = initial
        for _ in 0..<min(attempt, 64) where seconds < maximum { seconds *= factor }
        return .milliseconds(Int64(min(seconds, maximum) * 1000))
    }
}

/// Everything an `OPCUAClient` needs: where, how securely, as whom, and its timing policy.
public struct OPCUAClientOptions: Sendable {
    public var endpointURL: String
    public var securityPolicy: OPCUASecurityPolicy = .none
    public var securityMode: OPCUASecurityMode = .none
    /// Client certificate and key: needed for any policy other than None.
    public var certificate: OPCUACertificate?
    public var privateKey: OPCUAPrivateKey?
    public var identity: OPCUAIdentity = .anonymous
    /// Checks the server certificate of a secured endpoint before the secure channel opens (trust
    /// list, validity period). nil accepts any certificate, as the reference gateway does.
    public var serverCertificateValidator: OPCUACertificateValidator?

    public var applicationName = "swift-iot-gateway"
    /// Must match the URI in the client certificate's SAN when security is on.
    public var applicationURI = "urn:swift-iot-gateway:client"
    public var productURI = "urn:swift-iot-gateway"
    public var sessionName = "swift-iot-gateway session"
    public var sessionTimeout: Duration = .seconds(120)

    /// Default per-request timeout (also sent as the request's timeoutHint).
    public var requestTimeout: Duration = .seconds(10)
    public var connection = OPCUAConnectionOptions()
    /// Without traffic for this long, the supervisor reads Server_ServerStatus_State (i=2259) to
    /// notice a dead server (and keep the session alive).
    public var keepAliveInterval: Duration = .seconds(5)
    public var reconnect = OPCUAReconnectPolicy()
    /// Publish requests kept outstanding while subscriptions exist.
    public var publishRequests = 2
    /// Notification messages (each an array of data changes) buffered in `dataChanges` before the
    /// oldest are dropped (and their changes counted).
    public var dataChangeBufferSize = 1_000
    /// Operations per Read/Write/CreateMonitoredItems request; larger batches are split.
    public var maxOperationsPerRequest = 1000

    public init(endpointURL: String) {
        self.endpointURL = endpointURL
    }
}
