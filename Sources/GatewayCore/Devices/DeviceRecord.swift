import GatewayKit

/// One device the gateway knows: which connector owns it and under what name ThingsBoard sees
/// it. Persisted in `connected_devices.json` in the reference's format (reference §1.12).
struct DeviceRecord: Sendable, Equatable {
    var connectorID: String
    var connectorName: String
    var deviceType: String
    var disconnected: Bool
    /// The name ThingsBoard renamed the device to (`gateway_device_renamed`), if any.
    var renaming: String?

    /// `{"connectorId","connectorName","deviceType","disconnected","renaming"}`.
    var json: JSONValue {
        ["connectorId": .string(connectorID), "connectorName": .string(connectorName),
         "deviceType": .string(deviceType), "disconnected": .bool(disconnected),
         "renaming": renaming.map(JSONValue.string) ?? .null]
    }

    /// Reads an entry: the current object form, or the legacy list `[connectorName, type, newName]`.
    init?(json: JSONValue) {
        switch json {
        case .object(let object):
            guard let name = object["connectorName"]?.stringValue else { return nil }
            connectorName = name
            connectorID = object["connectorId"]?.stringValue ?? ""
            deviceType = object["deviceType"]?.stringValue ?? "default"
            disconnected = object["disconnected"]?.boolValue ?? false
            renaming = object["renaming"]?.stringValue
        case .array(let list):
            guard let name = list.first?.stringValue else { return nil }
            connectorName = name
            connectorID = ""
            deviceType = list.count > 1 ? list[1].stringValue ?? "default" : "default"
            disconnected = false
            renaming = list.count > 2 ? list[2].stringValue : nil
        default:
            return nil
        }
    }

    init(connector: ConnectorIdentity, deviceType: String) {
        connectorID = connector.id
        connectorName = connector.name
        self.deviceType = deviceType
        disconnected = false
        renaming = nil
    }
}
