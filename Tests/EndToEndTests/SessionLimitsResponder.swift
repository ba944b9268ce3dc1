import Foundation
import GatewayKit
import Logging
import MQTT
import NIOCore

/// Plays ThingsBoard's side of `getSessionLimits` (answers every client-side RPC request of the
/// gateway on `v1/devices/me/rpc/response/<id>`, as the server does) and of device attribute
/// requests (answered from `attributes`, by device: `value` for one key, `values` for several).
final class SessionLimitsResponder: Sendable {
    private let client: MQTTClient
    private let task: Task<Void, Never>

    init(port: Int, maxPayloadSize: Int = 65536, maxInflightMessages: Int = 100,
         attributes: [String: JSONObject] = [:]) async throws {
        var configuration = MQTTClientConfiguration(host: "127.0.0.1", port: port, clientID: "tb-limits-\(UUID().uuidString.prefix(6))")
        configuration.version = .v5
        let client = MQTTClient(configuration: configuration, logger: Logger(label: "responder"))
        _ = try await client.connect()
        _ = try await client.subscribe([MQTTSubscription(filter: "v1/devices/me/rpc/request/+", qos: .atLeastOnce, noLocal: true),
                                        MQTTSubscription(filter: "v1/gateway/attributes/request", qos: .atLeastOnce, noLocal: true)])
        let reply: JSONValue = [
            "maxPayloadSize": .int(Int64(maxPayloadSize)), "maxInflightMessages": .int(Int64(maxInflightMessages)),
            "rateLimits": ["messages": "", "telemetryMessages": "", "telemetryDataPoints": ""],
            "gatewayRateLimits": ["messages": "", "telemetryMessages": "", "telemetryDataPoints": ""],
        ]
        self.client = client
        self.task = Task {
            for await message in client.messages {
                let request = try? JSONValue.parse(Array(message.payload.readableBytesView))
                if message.topic == "v1/gateway/attributes/request", let request {
                    let answer = Self.attributeAnswer(to: request, from: attributes)
                    _ = try? await client.publish(MQTTMessage(topic: "v1/gateway/attributes/response",
                                                              payload: ByteBuffer(bytes: answer.jsonBytes), qos: .atLeastOnce))
                    continue
                }
                let id = message.topic.split(separator: "/").last.map(String.init) ?? ""
                guard request?["method"]?.stringValue == "getSessionLimits" else { continue }
                _ = try? await client.publish(MQTTMessage(topic: "v1/devices/me/rpc/response/\(id)",
                                                          payload: ByteBuffer(bytes: reply.jsonBytes), qos: .atLeastOnce))
            }
        }
    }

    static func attributeAnswer(to request: JSONValue, from attributes: [String: JSONObject]) -> JSONValue {
        let device = request["device"]?.stringValue ?? ""
        let known = attributes[device] ?? [:]
        let keys = request["keys"]?.arrayValue?.compactMap(\.stringValue) ?? []
        var answer: JSONObject = ["id": request["id"] ?? .null, "device": .string(device)]
        if keys.count == 1 {
            answer["value"] = known[keys[0]] ?? .null
        } else {
            answer["values"] = .object(keys.isEmpty ? known : known.filter { keys.contains($0.key) })
        }
        return .object(answer)
    }

    func stop() async {
        task.cancel()
        await client.shutdown()
    }
}
