import GatewayKit

/// The reserved device RPCs `get` and `set`, whose params describe the datapoint inline:
/// `type=16int;functionCode=3;objectsCount=1;address=5;` and
/// `type=16int;functionCode=6;objectsCount=1;address=5;value=42;` (reference `RPCRequest`).
public struct ModbusReservedRPC: Sendable {
    public var item: ModbusRPCItem
    /// `set` only: the text after `value=` (without the final `;`), written with the item's type.
    public var value: JSONValue?

    public init(method: String, params: String, byteOrder: ModbusOrder, wordOrder: ModbusOrder) throws(ConfigError) {
        let isSet = method.lowercased() == "set"
        let schema = isSet
            ? "set type=<type>;functionCode=<functionCode>;objectsCount=<objectsCount>;address=<address>;value=<value>;"
            : "get type=<type>;functionCode=<functionCode>;objectsCount=<objectsCount>;address=<address>;"
        func invalid() -> ConfigError {
            ConfigError(file: "rpc", keyPath: "params", expected: schema, found: ConfigReader.describe(.string(params)))
        }
        var fields = params
        var value: JSONValue?
        if isSet {
            // Everything after "value=" is the value, so it may itself contain ";" or "=".
            guard let range = params.firstRange(of: "value="), params.hasSuffix(";") else { throw invalid() }
            let text = params[range.upperBound...].dropLast()
            guard !text.isEmpty else { throw invalid() }
            value = .string(String(text))
            fields = String(params[..<range.lowerBound])
        }
        var object = JSONObject()
        for pair in fields.split(separator: ";") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            guard parts.count == 2 else { continue }
            let key = String(parts[0]), text = String(parts[1])
            if ["functionCode", "objectsCount", "address"].contains(key) {
                guard let number = Int64(text) else { throw invalid() }
                object[key] = .int(number)
            } else {
                object[key] = .string(text)
            }
        }
        guard let code = object["functionCode"]?.intValue, object["type"] != nil, object["objectsCount"] != nil,
              object["address"] != nil, isSet ? [5, 6, 15, 16].contains(code) : (1 ... 4).contains(code) else {
            throw invalid()
        }
        item = try ModbusRPCItem(method: method, params: .object(object), byteOrder: byteOrder, wordOrder: wordOrder)
        self.value = value
    }
}
