import GatewayKit
import Logging
import MQTT

/// Runs the `requestsMapping` half of the connector over reference-diff cases
/// (`scripts/reference-diff/mqtt-requests`) without a broker: connect, disconnect and attribute
/// requests from device messages, ThingsBoard's answers to attribute requests, shared-attribute
/// updates and device RPCs (with the device's answer, or none), each as the connector's own
/// routing and downlink rules decide it. What ThingsBoard receives is written as the gateway
/// sends it: `v1/gateway/connect` (with the `connectorType`/`connectorName` attributes for a
/// device not connected yet), `v1/gateway/disconnect` (for a connected device),
/// `v1/gateway/attributes/request`, `v1/gateway/rpc` replies at QoS 0. RPCs to the gateway device
/// itself (connector RPCs without a device) are not run here.
public enum MQTTRequestsPreview {
    public static func resultLines(forCases text: String) -> [UInt8] {
        ReferenceDiffCases.resultLines(text, onConfigError: ["toDevice": [], "toThingsBoard": []], run)
    }

    private struct Recorder {
        var toDevice: [JSONValue] = []
        var toThingsBoard: [JSONValue] = []
        var subscribed: [JSONValue] = []
        var unsubscribed: [JSONValue] = []
        var problems: [String] = []

        /// What the client does with it: a topic name the protocol forbids fails that publish.
        @discardableResult
        mutating func publish(_ message: MQTTOutgoing) -> (any Error)? {
            if let problem = MQTTMessage.topicNameProblem(message.topic) {
                let error = MQTTError.invalidTopicName(message.topic, reason: problem)
                problems.append("\(error)")
                return error
            }
            defer { toDevice.append(["topic": .string(message.topic), "payload": .string(message.payload),
                             "qos": .int(Int64(message.qos.rawValue)), "retain": .bool(message.retain)]) }
            return nil
        }

        mutating func send(_ what: String, _ topic: String, qos: Int64 = 1, _ payload: JSONValue) {
            toThingsBoard.append(["what": .string(what), "topic": .string(topic), "qos": .int(qos), "payload": payload])
        }
    }

    private static func run(_ item: JSONValue) throws -> JSONObject {
        let document = item["connector"] ?? .null
        let configuration = try MQTTConnectorConfiguration.parse(document, file: "mqtt.json")
        let router = try MQTTUplinkRouter(configuration: configuration, file: "mqtt.json",
                                          logger: Logger(label: "requests-preview") { _ in SwiftLogNoOpLogHandler() })
        let downlink = MQTTDownlinkRules(requests: configuration.requests, connectorType: "mqtt")
        let connectorName = document["name"]?.stringValue ?? "MQTT Broker Connector"
        let event = item["event"] ?? .null
        var connected = Set((item["connectedDevices"]?.objectValue ?? [:]).keys)
        if item["connectedDevices"] == nil, let device = event["device"]?.stringValue { connected.insert(device) }
        var recorder = Recorder()
        var result: JSONObject = [:]

        switch event["kind"]?.stringValue {
        case "message":
            let topic = event["topic"]?.stringValue ?? ""
            let payload = ReferenceDiffCases.payload(of: event) ?? []
            let routed = router.route(MQTTUplinkMessage(topic: topic, payload: .init(bytes: payload), receivedAt: 0))
            // A mapping's filter matching the topic takes the message to the converters.
            let queued = router.routes.filter { $0.filter.matches(topic) }.count
            if queued > 0 { result["uplinkQueued"] = .int(Int64(queued)) }
            recorder.problems += routed.problems
            for deviceEvent in routed.deviceEvents {
                switch deviceEvent {
                case .connect(let name, let profile):
                    recorder.send("connect", "v1/gateway/connect", ["device": .string(name), "type": .string(profile)])
                    if connected.insert(name).inserted {
                        recorder.send("attributes", "v1/gateway/attributes", .object([name: [
                            "connectorType": "mqtt", "connectorName": .string(connectorName)]]))
                    }
                case .disconnect(let name):
                    if connected.remove(name) != nil {
                        recorder.send("disconnect", "v1/gateway/disconnect", ["device": .string(name)])
                    }
                case .attributeRequest(let call):
                    recorder.send("attributeRequest", "v1/gateway/attributes/request", [
                        "keys": .array(call.keys.map { .string($0) }), "device": .string(call.deviceName),
                        "client": .bool(call.clientScope), "id": 1])
                    answer(call, with: event["attributeResponse"], configuration: configuration, into: &recorder)
                }
            }
        case "attributeUpdate":
            let update = AttributeUpdate(deviceName: event["device"]?.stringValue ?? "",
                                         values: event["data"]?.objectValue ?? [:])
            let messages = downlink.messages(for: update)
            messages.messages.forEach { recorder.publish($0) }
        case "rpc":
            guard let device = event["device"]?.stringValue else {
                result["notRun"] = "a connector RPC to the gateway device"
                break
            }
            let data = event["data"] ?? .null
            let request = DeviceRPCRequest(deviceName: device, id: data["id"]?.intValue ?? 0,
                                           method: data["method"]?.stringValue ?? "", params: data["params"] ?? .null)
            let reply = rpc(request, downlink: downlink, router: router, deviceReply: event["deviceReply"], into: &recorder)
            recorder.send("rpcReply", "v1/gateway/rpc", qos: 0,
                          ["device": .string(device), "id": .int(request.id), "data": reply])
        default:
            recorder.problems.append("unknown event kind")
        }
        result["toDevice"] = .array(recorder.toDevice)
        result["toThingsBoard"] = .array(recorder.toThingsBoard)
        result["subscribed"] = .array(recorder.subscribed)
        result["unsubscribed"] = .array(recorder.unsubscribed)
        result["subscribedOnConnect"] = .array(router.subscriptions.map {
            ["topic": .string($0.filter), "qos": .int(Int64($0.qos.rawValue))]
        })
        if !recorder.problems.isEmpty { result["error"] = .string(recorder.problems.joined(separator: "; ")) }
        return result
    }

