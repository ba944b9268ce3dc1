import GatewayKit

/// Stands in for the gateway: records every `send` of the connector, exactly what the gateway
/// would receive.
actor RecordingContext: GatewayContext {
    private(set) var received: [ConvertedData] = []

    func send(_ data: ConvertedData, from connector: ConnectorIdentity) async -> SendOutcome {
        received.append(data)
        return .accepted
    }

    func received(device: String) -> [ConvertedData] { received.filter { $0.deviceName == device } }

    /// Polls (every 5 ms) until `condition` holds or `timeout` passes; returns whether it held.
    func waitFor(timeout: Duration = .seconds(10), _ condition: @Sendable (isolated RecordingContext) -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if condition(self) { return true }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return condition(self)
    }
}
