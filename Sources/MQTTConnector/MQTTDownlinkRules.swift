import Expressions
import GatewayKit
import MQTT

/// One message the connector publishes to the external broker.
struct MQTTOutgoing: Sendable, Equatable {
    var topic: String
    var payload: String
    var qos: MQTTQoS
    var retain: Bool
}

/// How one RPC is carried out on the external broker.
struct MQTTRPCCall: Sendable, Equatable {
    var request: MQTTOutgoing
    /// Two-way: the topic the answer arrives on; nil: one-way.
    var responseTopic: String?
    var responseQoS: MQTTQoS
    /// Two-way: how long to wait for the answer (further limited by the request's own timeout).
    var responseTimeout: Duration?
}

/// What to do with one RPC: publish, or answer ThingsBoard at once.
enum MQTTRPCPlan: Sendable, Equatable {
    case call(MQTTRPCCall)
    case reply(JSONValue)
}

/// The pure part of the downlink (reference §1.7, §1.8, §5.1): which `attributeUpdates` and
/// `serverSideRpc` entries apply and what they publish. No I/O, so it is tested without a broker.
struct MQTTDownlinkRules: Sendable {
    let attributeUpdates: [MQTTAttributeUpdate]
    let serverSideRpc: [MQTTServerSideRPC]
    /// The connector type: `<type>_<method>` RPCs are connector RPCs (`mqtt_get`, `mqtt_publish`).
    let connectorType: String

    /// The reference's default response timeout of reserved `get`/`set` RPCs (5 s).
    static let reservedResponseTimeout = Duration.seconds(5)

    init(requests: MQTTRequestsMapping, connectorType: String) {
        self.attributeUpdates = requests.attributeUpdates
        self.serverSideRpc = requests.serverSideRpc
        self.connectorType = connectorType
    }

    // MARK: attribute updates

    struct AttributeUpdateResult: Sendable, Equatable {
        var messages: [MQTTOutgoing] = []
        /// Why (part of) the update was not published, for the log.
        var problems: [String] = []
    }

    /// For each entry whose `deviceNameFilter` matches the start of the device name (Python
    /// `re.match`), each updated key whose start matches `attributeFilter` is published: topic and
    /// value rendered with `${deviceName}`, `${attributeKey}`, `${attributeValue}` (objects and
    /// arrays as JSON, booleans `true`/`false`, null `null`, strings without quotes, numbers as
    /// Python prints them).
    func messages(for update: AttributeUpdate) -> AttributeUpdateResult {
        var result = AttributeUpdateResult()
        guard !attributeUpdates.isEmpty else {
            result.problems.append("no attributeUpdates configured")
            return result
        }
        let entries = attributeUpdates.filter { $0.deviceNameRegex.matchesAtStart(update.deviceName) }
        guard !entries.isEmpty else {
            result.problems.append("no attributeUpdates entry's deviceNameFilter matches device \"\(update.deviceName)\"")
            return result
        }
        for entry in entries {
            // The reference skips an entry with an empty filter or template.
            guard !entry.attributeFilter.isEmpty, !entry.topicExpression.isEmpty, !entry.valueExpression.isEmpty else {
                result.problems.append("attributeUpdates entry (deviceNameFilter \"\(entry.deviceNameFilter)\") has an "
                                       + "empty attributeFilter, topicExpression or valueExpression; skipped")
                continue
            }
            for (key, value) in update.values {
                guard entry.attributeRegex.matchesAtStart(key) else {
                    result.problems.append("attribute \"\(key)\" does not match filter \"\(entry.attributeFilter)\"")
                    continue
                }
                let rendered = entry.render(deviceName: update.deviceName, key: key, value: value)
                result.messages.append(MQTTOutgoing(topic: rendered.topic, payload: rendered.payload,
                                                    qos: entry.qos, retain: entry.retain))
            }
        }
        return result
    }

    // MARK: RPC

