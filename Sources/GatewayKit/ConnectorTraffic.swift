/// A connector's traffic counters (running totals since it started), for `/metrics`, the status
/// endpoint and statistics.
public struct ConnectorTraffic: Sendable, Equatable {
    /// Messages (MQTT messages, Modbus responses, ...) received from devices.
    public var messagesIn: Int64
    /// Their payload bytes.
    public var bytesIn: Int64
    /// Malformed input, failed requests, failed publishes, failed connection attempts.
    public var errors: Int64

    public init(messagesIn: Int64 = 0, bytesIn: Int64 = 0, errors: Int64 = 0) {
        self.messagesIn = messagesIn
        self.bytesIn = bytesIn
        self.errors = errors
    }
}
