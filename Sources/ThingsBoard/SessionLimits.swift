import GatewayKit

/// What the server allows this session: the `getSessionLimits` reply (reference §1.2) merged
/// over the configured values. Limits are applied at `safetyFactor` (80 %, as the reference).
public struct SessionLimits: Sendable, Equatable {
    /// Largest MQTT payload the gateway builds, in bytes.
    public var maxPayloadBytes: Int
    /// Most publishes awaiting their PUBACK at once.
    public var maxInflightMessages: Int
    /// Limits of the gateway's whole session: messages, telemetry messages, telemetry datapoints.
    public var gateway: RateLimits
    /// Limits for traffic of the devices behind the gateway.
    public var devices: RateLimits

    public struct RateLimits: Sendable, Equatable {
        public var messages: RateLimitSpec
        public var telemetryMessages: RateLimitSpec
        public var telemetryDatapoints: RateLimitSpec

        public static let unlimited = RateLimits(messages: .unlimited, telemetryMessages: .unlimited, telemetryDatapoints: .unlimited)

        public init(messages: RateLimitSpec, telemetryMessages: RateLimitSpec, telemetryDatapoints: RateLimitSpec) {
            self.messages = messages
            self.telemetryMessages = telemetryMessages
            self.telemetryDatapoints = telemetryDatapoints
        }
    }

    public static let safetyFactor = 0.8

    public init(maxPayloadBytes: Int, maxInflightMessages: Int, gateway: RateLimits, devices: RateLimits) {
        self.maxPayloadBytes = maxPayloadBytes
        self.maxInflightMessages = maxInflightMessages
        self.gateway = gateway
        self.devices = devices
    }

    /// The limits before the server answered: the configured payload size and rate limits,
    /// 100 in-flight messages (ThingsBoard's default session limit × 0.8 ≈ 80 would be the
    /// reference's figure once the server answered).
    public static func configured(maxPayloadBytes: Int, gateway: RateLimits, devices: RateLimits) -> SessionLimits {
        SessionLimits(maxPayloadBytes: maxPayloadBytes, maxInflightMessages: 100, gateway: gateway, devices: devices)
    }

    /// Applies a `getSessionLimits` reply. The server's rate limits replace the configured ones:
    /// a limit it leaves out, sends as null or as an empty string is unlimited, as the reference
    /// reads it; a malformed one keeps the current value, as do a missing payload size or
    /// in-flight count.
    public func applying(reply: JSONValue, host: String) -> SessionLimits {
        var limits = self
        if let size = reply["maxPayloadSize"]?.intValue, size > 0 {
            limits.maxPayloadBytes = max(512, Int(Double(size) * Self.safetyFactor))
        }
        if let inflight = reply["maxInflightMessages"]?.intValue, inflight > 0 {
            limits.maxInflightMessages = max(1, Int(Double(inflight) * Self.safetyFactor))
        }
        func rateLimits(_ value: JSONValue?, current: RateLimits) -> RateLimits {
            func spec(_ key: String, _ current: RateLimitSpec) -> RateLimitSpec {
                guard let text = value?[key]?.stringValue, !text.isEmpty else { return .unlimited }
                guard let parsed = try? RateLimitSpec(parsing: text, host: host) else { return current }
                return parsed.scaled(by: Self.safetyFactor)
            }
            return RateLimits(messages: spec("messages", current.messages),
                              telemetryMessages: spec("telemetryMessages", current.telemetryMessages),
                              telemetryDatapoints: spec("telemetryDataPoints", current.telemetryDatapoints))
        }
        limits.gateway = rateLimits(reply["rateLimits"], current: gateway)
        limits.devices = rateLimits(reply["gatewayRateLimits"], current: devices)
        return limits
    }
}