    /// Decides how an RPC is carried out, as the reference's `server_side_rpc_handler`:
    /// - `<connectorType>_<method>` (exactly one `_`) is the connector RPC `<method>`;
    /// - `get` / `set` with text params `requestTopicExpression=...;responseTopicExpression=...;value=...;`
    ///   need no configuration;
    /// - otherwise the first `serverSideRpc` entry whose `deviceNameFilter` and `methodFilter` occur
    ///   in the device name and method (Python `re.search`);
    /// - a request without a device (a connector RPC sent to the gateway itself) carries the entry
    ///   in its params: `{"requestTopicExpression", "responseTopicExpression", "responseTimeout", "valueExpression", ...}`.
    /// Templates see the method as sent (`${methodName}` of `mqtt_get` is `mqtt_get`).
    func plan(for request: DeviceRPCRequest) -> MQTTRPCPlan {
        var method = request.method
        let parts = method.split(separator: "_", omittingEmptySubsequences: false)
        if parts.count == 2, parts[0] == connectorType {
            method = String(parts[1])
        }
        let context = DownlinkContext(deviceName: request.deviceName, methodName: request.method,
                                      requestId: request.id, params: request.params)
        if request.deviceName.isEmpty {
            guard case .object(let params) = request.params else {
                return .reply(Self.error("a connector RPC without a device needs params with requestTopicExpression "
                                         + "and valueExpression", code: 400))
            }
            return plan(inline: Dictionary(uniqueKeysWithValues: params.map { ($0.key, Self.configText($0.value)) }), context: context)
        }
        if method == "get" || method == "set" {
            guard case .string(let text) = request.params else {
                return .reply(Self.error("reserved RPC \"\(method)\" needs params as text: "
                                         + "requestTopicExpression=...;responseTopicExpression=...;value=...;", code: 400))
            }
            var params = Self.reservedParameters(text)
            if params["responseTimeout"] == nil, params["responseTopicExpression"] != nil {
                params["responseTimeout"] = "5000"
            }
            return plan(inline: params, context: context)
        }
        guard let entry = serverSideRpc.first(where: {
            $0.deviceNameRegex.occurs(in: request.deviceName) && $0.methodRegex.occurs(in: method)
        }) else {
            return .reply(Self.error("no serverSideRpc entry matches device \"\(request.deviceName)\" and method \"\(method)\"",
                                     code: 404))
        }
        let rendered = entry.render(context)
        // The reference waits for an answer when a response topic and a timeout are configured;
        // a `twoWay` entry without `responseTimeout` waits as long as ThingsBoard does.
        let twoWay = rendered.responseTopic != nil && (entry.kind == .twoWay || entry.responseTimeoutMs != nil)
        return .call(MQTTRPCCall(
            request: MQTTOutgoing(topic: rendered.requestTopic, payload: rendered.payload, qos: entry.qos, retain: entry.retain),
            responseTopic: twoWay ? rendered.responseTopic : nil,
            responseQoS: entry.responseTopicQoS,
            responseTimeout: twoWay ? entry.responseTimeoutMs.map { .milliseconds($0) } : nil))
    }

    /// An RPC configured by the request itself (reserved `get`/`set`, gateway-level connector RPC).
    private func plan(inline params: [String: String], context: DownlinkContext) -> MQTTRPCPlan {
        guard let requestTopicText = params["requestTopicExpression"], !requestTopicText.isEmpty else {
            return .reply(Self.error("params name no requestTopicExpression", code: 400))
        }
        let requestTopic: DownlinkTemplate
        let value: DownlinkTemplate
        var responseTopic: DownlinkTemplate?
        do {
            requestTopic = try DownlinkTemplate(requestTopicText, usage: .topic)
            // Without a value the device gets an empty message (the reference fails on it).
            value = try DownlinkTemplate(params["valueExpression"] ?? params["value"] ?? "")
            if let text = params["responseTopicExpression"], !text.isEmpty {
                responseTopic = try DownlinkTemplate(text, usage: .topic)
            }
        } catch {
            return .reply(Self.error("invalid expression in params: \(error.reason) (\(error.expression))", code: 400))
        }
        let timeout = params["responseTimeout"].flatMap(PythonText.parseFloat).flatMap { milliseconds -> Duration? in
            milliseconds > 0 && milliseconds.isFinite ? .milliseconds(Int64(milliseconds.rounded(.up))) : nil
        }
        let twoWay = responseTopic != nil && timeout != nil
        return .call(MQTTRPCCall(
            request: MQTTOutgoing(topic: requestTopic.render(context), payload: value.render(context),
                                  qos: Self.qos(params["qos"]) ?? .atMostOnce,
                                  retain: params["retain"].map { ["true", "1"].contains($0.lowercased()) } ?? false),
            responseTopic: twoWay ? responseTopic?.render(context) : nil,
            responseQoS: Self.qos(params["responseTopicQoS"]) ?? .atLeastOnce,
            responseTimeout: twoWay ? timeout : nil))
    }

