import GatewayKit
import HTTPConnectorKit

extension RESTConnector {
    /// A shared attribute named like a mapping's `responseAttribute` answers the device's oldest
    /// held request (the reference's way of replying to `responseExpected`); every key is also
    /// sent to the device URLs of the matching `attributeUpdates` entries.
    public func handleAttributeUpdate(_ update: AttributeUpdate) async {
        for (key, value) in update.values where responseAttributes.contains(key) {
            if waiters.answer(device: update.deviceName, with: value) {
                logger.debug("Held HTTP request answered by attribute update",
                             metadata: ["device": "\(update.deviceName)", "attribute": "\(key)"])
            }
        }
        for write in await sender.apply(update, rules: downlink) {
            let problem: String
            switch write.outcome {
            case .success(let reply) where reply.isSuccess: continue
            case .success(let reply): problem = "HTTP \(reply.status)"
            case .failure(let error): problem = "\(error)"
            }
            statistics.countError()
            if let suppressed = downlinkLog.shouldLog() {
                logger.warning("Attribute update not delivered: \(problem)", metadata: [
                    "device": "\(update.deviceName)", "attribute": "\(write.key)", "url": "\(write.url)",
                    "rule": "\(write.rule)", "suppressedSinceLastLog": "\(suppressed)",
                ])
            }
        }
    }

    /// - Reserved `get` / `set` (also `rest_get` / `rest_set`), as the reference checks them
    ///   first: the params text is the entry (`requestUrlExpression=...;HTTPMethod=POST;value=...;`,
    ///   `value` being the body), with the REST defaults (GET, 10 s per try); the device's answer
    ///   comes back as `{"result": ...}`.
    /// - A method named like a mapping's `responseAttribute` answers the device's oldest held
    ///   request with its `params` (a string as text, anything else as JSON).
    /// - Otherwise the first matching `serverSideRpc` entry sends it to the device URL and returns
    ///   the device's answer.
    public func handleRPC(_ request: DeviceRPCRequest) async -> JSONValue {
        if let method = HTTPReservedRPC.reservedMethod(request.method, connectorType: identity.type) {
            return await reservedRPC(method, request)
        }
        if responseAttributes.contains(request.method),
           waiters.answer(device: request.deviceName, with: request.params) {
            return ["success": true]
        }
        guard let rule = downlink.rule(forMethod: request.method, device: request.deviceName) else {
            let waiting = responseAttributes.contains(request.method)
                ? " and no request of the device is waiting for a response" : ""
            return ["error": .string("REST connector '\(identity.name)' has no serverSideRpc entry for method "
                                     + "'\(request.method)' of device '\(request.deviceName)'\(waiting)"),
                    "code": 404]
        }
        return await sender.rpc(rule, request: request)
    }

    private func reservedRPC(_ method: String, _ request: DeviceRPCRequest) async -> JSONValue {
        guard case .string(let text) = request.params else {
            return HTTPReservedRPC.paramsNotText(method, example: "requestUrlExpression=...;HTTPMethod=...;value=...;")
        }
        var params = HTTPReservedRPC.parameters(text)
        // The reference takes `value` as the body for both methods; without it there is none.
        if let value = params.removeValue(forKey: "value") { params["valueExpression"] = value }
        switch HTTPReservedRPC.rule(params, method: request.method, defaults: .rest) {
        case .success(let rule):
            return await sender.rpc(rule, request: request)
        case .failure(let refusal):
            logger.warning("RPC \(request.method) for \(request.deviceName) refused: \(refusal.message)",
                           metadata: ["id": "\(request.id)"])
            return refusal.reply
        }
    }
}
