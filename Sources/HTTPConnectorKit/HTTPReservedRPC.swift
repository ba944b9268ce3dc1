import GatewayKit

/// The reserved `get` / `set` RPCs of the Request and REST connectors (reference §1.7): no
/// `serverSideRpc` entry is needed, the RPC's params text describes the request itself with the
/// keys of an entry, `requestUrlExpression=sensor/${deviceName}/t;HTTPMethod=POST;value=${params};`.
/// Also the connector-prefixed spellings (`request_get`, `rest_set`).
public enum HTTPReservedRPC {
    /// "get" or "set" when `method` is one of them, bare or prefixed with the connector's type.
    public static func reservedMethod(_ method: String, connectorType: String) -> String? {
        var name = Substring(method)
        if name.hasPrefix(connectorType + "_") { name = name.dropFirst(connectorType.count + 1) }
        return name == "get" || name == "set" ? String(name) : nil
    }

    /// The params text as an entry's keys (`ReservedRPCParams`, keys trimmed as the Request
    /// connector of the reference trims them).
    public static func parameters(_ text: String) -> JSONObject {
        JSONObject(uniqueKeysWithValues: ReservedRPCParams.parse(text, trimmingKeys: true).map { ($0.key, .string($0.value)) })
    }

    /// The entry an RPC's params describe (any device, any method), with `defaults` for what it
    /// leaves out; the reply data for ThingsBoard (code 400) when it describes no usable request.
    public static func rule(_ entry: JSONObject, method: String,
                            defaults: HTTPDownlinkDefaults) -> Result<HTTPDownlinkRule, Refusal> {
        guard entry["requestUrlExpression"] != nil else {
            return .failure(Refusal(message: "params name no requestUrlExpression"))
        }
        var entry = entry
        entry["methodFilter"] = ".*"
        entry["deviceNameFilter"] = ".*"
        do {
            let reader = try ConfigReader(.object(entry), file: "RPC \(method) params", path: "")
            return .success(try HTTPDownlinkRule(reader, kind: .rpc, defaults: defaults))
        } catch {
            return .failure(Refusal(message: "invalid RPC params: \(error)"))
        }
    }

    /// The reply for a reserved RPC whose params are not text.
    public static func paramsNotText(_ method: String, example: String) -> JSONValue {
        errorReply("reserved RPC \"\(method)\" needs params as text: \(example)", code: 400)
    }

    /// `{"error": message, "code": code}`: the reply data of an RPC the connector cannot carry out.
    public static func errorReply(_ message: String, code: Int64) -> JSONValue {
        ["error": .string(message), "code": .int(code)]
    }

    /// Params that describe no usable request.
    public struct Refusal: Error, Sendable {
        public let message: String
        /// What ThingsBoard gets: `{"error": message, "code": 400}`.
        public var reply: JSONValue { errorReply(message, code: 400) }
    }
}
