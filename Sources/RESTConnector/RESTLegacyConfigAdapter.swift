import GatewayKit

/// Rewrites the older REST config layout into the current one, as the reference's
/// BackwardCompatibilityAdapter does: root `host`/`port`/`SSL`/`security` → `server{...}`;
/// converter `deviceNameExpression`/`deviceTypeExpression` (also `deviceNameJsonExpression`/
/// `deviceTypeJsonExpression`) → `deviceInfo{...}` (source `request` when the text holds `${`,
/// else `constant`); `extension-config` → `extensionConfig`; root `attributeRequests`/
/// `attributeUpdates`/`serverSideRpc` → `requestsMapping{...}`.
///
/// Unlike the reference, a current config without `requestsMapping` is not treated as old (the
/// reference then empties `server` and refuses to start).
enum RESTLegacyConfigAdapter {
    static func normalize(_ config: JSONObject) -> (JSONObject, rewrites: [String]) {
        var config = config
        var rewrites: [String] = []
        if config["server"] == nil {
            var server = JSONObject()
            for key in ["host", "port", "SSL", "security"] {
                if let value = config.removeValue(forKey: key) { server[key] = value }
            }
            if !server.isEmpty {
                config["server"] = .object(server)
                rewrites.append("server keys at the root → server")
            }
        }
        if case .array(var mappings)? = config["mapping"] {
            for index in mappings.indices {
                guard case .object(var mapping) = mappings[index],
                      case .object(var converter)? = mapping["converter"] else { continue }
                let (rewritten, changed) = rewriteConverter(converter)
                if changed {
                    converter = rewritten
                    mapping["converter"] = .object(converter)
                    mappings[index] = .object(mapping)
                    rewrites.append("mapping[\(index)].converter device expressions → deviceInfo")
                }
            }
            config["mapping"] = .array(mappings)
        }
        var requests: JSONObject = config["requestsMapping"]?.objectValue ?? [:]
        var movedRequests = false
        for key in ["attributeRequests", "attributeUpdates", "serverSideRpc"] {
            if let value = config.removeValue(forKey: key), requests[key] == nil {
                requests[key] = value
                movedRequests = true
            }
        }
        if movedRequests {
            config["requestsMapping"] = .object(requests)
            rewrites.append("attributeRequests/attributeUpdates/serverSideRpc at the root → requestsMapping")
        }
        return (config, rewrites)
    }

    private static func rewriteConverter(_ converter: JSONObject) -> (JSONObject, Bool) {
        var converter = converter
        var changed = false
        if let value = converter.removeValue(forKey: "extension-config") {
            if converter["extensionConfig"] == nil { converter["extensionConfig"] = value }
            changed = true
        }
        guard converter["deviceInfo"] == nil else { return (converter, changed) }
        var name = converter.removeValue(forKey: "deviceNameExpression")
        if name == nil { name = converter.removeValue(forKey: "deviceNameJsonExpression") }
        var profile = converter.removeValue(forKey: "deviceTypeExpression")
        if profile == nil { profile = converter.removeValue(forKey: "deviceTypeJsonExpression") }
        guard name != nil || profile != nil else { return (converter, changed) }
        var deviceInfo = JSONObject()
        if let name {
            deviceInfo["deviceNameExpressionSource"] = .string(source(of: name))
            deviceInfo["deviceNameExpression"] = name
        }
        let profileValue = profile ?? .string("default")
        deviceInfo["deviceProfileExpressionSource"] = .string(source(of: profileValue))
        deviceInfo["deviceProfileExpression"] = profileValue
        converter["deviceInfo"] = .object(deviceInfo)
        return (converter, true)
    }

    private static func source(of expression: JSONValue) -> String {
        (expression.stringValue ?? "").contains("${") ? "request" : "constant"
    }
}
