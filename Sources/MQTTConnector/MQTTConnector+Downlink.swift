import GatewayKit
import MQTT
import NIOCore

/// The downlink: ThingsBoard's shared-attribute updates and RPCs for this connector's devices
/// are published to the external broker (reference §1.7, §1.8, §5.1).
extension MQTTConnector: DownlinkConnector {
    public func handleAttributeUpdate(_ update: AttributeUpdate) async {
        let result = downlink.messages(for: update)
        for problem in result.problems {
            logger.debug("Attribute update not (fully) published: \(problem)", metadata: ["device": "\(update.deviceName)"])
        }
        if result.messages.isEmpty {
            if let suppressed = unpublishedUpdateLog.shouldLog() {
                logger.warning("Attribute update for \(update.deviceName) published nothing: \(result.problems.first ?? "no entry")",
                               metadata: ["suppressedSinceLastLog": "\(suppressed)"])
            }
            return
        }
        guard let client = client.current else {
            statistics.countPublishFailure()
            logger.warning("Attribute update for \(update.deviceName) not published: the connector is not running")
            return
        }
        for message in result.messages {
            do {
                try await publish(message, with: client)
                logger.debug("Attribute update published", metadata: ["topic": "\(message.topic)", "device": "\(update.deviceName)"])
            } catch {
                logger.warning("Attribute update for \(update.deviceName) not published to \(message.topic): \(error)")
            }
        }
    }

    /// `mqtt_<method>` sent to the gateway itself: params carry the entry
    /// (`{"requestTopicExpression", "valueExpression", "responseTopicExpression", "responseTimeout",
    /// "qos", "retain", ...}`), rendered without a device. The reply is the device RPC's, with a
    /// JSON text sent as the JSON it holds, as the reference's gateway-level reply does: one-way
    /// `{"success": true}`; two-way the answer (the reference answers `{"success": false}` at once
    /// and drops the answer).
    public func handleConnectorRPC(method: String, params: JSONValue) async -> JSONValue {
        let reply = await handleRPC(DeviceRPCRequest(deviceName: "", id: 0, method: method, params: params))
        if case .string(let text) = reply, let parsed = try? JSONValue.parse(Array(text.utf8)) { return parsed }
        return reply
    }

    /// One-way: the JSON string `"{\"success\": true}"` once published. Two-way: the device's
    /// answer (JSON when it parses, else the text) or the string `"{\"success\": false}"` when none
    /// came in time (the reference's reply strings). Publishing failed:
    /// `{"error": "Error on publish to target broker: '...'", "success": false}`. Not handled:
    /// `{"error": "...", "code": 400 | 404}`.
    public func handleRPC(_ request: DeviceRPCRequest) async -> JSONValue {
        statistics.countRPC()
        switch downlink.plan(for: request) {
        case .reply(let reply):
            logger.error("RPC not handled: \(reply["error"]?.stringValue ?? "")",
                         metadata: ["device": "\(request.deviceName)", "method": "\(request.method)", "id": "\(request.id)"])
            return reply
        case .call(let call):
            logger.info("RPC to device", metadata: ["device": "\(request.deviceName)", "method": "\(request.method)",
                                                    "id": "\(request.id)", "topic": "\(call.request.topic)"])
            guard let client = client.current else {
                statistics.countPublishFailure()
                return MQTTDownlinkRules.publishFailed(MQTTError.notConnected)
            }
            guard let responseTopic = call.responseTopic else {
                do {
                    try await publish(call.request, with: client)
                    return MQTTDownlinkRules.published
                } catch {
                    return MQTTDownlinkRules.publishFailed(error)
                }
            }
            // The configured `responseTimeout` is what the reference waits (reserved get/set:
            // 5 s unless given). Without one, answer before ThingsBoard gives up on the request.
            let wait = call.responseTimeout ?? request.timeout * 0.9
            return await exchange(call, responseTopic: responseTopic, wait: wait, client: client)
        }
    }

    /// Two-way: subscribe to the response topic, publish, take the first answer, unsubscribe.
    private func exchange(_ call: MQTTRPCCall, responseTopic: String, wait: Duration, client: MQTTClient) async -> JSONValue {
        let filter: MQTTTopicFilter, permanent: Bool
        switch router.responseSubscription(for: responseTopic) {
        case .success(let subscription): (filter, permanent) = subscription
        case .failure(let refusal): return refusal.reply
        }
        let (id, answer) = responses.register(filter)
        let reply: JSONValue
        do {
            if !permanent {
                let granted = try await client.subscribe([MQTTSubscription(filter: filter.filter, qos: call.responseQoS)])
                if let refused = granted.first, refused.grantedQoS == nil {
                    throw MQTTError.subscribeFailed("broker refused \(filter.filter): \(refused.reasonCode)")
                }
            }
            try await publish(call.request, with: client)
            if let message = await MQTTResponseWaiters.first(of: answer, within: wait) {
                reply = MQTTDownlinkRules.responseData(Array(message.payload.readableBytesView))
            } else {
                statistics.countRPCTimeout()
                logger.warning("No RPC answer on \(responseTopic) within \(wait)")
                reply = MQTTDownlinkRules.noResponse
            }
        } catch {
            reply = MQTTDownlinkRules.publishFailed(error)
        }
        if responses.release(id, filter: filter), !permanent {
            do {
                try await client.unsubscribe([filter.filter])
            } catch {
                logger.debug("Unsubscribing \(filter.filter) failed: \(error)")
            }
        }
        return reply
    }

