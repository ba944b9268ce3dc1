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

    init(attributes: [String: JSONObject] = [:]) {
        self.attributes = attributes
    }

    func send(_ data: ConvertedData, from connector: ConnectorIdentity) async -> SendOutcome {
        received.append(data)
        return .accepted
    }

    func requestAttributes(_ request: AttributeRequest, from connector: ConnectorIdentity) async throws(GatewayRequestError) -> JSONObject {
        attributeRequests.append(request)
        guard let known = attributes[request.deviceName] else { throw .noAnswer }
        return request.keys.isEmpty ? known : known.filter { request.keys.contains($0.key) }
    }

    /// All telemetry values received, in order.
    var telemetry: [JSONObject] { received.flatMap { $0.telemetry.map(\.values) } }
    var attributeSets: [JSONObject] { received.map(\.attributes).filter { !$0.isEmpty } }
}
