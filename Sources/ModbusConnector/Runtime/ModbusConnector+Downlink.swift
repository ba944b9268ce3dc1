import GatewayKit
import Modbus

/// Shared-attribute updates and RPCs (reference §5.2): written to, or read from, the device with
/// the device's byte and word order. Reply bodies are the reference's: `{"result": {"value": …}}`
/// on success, `{"result": {"error": "…"}}` otherwise.
extension ModbusConnector {
    public func handleAttributeUpdate(_ update: AttributeUpdate) async {
        guard let device = devices.device(named: update.deviceName) else {
            logger.error("Attribute update for a device this connector does not have",
                         metadata: ["device": "\(update.deviceName)"])
            return
        }
        var matched = false
        for (key, value) in update.values {
            guard let item = device.configuration.attributeUpdate(forKey: key) else { continue }
            matched = true
            let payload: ModbusWritePayload
            do {
                payload = try item.encode(value)
            } catch {
                // A value the item's type cannot hold: the reference's downlink converter says so.
                converterLogger.error("Attribute update not written: \(error)", metadata: [
                    "device": "\(update.deviceName)", "key": "\(key)"])
                continue
            }
            do {
                try await device.write(payload, address: item.address, timeout: Self.attributeUpdateTimeout)
                logger.debug("Attribute written", metadata: ["device": "\(update.deviceName)", "key": "\(key)"])
            } catch {
                logger.error("Attribute update not written: \(error)", metadata: [
                    "device": "\(update.deviceName)", "key": "\(key)"])
            }
        }
        if !matched {
            logger.debug("No attributeUpdates entry matches the update", metadata: [
                "device": "\(update.deviceName)", "keys": "\(Array(update.values.keys))"])
        }
    }

    /// The device's `attributeUpdates` keys: synced from ThingsBoard when it connects.
    public func sharedAttributeKeys(of device: String) -> [String]? {
        devices.device(named: device).map { $0.configuration.attributeUpdates.map(\.key) }
    }

    /// The reference gives an attribute write 5 seconds.
    static let attributeUpdateTimeout = Duration.seconds(5)

    public func handleRPC(_ request: DeviceRPCRequest) async -> JSONValue {
        guard let device = devices.device(named: request.deviceName) else {
            return Self.reply(error: "Device not found")
        }
        let operation: ModbusRPCOperation
        do {
            operation = try ModbusRPCOperation(method: request.method, params: request.params,
                                               device: device.configuration, connectorType: identity.type)
        } catch {
            return Self.reply(error: "\(error)")
        }
        do {
            let value = try await withDeadline(request.timeout) {
                try await operation.perform(on: device, timeout: request.timeout)
            }
            return ["result": ["value": value]]
        } catch is DeadlinePassed {
            return Self.reply(error: "Timeout rpc has been reached for \(request.deviceName)")
        } catch {
            return Self.reply(error: "\(error)")
        }
    }

    /// `modbus_<method>` sent to the gateway device: run on every device; one result per device
    /// `{"result": …, "device_name": …}` or `{"error": …, "device_name": …}`.
    public func handleConnectorRPC(method: String, params: JSONValue) async -> JSONValue {
        var results: [JSONValue] = []
        for device in devices.all {
            var entry: JSONObject
            do {
                let operation = try ModbusRPCOperation(method: method, params: params, device: device.configuration,
                                                       connectorType: identity.type)
                let value = try await withDeadline(Self.connectorRPCTimeout) {
                    try await operation.perform(on: device, timeout: Self.connectorRPCTimeout)
                }
                entry = ["result": value]
            } catch is DeadlinePassed {
                entry = ["error": .string("Timeout rpc has been reached for \(device.configuration.deviceName)")]
            } catch {
                entry = ["error": .string("\(error)")]
            }
            entry["device_name"] = .string(device.configuration.deviceName)
            results.append(.object(entry))
        }
        return .array(results)
    }

    static let connectorRPCTimeout = Duration.seconds(5)

    static func reply(error: String) -> JSONValue {
        ["result": ["error": .string(error)]]
    }
}

