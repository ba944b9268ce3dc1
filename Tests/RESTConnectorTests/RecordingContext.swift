import GatewayKit
import Logging

/// Stands in for the gateway: records every `send` and attribute request of the connector
/// (exactly what the gateway would receive) and answers attribute requests from `attributes`
/// (device → key → value), as ThingsBoard would.
actor RecordingContext: GatewayContext {
    private(set) var received: [ConvertedData] = []
    private(set) var attributeRequests: [AttributeRequest] = []
    /// The attributes ThingsBoard knows; a device missing here gets no answer (`.noAnswer`).
    var attributes: [String: JSONObject] = [:]
    /// Refuse every `send` with this reason (a full storage, say).
    var rejection: String?

    init(attributes: [String: JSONObject] = [:]) {
        self.attributes = attributes
    }

    func send(_ data: ConvertedData, from connector: ConnectorIdentity) async -> SendOutcome {
        if let rejection { return .rejected(rejection) }
        received.append(data)
        return .accepted
    }

    func requestAttributes(_ request: AttributeRequest, from connector: ConnectorIdentity) async throws(GatewayRequestError) -> JSONObject {
        attributeRequests.append(request)
        guard let known = attributes[request.deviceName] else { throw .noAnswer }
        return request.keys.isEmpty ? known : known.filter { request.keys.contains($0.key) }
    }

    func reject(with reason: String?) { rejection = reason }

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
