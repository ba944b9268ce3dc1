import Expressions
import GatewayKit

/// ThingsBoard's shared-attribute updates and RPCs for this connector's devices, written to
/// the devices' sockets.
extension SocketConnector: DownlinkConnector {
    /// Every `attributeUpdates` entry of the device whose `attributeOnThingsBoard` was updated:
    /// the value as Python's `str()` writes it (`21.5`, `True`, `{'a': 1}`, text as is), encoded
    /// with the entry's `encoding` (else the device's), written to the device.
    public func handleAttributeUpdate(_ update: AttributeUpdate) async {
        for device in configuration.devices where device.deviceName == update.deviceName {
            for rule in device.attributeUpdates {
                guard let value = update.values[rule.attributeOnThingsBoard] else { continue }
                let encoding = rule.encoding ?? device.encoding
                guard let bytes = encoding.encode(PythonText.str(value)) else {
                    statistics.countWrite(succeeded: false)
                    logger.error("Attribute update \(rule.attributeOnThingsBoard) of \(device.deviceName) not written: its value cannot be encoded as \(encoding.rawValue)")
                    continue
                }
                guard let peer = target(of: device) else {
                    statistics.countWrite(succeeded: false)
                    logger.warning("Attribute update \(rule.attributeOnThingsBoard) of \(device.deviceName) not written: the device has not sent anything yet, so its address is unknown")
                    continue
                }
                do {
                    try await write(bytes, to: peer)
                    logger.debug("Attribute update written", metadata: ["device": "\(device.deviceName)", "peer": "\(peer)",
                                                                        "key": "\(rule.attributeOnThingsBoard)"])
                } catch {
                    logger.warning("Attribute update \(rule.attributeOnThingsBoard) of \(device.deviceName) not written to \(peer): \(error)")
                }
            }
        }
    }

    public func sharedAttributeKeys(of device: String) -> [String]? {
        let keys = configuration.devices.filter { $0.deviceName == device }.flatMap { $0.attributeUpdates.map(\.attributeOnThingsBoard) }
        return keys.isEmpty ? nil : keys
    }

    /// `set` (also `socket_set`): writes `value` to `address:port` from the params text
    /// `"address=10.0.0.5;port=5000;value=on"`; `{"result": "ok"}`.
    /// A configured `methodRPC`: the params (Python `str()`) encoded with the entry's `encoding`
    /// (else the device's) are written to the device. One-way: `{"success": true}`. With
    /// `withResponse`: the device's next message, decoded, as `{"result": "<text>"}`, or
    /// `{"error": ..., "code": 408}` when none comes before ThingsBoard gives up.
    /// Failures: `{"error": ..., "success": false}`; unknown device/method: `{"error": ..., "code": 404}`.
    public func handleRPC(_ request: DeviceRPCRequest) async -> JSONValue {
        statistics.countRPC()
        var method = request.method
        let parts = method.split(separator: "_", omittingEmptySubsequences: false)
        if parts.count == 2, parts[0] == identity.type { method = String(parts[1]) }
        if method == "set" { return await set(request.params) }
        guard let device = configuration.devices.first(where: { $0.deviceName == request.deviceName }) else {
            return ["error": .string("device \(request.deviceName) is not configured in \(identity)"), "code": 404]
        }
        guard let rule = device.serverSideRpc.first(where: { $0.methodRPC == method }) else {
            logger.error("RPC not handled: no serverSideRpc entry for method \(method)", metadata: ["device": "\(device.deviceName)"])
            return ["error": .string("method \(method) is not configured for \(device.deviceName)"), "code": 404]
        }
        let encoding = rule.encoding ?? device.encoding
        guard let bytes = encoding.encode(PythonText.str(request.params)) else {
            return ["error": .string("params cannot be encoded as \(encoding.rawValue)"), "success": false]
        }
        guard let peer = target(of: device) else {
            return ["error": .string("device \(device.deviceName) has not sent anything yet, so its address is unknown"), "success": false]
        }
        // Answer before ThingsBoard gives up on the request.
        let wait = request.timeout * 0.9
        let waiter = rule.withResponse ? replies.register(device: device.deviceName) : nil
        do {
            try await write(bytes, to: peer)
        } catch {
            if let waiter { _ = await replies.wait(waiter, timeout: .zero) }
            return ["error": .string("writing to \(peer) failed: \(error)"), "success": false]
        }
        logger.info("RPC written to device", metadata: ["device": "\(device.deviceName)", "method": "\(method)", "peer": "\(peer)"])
        guard let waiter else { return ["success": true] }
        guard let answer = await replies.wait(waiter, timeout: wait) else {
            statistics.countRPCTimeout()
            logger.warning("No answer from \(device.deviceName) to RPC \(method) within \(wait)")
            return ["error": .string("no answer from the device within \(wait)"), "code": 408]
        }
        return ["result": .string(SocketUplinkConverter.decode(answer[...], encoding: encoding))]
    }

    /// `socket_set` sent to the gateway itself: the same as `set` on a device.
    public func handleConnectorRPC(method: String, params: JSONValue) async -> JSONValue {
        guard strippingType(method) == "set" else {
            return ["error": .string("\(identity) has no connector RPC \"\(method)\" (only \"set\")"), "code": 404]
        }
        return await set(params)
    }

    /// The reference's reserved `set`: `address=...;port=...;value=...` (any order).
    private func set(_ params: JSONValue) async -> JSONValue {
        let fields = ReservedRPCParams.parse(PythonText.str(params), trimmingKeys: true)
        guard let address = fields["address"], let portText = fields["port"], let value = fields["value"] else {
            return ["result": "Not enough params"]
        }
        guard let port = Int(portText.trimmingWhitespace()), let peer = try? SocketPeer(host: address.trimmingWhitespace(), port: port) else {
            return ["result": "Param \"port\" have to be int type"]
        }
        do {
            try await write(Array(value.utf8), to: peer)
            return ["result": "ok"]
        } catch {
            return ["result": .string("\(error)")]
        }
    }
}
