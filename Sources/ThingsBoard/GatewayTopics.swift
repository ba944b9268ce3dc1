/// The ThingsBoard gateway MQTT API topic catalogue (reference §1.3).
public enum GatewayTopics {
    // Gateway → ThingsBoard, on behalf of devices behind the gateway.
    public static let connect = "v1/gateway/connect"
    public static let disconnect = "v1/gateway/disconnect"
    public static let telemetry = "v1/gateway/telemetry"
    public static let attributes = "v1/gateway/attributes"
    public static let attributesRequest = "v1/gateway/attributes/request"
    public static let claim = "v1/gateway/claim"
    /// Both directions: requests from ThingsBoard, replies from the gateway.
    public static let rpc = "v1/gateway/rpc"
    public static let attributesResponse = "v1/gateway/attributes/response"

    // The gateway as a device of its own.
    public static let deviceTelemetry = "v1/devices/me/telemetry"
    public static let deviceAttributes = "v1/devices/me/attributes"
    public static let deviceAttributesRequestPrefix = "v1/devices/me/attributes/request/"
    public static let deviceAttributesResponsePrefix = "v1/devices/me/attributes/response/"
    public static let deviceRPCRequestPrefix = "v1/devices/me/rpc/request/"
    public static let deviceRPCResponsePrefix = "v1/devices/me/rpc/response/"

    /// Subscriptions made at QoS = `thingsboard.qos` (§1.2 step 2).
    public static let deviceSubscriptions = [
        "v1/devices/me/attributes",
        "v1/devices/me/attributes/response/+",
        "v1/devices/me/rpc/request/+",
        "v1/devices/me/rpc/response/+",
    ]
    /// Subscriptions always made at QoS 1 (§1.2 step 3).
    public static let gatewaySubscriptions = [attributes, attributesResponse, rpc]

    // Provisioning (separate short connection, username "provision").
    public static let provisionRequest = "/provision/request"
    public static let provisionResponse = "/provision/response"
}
