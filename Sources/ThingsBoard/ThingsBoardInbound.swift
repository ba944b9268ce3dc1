import GatewayKit

/// What ThingsBoard sends the gateway, decoded from the subscribed topics (reference §1.3).
public enum ThingsBoardInbound: Sendable, Equatable {
    /// `v1/gateway/rpc` `{"device":"Dev A","data":{"id":42,"method":"setRelay","params":{...}}}`.
    case deviceRPC(device: String, id: JSONValue, method: String, params: JSONValue)
    /// `v1/gateway/attributes` `{"device":"Dev A","data":{"relay":true}}`.
    case deviceAttributeUpdate(device: String, data: JSONObject)
    /// `v1/gateway/attributes/response`: the raw reply (`id`, `device`, `value` or `values`).
    case deviceAttributeResponse(JSONValue)
    /// `v1/gateway/disconnect` from the server (reason 150: device rate limits reached).
    case deviceDisconnected(device: String, reason: Int64?)
    /// `v1/devices/me/rpc/request/<id>` to the gateway device.
    case gatewayRPC(requestID: String, method: String, params: JSONValue)
    /// `v1/devices/me/attributes`: shared attributes of the gateway device changed.
    case gatewayAttributeUpdate(JSONObject)
    /// `v1/devices/me/attributes/response/<id>`.
    case gatewayAttributeResponse(requestID: String, JSONValue)
}

extension ThingsBoardInbound {
    /// Decodes one inbound message. Returns nil for anything that is not a request from the
    /// server, notably the gateway's own publishes echoed back by a plain broker standing in for
    /// ThingsBoard (our RPC replies carry a top-level `id`; our attribute publishes are keyed by
    /// device name, never `{"device": String, "data": Object}`).
    static func decode(topic: String, payload: [UInt8]) -> ThingsBoardInbound? {
        guard let document = try? JSONValue.parse(payload) else { return nil }
        switch topic {
        case GatewayTopics.rpc:
            guard document["id"] == nil, let device = document["device"]?.stringValue,
                  case .object(let data)? = document["data"], let method = data["method"]?.stringValue
            else { return nil }
            return .deviceRPC(device: device, id: data["id"] ?? .null, method: method, params: data["params"] ?? .null)
        case GatewayTopics.attributes:
            guard case .object(let root) = document, root.count == 2,
                  let device = root["device"]?.stringValue, case .object(let data)? = root["data"]
            else { return nil }
            return .deviceAttributeUpdate(device: device, data: data)
        case GatewayTopics.attributesResponse:
            guard document["device"]?.stringValue != nil, document["id"] != nil else { return nil }
            return .deviceAttributeResponse(document)
        case GatewayTopics.disconnect:
            guard let device = document["device"]?.stringValue, document["reason"] != nil else { return nil }
            return .deviceDisconnected(device: device, reason: document["reason"]?.intValue)
        case GatewayTopics.deviceAttributes:
            guard case .object(let object) = document else { return nil }
            // A shared-attribute update may come wrapped as {"shared": {...}} or flat.
            if case .object(let shared)? = object["shared"], object.count == 1 { return .gatewayAttributeUpdate(shared) }
            return .gatewayAttributeUpdate(object)
        default:
            if topic.hasPrefix(GatewayTopics.deviceRPCRequestPrefix) {
                let id = String(topic.dropFirst(GatewayTopics.deviceRPCRequestPrefix.count))
                // Without a method it is still answered (an error), never left to time out.
                return .gatewayRPC(requestID: id, method: document["method"]?.stringValue ?? "", params: document["params"] ?? .null)
            }
            if topic.hasPrefix(GatewayTopics.deviceAttributesResponsePrefix) {
                let id = String(topic.dropFirst(GatewayTopics.deviceAttributesResponsePrefix.count))
                return .gatewayAttributeResponse(requestID: id, document)
            }
            return nil
        }
    }
}
