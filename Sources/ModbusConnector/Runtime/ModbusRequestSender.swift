import Modbus

/// Where a device's requests go: a shared network or serial link, or the gateway's own server
/// store (server mode). The device logic above it is the same either way.
protocol ModbusRequestSender: Sendable {
    /// Sends one request and returns the device's answer. Throws `ModbusException` for an
    /// exception response, `ModbusLinkUnavailable` while the link is down, and the client's
    /// errors (timeout, connection closed) otherwise.
    nonisolated(nonsending) func send(_ request: ModbusRequest, unitId: UInt8, timeout: Duration, retries: Int) async throws -> ModbusResponse
    /// Whether the link is up now (the device is then announced to ThingsBoard).
    var isUp: Bool { get async }
}

/// The link is down and the connect policy says to wait before trying again.
struct ModbusLinkUnavailable: Error, CustomStringConvertible {
    var endpoint: String
    var reason: String
    var description: String { "\(endpoint) is not connected: \(reason)" }
}
