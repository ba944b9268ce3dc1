/// One MQTT message of the gateway API, ready to publish.
public struct GatewayMessage: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case telemetry, attributes, connect, disconnect, rpcReply, other
    }

    public var topic: String
    public var payload: [UInt8]
    public var kind: Kind
    /// Datapoints carried (telemetry values or attributes), for rate limits and statistics.
    public var datapoints: Int
    /// True when the message is about devices behind the gateway (their rate limits apply, not
    /// the gateway's own).
    public var forDevices: Bool
    /// Devices the message carries data of (`{"A":[...],"B":[...]}` is 2): ThingsBoard counts each
    /// as one message against the devices' limits.
    public var deviceSections: Int

    public init(topic: String, payload: [UInt8], kind: Kind, datapoints: Int = 0, forDevices: Bool = true,
                deviceSections: Int = 1) {
        self.topic = topic
        self.payload = payload
        self.kind = kind
        self.datapoints = datapoints
        self.forDevices = forDevices
        self.deviceSections = deviceSections
    }

    public var text: String { String(decoding: payload, as: UTF8.self) }
}

extension GatewayMessage {
    /// `v1/gateway/connect` `{"device":"Dev A","type":"default"}`.
    public static func connect(device: String, type: String) -> GatewayMessage {
        var out: [UInt8] = Array(#"{"device":"#.utf8)
        JSONWriter.writeString(device, into: &out)
        out.append(contentsOf: #","type":"#.utf8)
        JSONWriter.writeString(type, into: &out)
        out.append(UInt8(ascii: "}"))
        return GatewayMessage(topic: GatewayTopics.connect, payload: out, kind: .connect)
    }

    /// `v1/gateway/attributes/request` `{"id":1,"device":"Dev A","client":false,"keys":["fw"]}`.
    public static func attributeRequest(id: Int, device: String, keys: [String], client: Bool) -> GatewayMessage {
        let request: JSONValue = ["id": .int(Int64(id)), "device": .string(device), "client": .bool(client),
                                  "keys": .array(keys.map { .string($0) })]
        return GatewayMessage(topic: GatewayTopics.attributesRequest, payload: request.jsonBytes,
                              kind: .other, forDevices: false)
    }

    /// `v1/gateway/disconnect` `{"device":"Dev A"}`.
    public static func disconnect(device: String) -> GatewayMessage {
        var out: [UInt8] = Array(#"{"device":"#.utf8)
        JSONWriter.writeString(device, into: &out)
        out.append(UInt8(ascii: "}"))
        return GatewayMessage(topic: GatewayTopics.disconnect, payload: out, kind: .disconnect)
    }
}

import GatewayKit
