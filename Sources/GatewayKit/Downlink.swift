/// A shared-attribute update from ThingsBoard for one device (reference §1.8), routed to the
/// connector that owns the device.
public struct AttributeUpdate: Sendable, Equatable {
    public var deviceName: String
    public var values: JSONObject

    public init(deviceName: String, values: JSONObject) {
        self.deviceName = deviceName
        self.values = values
    }
}

/// A server-side RPC from ThingsBoard for one device (reference §1.7), routed to the connector
/// that owns the device. Reserved methods (`get`, `set`) and connector RPCs
/// (`<connectorType>_<method>`, e.g. `mqtt_publish`) arrive here too; the connector decides.
public struct DeviceRPCRequest: Sendable, Equatable {
    public var deviceName: String
    public var id: Int64
    public var method: String
    public var params: JSONValue
    /// How long ThingsBoard waits; a connector waiting for its device should give up earlier.
    public var timeout: Duration

    public init(deviceName: String, id: Int64, method: String, params: JSONValue, timeout: Duration = .seconds(5)) {
        self.deviceName = deviceName
        self.id = id
        self.method = method
        self.params = params
        self.timeout = timeout
    }
}

/// A connector that talks back to its devices. The gateway routes ThingsBoard's shared
/// attribute updates and RPCs of a device to the connector that reported (or connected) it.
public protocol DownlinkConnector: Connector {
    /// Writes shared-attribute updates to the device; keys without a mapping are ignored.
    func handleAttributeUpdate(_ update: AttributeUpdate) async
    /// Executes an RPC and returns the `data` of the reply sent to ThingsBoard: the device's
    /// answer, `{"success": true}`, or `{"error": "...", "code": N}`.
    func handleRPC(_ request: DeviceRPCRequest) async -> JSONValue
    /// A connector RPC (`<connectorType>_<method>`) sent to the gateway device rather than to one
    /// device: the connector runs it for each of its devices and returns the list of results.
    func handleConnectorRPC(method: String, params: JSONValue) async -> JSONValue
    /// The shared attributes the connector writes to `device` (its attribute updates), asked of
    /// ThingsBoard when the device connects (`syncDevicesSharedAttributesOnConnect`); nil: none.
    func sharedAttributeKeys(of device: String) -> [String]?
}

extension DownlinkConnector {
    public func sharedAttributeKeys(of device: String) -> [String]? { nil }

    /// A connector RPC's method without its `<connectorType>_` prefix (`socket_set` → `set`);
    /// other methods as they are.
    public func strippingType(_ method: String) -> String {
        let prefix = identity.type + "_"
        return method.hasPrefix(prefix) ? String(method.dropFirst(prefix.count)) : method
    }

    public func handleConnectorRPC(method: String, params: JSONValue) async -> JSONValue {
        ["error": .string("\(identity.type) connector '\(identity.name)' has no connector-wide RPCs"), "code": 404]
    }
}

/// A gateway attribute request (`v1/gateway/attributes/request`).
public struct AttributeRequest: Sendable, Equatable {
    public var deviceName: String
    /// Empty: every attribute of the scope.
    public var keys: [String]
    /// Client-side attributes; false: shared attributes.
    public var clientScope: Bool

    public init(deviceName: String, keys: [String], clientScope: Bool) {
        self.deviceName = deviceName
        self.keys = keys
        self.clientScope = clientScope
    }
}

public enum GatewayRequestError: Error, Sendable, Equatable, CustomStringConvertible {
    /// ThingsBoard did not answer in time, or the connection was lost.
    case noAnswer
    /// This gateway context does not offer the request (e.g. a configuration check).
    case unsupported

    public var description: String {
        switch self {
        case .noAnswer: return "ThingsBoard did not answer in time"
        case .unsupported: return "not available in this context"
        }
    }
}

/// Device lifecycle and requests a connector may make besides sending data. The defaults do
/// nothing, so a context that only collects data (tests, `check-config`) need not implement them.
extension GatewayContext {
    public func connectDevice(_ name: String, type: String, from connector: ConnectorIdentity) async {}
    public func disconnectDevice(_ name: String, from connector: ConnectorIdentity) async {}
    public func requestAttributes(_ request: AttributeRequest, from connector: ConnectorIdentity) async throws(GatewayRequestError) -> JSONObject {
        throw .unsupported
    }
}

extension AttributeRequest {
    /// The attributes in ThingsBoard's answer to this request. One key: `{"id","device","value": v}`;
    /// several (or all): `{"id","device","values": {...}}`. A lone `value` names no key: it is the
    /// requested one only when one was requested (older ThingsBoard versions answer so when just
    /// one of several keys exists).
    public func values(in reply: JSONValue) -> JSONObject {
        if case .object(let values)? = reply["values"] { return values }
        if let value = reply["value"], keys.count == 1 { return [keys[0]: value] }
        return [:]
    }
}
