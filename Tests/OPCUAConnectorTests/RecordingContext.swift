import GatewayKit

/// Stands in for the gateway: records every `send` and device connect/disconnect of the
/// connector, exactly what the gateway would receive.
actor RecordingContext: GatewayContext {
    private(set) var received: [ConvertedData] = []
    private(set) var connected: [(name: String, type: String)] = []
    private(set) var disconnected: [String] = []

    func send(_ data: ConvertedData, from connector: ConnectorIdentity) async -> SendOutcome {
        received.append(data)
        return .accepted
    }

    func connectDevice(_ name: String, type: String, from connector: ConnectorIdentity) async {
        connected.append((name, type))
    }

    func disconnectDevice(_ name: String, from connector: ConnectorIdentity) async {
        disconnected.append(name)
    }

    func clear() { received.removeAll() }

    /// The latest value reported for `key` of `device` (telemetry or attribute), as ThingsBoard
    /// would show it.
    func latest(_ key: String, of device: String) -> JSONValue? {
        var result: JSONValue?
        for data in received where data.deviceName == device {
            if let value = data.attributes[key] { result = value }
            for entry in data.telemetry { if let value = entry.values[key] { result = value } }
        }
        return result
    }

    /// Every value reported for `key` of `device`, oldest first.
    func values(_ key: String, of device: String) -> [JSONValue] {
        var result: [JSONValue] = []
        for data in received where data.deviceName == device {
            if let value = data.attributes[key] { result.append(value) }
            for entry in data.telemetry { if let value = entry.values[key] { result.append(value) } }
        }
        return result
    }

    func deviceNames() -> Set<String> { Set(received.map(\.deviceName)) }

    /// Polls (every 20 ms) until `condition` holds or `timeout` passes; returns whether it held.
    func waitFor(timeout: Duration = .seconds(15), _ condition: @Sendable (isolated RecordingContext) -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if condition(self) { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return condition(self)
    }
}
