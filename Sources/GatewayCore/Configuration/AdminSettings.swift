import GatewayKit

/// The local admin HTTP endpoint (`/healthz`, `/readyz`, `/metrics`, `/status`): the top-level
/// `admin` section of tb_gateway.json, which the Python gateway does not have (its files work
/// unchanged: the defaults apply). Bound to 127.0.0.1 unless told otherwise: the status shows
/// device names and the endpoint has no authentication.
public struct AdminSettings: Sendable, Equatable {
    public var enabled: Bool
    public var host: String
    /// 0 lets the system choose (tests); the bound port is logged.
    public var port: Int

    public static let defaultPort = 9090

    public init(enabled: Bool = true, host: String = "127.0.0.1", port: Int = AdminSettings.defaultPort) {
        self.enabled = enabled
        self.host = host
        self.port = port
    }

    init(root: ConfigReader) throws(ConfigError) {
        guard let section = try root.child("admin") else {
            self.init()
            return
        }
        try section.rejectUnknownKeys(allowed: ["enabled", "host", "port"])
        self.init(enabled: try section.bool("enabled", default: true),
                  host: try section.string("host", default: "127.0.0.1"),
                  port: try section.int("port", default: AdminSettings.defaultPort, in: 0...65535))
    }
}
