import Expressions
import GatewayKit
import HTTPConnectorKit

/// The downlink: ThingsBoard's shared-attribute updates and RPCs for this connector's devices
/// become HTTP requests to the devices (reference §5.4, `attributeUpdates` / `serverSideRpc`).
extension RequestConnector: DownlinkConnector {
    /// Each updated key goes out through every `attributeUpdates` entry whose `deviceNameFilter`
    /// and `attributeFilter` match it in full (the reference sends the first key of an update only).
    public func handleAttributeUpdate(_ update: AttributeUpdate) async {
        let writes = await sender.apply(update, rules: configuration.downlink)
        if writes.isEmpty {
            if let suppressed = unmatchedUpdateLog.shouldLog() {
                let keys = update.values.keys.joined(separator: ", ")
                logger.warning("Attribute update for \(update.deviceName) written nothing: no attributeUpdates entry matches the device and keys \(keys)",
                               metadata: ["suppressedSinceLastLog": "\(suppressed)"])
            }
            return
        }
        for write in writes {
            switch write.outcome {
            case .success(let reply) where reply.isSuccess:
                statistics.countAttributeWrite(failed: false)
                logger.debug("Attribute update written", metadata: [
                    "device": "\(update.deviceName)", "key": "\(write.key)", "url": "\(write.url)", "status": "\(reply.status)"])
            case .success(let reply):
                statistics.countAttributeWrite(failed: true)
                logFailedWrite(update, write, "HTTP \(reply.status)")
            case .failure(let error):
                statistics.countAttributeWrite(failed: true)
                logFailedWrite(update, write, error.description)
            }
        }
    }

    private func logFailedWrite(_ update: AttributeUpdate, _ write: HTTPDownlinkSender.AttributeWrite, _ reason: String) {
        if let suppressed = failedWriteLog.shouldLog() {
            logger.warning("Attribute update \(write.key) for \(update.deviceName) not written to \(write.url): \(reason)",
                           metadata: ["rule": "\(write.rule)", "suppressedSinceLastLog": "\(suppressed)"])
        }
    }

    /// - A configured method (first `serverSideRpc` entry whose `deviceNameFilter` and
    ///   `methodFilter` match in full): see `HTTPDownlinkSender.rpc` for the reply data
    ///   (`{"result": ...}`, `{"result": "RPC timeout", "success": false}`, `{"error": ...}`).
    /// - Reserved `get` / `set` (also `request_get` / `request_set`): params text
    ///   `requestUrlExpression=sensor/${deviceName}/t;httpMethod=POST;value=${params.v};responseTimeout=2;`
    ///   configures the request itself.
    /// - Nothing matches: `{"error": "...", "code": 404}`.
    public func handleRPC(_ request: DeviceRPCRequest) async -> JSONValue {
        let reply: JSONValue
        if let method = HTTPReservedRPC.reservedMethod(request.method, connectorType: identity.type) {
            guard case .string(let text) = request.params else {
                return rpcDone(HTTPReservedRPC.paramsNotText(method, example: "requestUrlExpression=...;httpMethod=...;value=...;"),
                               request)
            }
            var params = HTTPReservedRPC.parameters(text)
            if method == "set", let value = params.removeValue(forKey: "value") { params["requestValueExpression"] = value }
            reply = await inlineRPC(params, request: request)
        } else if let rule = configuration.downlink.rule(forMethod: strippingType(request.method), device: request.deviceName) {
            reply = await sender.rpc(rule, request: request)
        } else {
            reply = HTTPReservedRPC.errorReply("no serverSideRpc entry matches device \"\(request.deviceName)\" "
                                               + "and method \"\(strippingType(request.method))\"", code: 404)
        }
        return rpcDone(reply, request)
    }

    /// `request_reboot` → `reboot`: entries are matched without the connector's prefix.
    /// `request_<anything>` sent to the gateway itself: params hold the request
    /// (`{"requestUrlExpression": "http://10.0.0.5/api", "httpMethod": "POST", ...}`); the reply
    /// is the list with its one result.
    public func handleConnectorRPC(method: String, params: JSONValue) async -> JSONValue {
        guard case .object(let object) = params else {
            return [HTTPReservedRPC.errorReply("params must be an object with requestUrlExpression", code: 400)]
        }
        let request = DeviceRPCRequest(deviceName: "", id: 0, method: method, params: params)
        return [rpcDone(await inlineRPC(object, request: request), request)]
    }

    /// An RPC whose params describe the request (reserved and connector RPCs). Defaults follow
    /// the reference: GET, body `${params}`, 0.5 s per try, 3 tries, 1 s response timeout,
    /// `Content-Type: application/json`.
    private func inlineRPC(_ params: JSONObject, request: DeviceRPCRequest) async -> JSONValue {
        var entry = params
        if entry["requestValueExpression"] == nil, entry["valueExpression"] == nil { entry["requestValueExpression"] = "${params}" }
        if entry["timeout"] == nil { entry["timeout"] = 0.5 }
        if entry["tries"] == nil { entry["tries"] = 3 }
        if entry["responseTimeout"] == nil { entry["responseTimeout"] = 1 }
        if entry["httpHeaders"] == nil { entry["httpHeaders"] = ["Content-Type": "application/json"] }
        var defaults = HTTPDownlinkDefaults.request
        defaults.verifyCertificates = configuration.root.verifyCertificates
        defaults.security = configuration.root.security
        switch HTTPReservedRPC.rule(entry, method: request.method, defaults: defaults) {
        case .success(let rule): return await sender.rpc(rule, request: request)
        case .failure(let refusal): return refusal.reply
        }
    }

    private func rpcDone(_ reply: JSONValue, _ request: DeviceRPCRequest) -> JSONValue {
        let failed = reply["error"] != nil || reply["success"] == .bool(false)
        statistics.countRPC(failed: failed)
        if failed {
            let reason = reply["error"].map(PythonText.str) ?? reply["result"].map(PythonText.str) ?? ""
            logger.warning("RPC \(request.method) for \(request.deviceName) failed: \(reason)", metadata: ["id": "\(request.id)"])
        }
        return reply
    }
}