    /// ThingsBoard's answer (as the case gives it) published to the device, as the connector
    /// answers: the values as the gateway reads them from the answer, under the requesting name.
    private static func answer(_ call: MQTTAttributeRequestCall, with response: JSONValue?,
                               configuration: MQTTConnectorConfiguration, into recorder: inout Recorder) {
        guard let response, case .object = response else { return }
        let values = AttributeRequest(deviceName: call.deviceName, keys: call.keys, clientScope: call.clientScope)
            .values(in: response)
        let entry = configuration.requests.attributeRequests[call.entryIndex]
        if let message = entry.answer(deviceName: call.deviceName, keys: call.keys, values: values) {
            recorder.publish(message)
        }
    }

    /// The connector's RPC exchange (`handleRPC`), with the device's answer given by the case.
    private static func rpc(_ request: DeviceRPCRequest, downlink: MQTTDownlinkRules, router: MQTTUplinkRouter,
                            deviceReply: JSONValue?, into recorder: inout Recorder) -> JSONValue {
        switch downlink.plan(for: request) {
        case .reply(let reply):
            return reply
        case .call(let call):
            guard let responseTopic = call.responseTopic else {
                if let error = recorder.publish(call.request) { return MQTTDownlinkRules.publishFailed(error) }
                return MQTTDownlinkRules.published
            }
            let filter: MQTTTopicFilter, permanent: Bool
            switch router.responseSubscription(for: responseTopic) {
            case .success(let subscription): (filter, permanent) = subscription
            case .failure(let refusal): return refusal.reply
            }
            if !permanent {
                recorder.subscribed.append(["topic": .string(filter.filter), "qos": .int(Int64(call.responseQoS.rawValue))])
            }
            var reply = MQTTDownlinkRules.noResponse
            if let error = recorder.publish(call.request) { reply = MQTTDownlinkRules.publishFailed(error) }
            if recorder.problems.isEmpty, let answer = deviceReply, let topic = answer["topic"]?.stringValue, filter.matches(topic) {
                reply = MQTTDownlinkRules.responseData(ReferenceDiffCases.payload(of: answer) ?? [])
            }
            if !permanent { recorder.unsubscribed.append(.string(filter.filter)) }
            return reply
        }
    }
}
