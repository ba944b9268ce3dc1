import GatewayKit
import OPCUA

/// Shared-attribute updates and RPCs (reference §5.3). Reply bodies are the reference's:
/// `get`/`set` → `{"result": {"value": …}}`, methods → `{"result": {"result": …}}`, failures →
/// `{"result": {"error": "…"}}`.
extension OPCUAConnector {
    public func handleAttributeUpdate(_ update: AttributeUpdate) async {
        guard let device = runtime.snapshot.device(named: update.deviceName) else {
            logger.error("Attribute update for a device this connector does not have", metadata: ["device": "\(update.deviceName)"])
            return
        }
        guard let client = runtime.client else { return }
        let operations = OPCUANodeOperations(client: client, device: device, logger: logger)
        for (key, value) in update.values {
            guard let mapping = device.mapping.attributeUpdate(forKey: key) else {
                logger.debug("No attributes_updates entry for the key", metadata: ["device": "\(device.name)", "key": "\(key)"])
                continue
            }
            do {
                try await withDeadline(Self.attributeUpdateTimeout) {
                    let node = try await operations.node(for: mapping.node, label: mapping.node.description)
                    try await operations.write(value, to: node)
                }
                logger.debug("Attribute written", metadata: ["device": "\(device.name)", "key": "\(key)"])
            } catch {
                statistics.failed(1)
                logger.error("Attribute update not written: \(error)", metadata: ["device": "\(device.name)", "key": "\(key)"])
            }
        }
    }

    /// The device's `attributes_updates` keys: synced from ThingsBoard when it connects.
    public func sharedAttributeKeys(of device: String) -> [String]? {
        runtime.snapshot.device(named: device).map { $0.mapping.attributeUpdates.map(\.key) }
    }

    static let attributeUpdateTimeout = Duration.seconds(5)
    static let connectorRPCTimeout = Duration.seconds(5)

    public func handleRPC(_ request: DeviceRPCRequest) async -> JSONValue {
        guard let device = runtime.snapshot.device(named: request.deviceName) else {
            return Self.reply(error: "Device not found")
        }
        guard let client = runtime.client else { return Self.reply(error: "Not connected to the OPC-UA server") }
        let kind: OPCUARPCRequestKind
        do {
            kind = try OPCUARPCRequestKind(method: request.method, params: request.params, connectorType: identity.type)
        } catch {
            return Self.reply(error: error.description)
        }
        let operations = OPCUANodeOperations(client: client, device: device, logger: logger)
        do {
            return try await withDeadline(request.timeout) {
                try await perform(kind, operations: operations)
            }
        } catch is DeadlinePassed {
            return Self.reply(error: "Timeout rpc has been reached for \(device.name)")
        } catch let failure as OPCUADeviceRPCRefusal {
            return ["result": .string(failure.message)]
        } catch {
            return Self.reply(error: "\(error)")
        }
    }

    private func perform(_ kind: OPCUARPCRequestKind, operations: OPCUANodeOperations) async throws -> JSONValue {
        switch kind {
        case .get(let target):
            let node = try await operations.node(named: target)
            return ["result": ["value": try await operations.read(node)]]
        case .set(let target, let value):
            let node = try await operations.node(named: target)
            try await operations.write(.string(value), to: node)
            return ["result": ["value": .string(value)]]
        case .connector(let method, let arguments):
            return ["result": ["result": try await operations.call(method: method, arguments: arguments)]]
        case .device(let method, let params):
            guard let configured = operations.device.mapping.rpcMethod(named: method) else {
                return Self.reply(error: "Requested rpc method is not found in config")
            }
            let arguments = try Self.arguments(for: configured, params: params)
            let result = try await operations.call(method: method, arguments: arguments,
                                                   typeNames: configured.arguments.map(\.type))
            return ["result": ["result": result]]
        }
    }

    /// `opcua_<method>` sent to the gateway: called on every device; one entry per device,
    /// `{"result": …, "device_name": …}` or `{"error": …, "device_name": …}`.
    public func handleConnectorRPC(method: String, params: JSONValue) async -> JSONValue {
        let name = strippingType(method)
        let arguments = OPCUARPCRequestKind.connectorArguments(params)
        guard let client = runtime.client else { return ["error": "Not connected to the OPC-UA server"] }
        var results: [JSONValue] = []
        for device in runtime.snapshot.devices {
            let operations = OPCUANodeOperations(client: client, device: device, logger: logger)
            var entry: JSONObject
            do {
                let value = try await withDeadline(Self.connectorRPCTimeout) {
                    try await operations.call(method: name, arguments: arguments)
                }
                entry = ["result": value]
            } catch is DeadlinePassed {
                entry = ["error": .string("Timeout rpc has been reached for \(device.name)")]
            } catch {
                entry = ["error": .string("\(error)")]
            }
            entry["device_name"] = .string(device.name)
            results.append(.object(entry))
        }
        return .array(results)
    }

    /// The reference's argument rules (`Device.get_device_rpc_arguments`): without configured
    /// arguments the params are the arguments; with them, params of the same count replace them,
    /// otherwise the configured values are used, and a mismatch is refused.
    static func arguments(for method: OPCUARPCMethod, params: JSONValue) throws -> [JSONValue] {
        let given: [JSONValue]?
        switch params {
        case .null: given = nil
        case .array(let list): given = list.isEmpty ? nil : list
        case .object(let object) where object.isEmpty: given = nil
        default:
            if method.arguments.isEmpty { return [params] }
            throw OPCUADeviceRPCRefusal(message: "The arguments must be specified in the square quotes []")
        }
        guard !method.arguments.isEmpty else { return given ?? [] }
        let configured = method.arguments.compactMap(\.value)
        if let given, given.count == method.arguments.count { return given }
        if let given {
            throw OPCUADeviceRPCRefusal(message: "Expected \(method.arguments.count) arguments, but got \(given.count)")
        }
        guard configured.count == method.arguments.count else {
            throw OPCUADeviceRPCRefusal(message: "You must either define values for arguments in config or along with rpc request")
        }
        return configured
    }

    static func reply(error: String) -> JSONValue {
        ["result": ["error": .string(error)]]
    }
}

/// An RPC refused before calling the server; the reference replies `{"result": "<message>"}`.
struct OPCUADeviceRPCRefusal: Error {
    var message: String
}

