import GatewayKit

/// Rewrites a pre-3.x OPC-UA connector file (mapping under `server.mapping`, with
/// `deviceNamePattern`, `deviceTypePattern`, `path` keys, `attributeOnThingsBoard` /
/// `attributeOnDevice` updates, bare RPC argument values and `disableSubscriptions`) into the
/// current layout, as the reference's `BackwardCompatibilityAdapter` does, so one parser reads both.
public enum OPCUALegacyConfigAdapter {
    /// True when the reference would treat the file as old-style: `server.mapping` holds an
    /// entry without `deviceInfo`.
    public static func isLegacy(_ root: JSONObject) -> Bool {
        guard let mapping = root["server"]?["mapping"]?.arrayValue else { return false }
        return mapping.contains { $0["deviceInfo"] == nil }
    }

    /// The file in the current layout; unchanged when it is not old-style.
    public static func convert(_ root: JSONObject) -> JSONObject {
        guard isLegacy(root), var server = root["server"]?.objectValue else { return root }
        var converted = root
        if let disable = server.removeValue(forKey: "disableSubscriptions"), let flag = disable.boolValue {
            server["enableSubscriptions"] = .bool(!flag)
        }
        let mapping = server.removeValue(forKey: "mapping")?.arrayValue ?? []
        converted["server"] = .object(server)
        converted["mapping"] = .array(mapping.map { entry -> JSONValue in
            guard let object = entry.objectValue else { return entry }
            return .object(convertEntry(object))
        })
        return converted
    }

    private static func convertEntry(_ entry: JSONObject) -> JSONObject {
        var entry = entry
        let pattern = entry["deviceNodePattern"]?.stringValue ?? ""
        entry["deviceNodeSource"] = .string(valueSource(pattern, possiblyConstant: false))
        let profile = entry.removeValue(forKey: "deviceTypePattern")?.stringValue ?? "default"
        let name = entry.removeValue(forKey: "deviceNamePattern")
        var info: JSONObject = [:]
        info["deviceNameExpressionSource"] = .string(valueSource(name?.stringValue ?? "", possiblyConstant: true))
        info["deviceNameExpression"] = name ?? .null
        info["deviceProfileExpressionSource"] = .string(valueSource(profile, possiblyConstant: true))
        info["deviceProfileExpression"] = .string(profile)
        entry["deviceInfo"] = .object(info)

        for section in ["attributes", "timeseries"] {
            guard let items = entry[section]?.arrayValue else { continue }
            entry[section] = .array(items.compactMap { item -> JSONValue? in
                guard var object = item.objectValue, let path = object.removeValue(forKey: "path")?.stringValue else {
                    return nil
                }
                object["type"] = .string(valueSource(path, possiblyConstant: true))
                object["value"] = .string(path)
                return .object(object)
            })
        }
        if let updates = entry["attributes_updates"]?.arrayValue {
            entry["attributes_updates"] = .array(updates.map { update -> JSONValue in
                guard var object = update.objectValue else { return update }
                let key = object.removeValue(forKey: "attributeOnThingsBoard") ?? .null
                let device = object.removeValue(forKey: "attributeOnDevice") ?? .null
                object["key"] = key
                object["type"] = .string(valueSource(device.stringValue ?? "", possiblyConstant: true))
                object["value"] = device
                return .object(object)
            })
        }
        if let methods = entry["rpc_methods"]?.arrayValue {
            entry["rpc_methods"] = .array(methods.map { method -> JSONValue in
                guard var object = method.objectValue else { return method }
                let arguments = object.removeValue(forKey: "arguments")?.arrayValue ?? []
                object["arguments"] = .array(arguments.map { argument -> JSONValue in
                    .object(["type": .string(argumentType(argument)), "value": argument])
                })
                return .object(object)
            })
        }
        return entry
    }

    /// The reference's `get_value_source`: identifier when a NodeId appears, path when a `${…}`
    /// path appears (or a constant is impossible), constant otherwise.
    static func valueSource(_ value: String, possiblyConstant: Bool) -> String {
        if containsNodeId(value) { return "identifier" }
        if value.contains("${") || !possiblyConstant { return "path" }
        return "constant"
    }

    private static func containsNodeId(_ text: String) -> Bool {
        var rest = Substring(text)
        while let range = rest.range(of: "ns=") {
            let after = rest[range.upperBound...]
            let digits = after.prefix(while: \.isNumber)
            let tail = after.dropFirst(digits.count)
            if !digits.isEmpty, tail.hasPrefix(";"), let kind = tail.dropFirst().first, "isgb".contains(kind),
               tail.dropFirst(2).first == "=" {
                return true
            }
            rest = after
        }
        return false
    }

    /// Python type names mapped as the reference maps them (`int` → integer, `float` → double...).
    private static func argumentType(_ value: JSONValue) -> String {
        switch value {
        case .int, .uint: return "integer"
        case .double: return "double"
        case .bool: return "boolean"
        default: return "string"
        }
    }
}
