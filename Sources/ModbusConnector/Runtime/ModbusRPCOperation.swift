import GatewayKit
import Modbus

/// What one RPC asks of a Modbus device, resolved before any I/O (reference `RPCRequest`):
/// - reserved `get` / `set` with `"type=16int;functionCode=3;objectsCount=1;address=0;"` (and
///   `value=…;` for `set`) as params;
/// - a connector RPC `modbus_<anything>` whose params object describes the item (and `value`);
/// - a method of the device's `rpc` section, its params the value to write.
/// Reads answer the decoded value; writes answer the request's params, as the reference does.
struct ModbusRPCOperation: Sendable {
    let item: ModbusRPCItem
    /// What a write sends, encoded; nil for reads.
    let payload: ModbusWritePayload?
    let echo: JSONValue

    init(method: String, params: JSONValue, device: ModbusDeviceConfiguration, connectorType: String) throws {
        let lowered = method.lowercased()
        let value: JSONValue?
        if lowered == "get" || lowered == "set" {
            guard case .string(let text) = params else {
                throw ModbusRPCError.badParams("\(method) expects params like \"type=16int;functionCode=3;objectsCount=1;address=0;\"")
            }
            let reserved = try ModbusReservedRPC(method: lowered, params: text, byteOrder: device.byteOrder,
                                                 wordOrder: device.wordOrder)
            item = reserved.item
            value = reserved.value
            echo = reserved.value ?? params
        } else if lowered.hasPrefix(connectorType + "_") {
            item = try ModbusRPCItem(method: method, params: params, byteOrder: device.byteOrder,
                                     wordOrder: device.wordOrder)
            value = params["value"]
            echo = params
        } else if let configured = device.rpcItem(forMethod: method) {
            item = configured
            value = params
            echo = params
        } else {
            throw ModbusRPCError.methodNotFound(method)
        }
        if item.isRead {
            payload = nil
        } else {
            guard let value, !value.isNull else {
                throw ModbusRPCError.badParams("a write (function code \(item.functionCode)) needs a value")
            }
            payload = try item.encode(value)
        }
    }

    func perform(on device: ModbusDevice, timeout: Duration) async throws -> JSONValue {
        if let payload {
            try await device.write(payload, address: item.address, timeout: timeout)
            return echo
        }
        return try await device.read(functionCode: item.functionCode, address: item.address,
                                     format: item.format, timeout: timeout)
    }
}

enum ModbusRPCError: Error, CustomStringConvertible {
    case methodNotFound(String)
    case badParams(String)

    var description: String {
        switch self {
        case .methodNotFound(let method): "Method not found for \(method)"
        case .badParams(let reason): reason
        }
    }
}