    /// Publishes one message; a refusal (MQTT 5 reason code) is an error.
    func publish(_ outgoing: MQTTOutgoing, with client: MQTTClient) async throws {
        do {
            let result = try await client.publish(MQTTMessage(topic: outgoing.topic, payload: outgoing.payload,
                                                              qos: outgoing.qos, retain: outgoing.retain))
            guard result.isSuccess else {
                throw MQTTPublishRefused(topic: outgoing.topic, reasonCode: result.reasonCode, reason: result.reasonString)
            }
            statistics.countPublished()
        } catch let cancelled as CancellationError {
            throw cancelled  // The caller gave up (a stop), not a failure of the broker.
        } catch {
            statistics.countPublishFailure()
            throw error
        }
    }

    // MARK: attribute requests of devices

    /// Attribute requests waiting for ThingsBoard at the same time; more wait in the (bounded)
    /// queue. Each costs only a pending reply while it waits, so a fleet rebooting together (and
    /// asking together) is answered, even when ThingsBoard leaves some requests unanswered for
    /// the 20 s timeout.
    static let attributeRequestWorkers = 128

    /// Asks ThingsBoard for the attributes devices requested and publishes the answers. Runs
    /// beside the message loop, so a slow ThingsBoard never holds up device data.
    func serveAttributeRequests(_ requests: AsyncStream<MQTTAttributeRequestCall>, client: MQTTClient) async {
        let failureLog = SharedBurstLimiter()
        await withTaskGroup(of: Void.self) { group in
            var running = 0
            for await request in requests {
                if running >= Self.attributeRequestWorkers {
                    await group.next()
                    running -= 1
                }
                running += 1
                group.addTask { await answer(request, client: client, failureLog: failureLog) }
            }
        }
    }

    private func answer(_ request: MQTTAttributeRequestCall, client: MQTTClient, failureLog: SharedBurstLimiter) async {
        let entry = router.attributeRequests[request.entryIndex]
        let values: JSONObject
        do {
            values = try await context.requestAttributes(
                AttributeRequest(deviceName: request.deviceName, keys: request.keys, clientScope: request.clientScope),
                from: identity)
        } catch {
            statistics.countAttributeRequestFailed()
            if let suppressed = failureLog.shouldLog() {
                logger.warning("Attribute request not answered: \(error)", metadata: [
                    "device": "\(request.deviceName)", "keys": "\(request.keys)", "suppressedSinceLastLog": "\(suppressed)",
                ])
            }
            return
        }
        guard let outgoing = entry.answer(deviceName: request.deviceName, keys: request.keys, values: values) else {
            logger.debug("ThingsBoard has no value for the requested attributes",
                         metadata: ["device": "\(request.deviceName)", "keys": "\(request.keys)"])
            return
        }
        do {
            try await publish(outgoing, with: client)
        } catch is CancellationError {
            return  // The connector is stopping.
        } catch {
            statistics.countAttributeRequestFailed()
            if let suppressed = failureLog.shouldLog() {
                logger.warning("Attribute request answer not published to \(outgoing.topic): \(error)",
                               metadata: ["device": "\(request.deviceName)", "suppressedSinceLastLog": "\(suppressed)"])
            }
        }
    }
}

/// The broker refused a publish (MQTT 5 reason code).
struct MQTTPublishRefused: Error, CustomStringConvertible {
    var topic: String
    var reasonCode: MQTTReasonCode
    var reason: String?

    var description: String { "broker refused the publish to \(topic): \(reasonCode)\(reason.map { " (\($0))" } ?? "")" }
}

/// An RPC response topic that cannot be subscribed; `reply` is the RPC's answer.
struct MQTTResponseTopicRefusal: Error {
    var reply: JSONValue
}

extension MQTTUplinkRouter {
    /// The subscription a two-way RPC waits on: the response topic as a filter, and whether a
    /// mapping's subscription already brings its messages (`permanent`): then it stays as it is,
    /// since subscribing again would deliver every answer twice (overlapping subscriptions) and
    /// unsubscribing would end the mapping's.
    func responseSubscription(for responseTopic: String)
        -> Swift.Result<(filter: MQTTTopicFilter, permanent: Bool), MQTTResponseTopicRefusal> {
        do {
            let filter = try MQTTTopicFilter(responseTopic)
            return .success((filter, covers(filter)))
        } catch {
            return .failure(MQTTResponseTopicRefusal(reply: MQTTDownlinkRules.error(
                "response topic \"\(responseTopic)\" is not usable: \(error.reason)", code: 400)))
        }
    }
}