    /// The reserved RPCs' params (`ReservedRPCParams`, keys as sent); `value` is the payload template.
    static func reservedParameters(_ text: String) -> [String: String] {
        var params = ReservedRPCParams.parse(text, trimmingKeys: false)
        if let value = params.removeValue(forKey: "value") { params["valueExpression"] = value }
        return params
    }

    private static func configText(_ value: JSONValue) -> String {
        if case .string(let text) = value { return text }
        return PythonText.str(value)
    }

    private static func qos(_ text: String?) -> MQTTQoS? {
        text.flatMap { UInt8($0) }.flatMap(MQTTQoS.init(rawValue:))
    }

    // MARK: replies (the `data` of the RPC reply; reference bodies)

    /// A one-way RPC was published. As the reference's `send_rpc_reply(success_sent=True)`, the
    /// reply's `data` is the JSON text `{"success": true}` as a string, not an object: what
    /// ThingsBoard hands the RPC's caller is the same as with the Python gateway.
    static let published: JSONValue = .string(#"{"success": true}"#)
    /// A two-way RPC got no answer in time (the reference's cancel reply, a string as above).
    static let noResponse: JSONValue = .string(#"{"success": false}"#)

    /// Publishing (or subscribing to the response topic) failed.
    static func publishFailed(_ error: any Error) -> JSONValue {
        ["error": .string("Error on publish to target broker: '\(error)'"), "success": false]
    }

    static func error(_ message: String, code: Int64) -> JSONValue {
        ["error": .string(message), "code": .int(code)]
    }

    /// A device's answer: its JSON when the payload parses (also after the reference's `'` → `"`
    /// rewrite, so Python-style `{'ok': 1}` works), else the text as it came.
    static func responseData(_ payload: [UInt8]) -> JSONValue {
        // A UTF-8 byte order mark before the JSON (some devices' JSON writers add one) is not text.
        let payload = payload.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(payload.dropFirst(3)) : payload
        if let value = try? JSONValue.parse(payload) { return value }
        let text = String(decoding: payload, as: UTF8.self)
        if text.contains("'"), let value = try? JSONValue.parse(text.replacingQuotes()) { return value }
        return .string(text)
    }
}

extension MQTTServerSideRPC {
    func render(_ context: DownlinkContext) -> (requestTopic: String, payload: String, responseTopic: String?) {
        (requestTopicTemplate.render(context), valueTemplate.render(context), responseTopicTemplate?.render(context))
    }
}

private extension String {
    func replacingQuotes() -> String {
        String(unicodeScalars.map { $0 == "'" ? "\"" : Character($0) })
    }
}

extension MQTTAttributeRequest {
    /// What is published to the device once ThingsBoard answered (the reference's
    /// `notify_attribute`), or nil when the answer holds nothing to send.
    /// - One key: `valueExpression` with `${attributeKey}` the key and `${attributeValue}` the
    ///   value as JSON (a string gets quotes): `{"${attributeKey}": ${attributeValue}}` →
    ///   `{"firmwareVersion": "1.2"}`.
    /// - Several keys: the answer object as compact JSON, `{"a":1,"b":"x"}`; `${attributeKey}` in
    ///   the topic is the keys joined with `,`.
    func answer(deviceName: String, keys: [String], values: JSONObject) -> MQTTOutgoing? {
        guard let first = keys.first else { return nil }
        if keys.count == 1 {
            guard let value = values[first], value != .null else { return nil }
            let topic = topicTemplate.render(DownlinkContext(deviceName: deviceName, attributeKey: first))
            let payload = valueTemplate.render(DownlinkContext(deviceName: deviceName, attributeKey: first,
                                                               attributeValue: value, attributeValueStyle: .json))
            return MQTTOutgoing(topic: topic, payload: payload, qos: qos, retain: retain)
        }
        guard !values.isEmpty else { return nil }
        let topic = topicTemplate.render(DownlinkContext(deviceName: deviceName, attributeKey: keys.joined(separator: ",")))
        return MQTTOutgoing(topic: topic, payload: JSONValue.object(values).jsonString, qos: qos, retain: retain)
    }
}
