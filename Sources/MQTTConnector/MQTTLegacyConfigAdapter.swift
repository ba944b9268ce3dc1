import GatewayKit

/// Rewrites the older MQTT connector layout into the current one before it is parsed, as the
/// reference's BackwardCompatibilityAdapter does:
/// - `converter.deviceNameJsonExpression` / `deviceTypeJsonExpression` → `deviceInfo` with source `message`,
///   `deviceNameTopicExpression` / `deviceTypeTopicExpression` → source `topic`;
/// - `converter.deviceNameExpression` + `deviceTypeExpression` (old bytes converters) → `deviceInfo`
///   without a source;
/// - `extension-config` → `extensionConfig`;
/// - request sections at the top level (`connectRequests`, ..., `serverSideRpc`) → `requestsMapping`,
///   with the same device keys and `attributeNameJsonExpression` / `attributeNameTopicExpression`.
///
/// Unlike the reference, which decides "old or new" from the first mapping only, every entry is
/// rewritten on its own, so a half-migrated file also works.
enum MQTTLegacyConfigAdapter {
    static let requestSections = ["connectRequests", "disconnectRequests", "attributeRequests",
                                  "attributeUpdates", "serverSideRpc"]

    /// The rewritten document and the key paths that were rewritten.
    static func normalize(_ root: JSONObject) -> (JSONObject, rewrites: [String]) {
        var root = root
        var rewrites: [String] = []

        // `dataMapping` is the oldest name of `mapping`.
        let mappingKey = (root["mapping"]?.arrayValue?.isEmpty == false || root["dataMapping"] == nil)
            ? "mapping" : "dataMapping"
        if mappingKey == "dataMapping", let old = root.removeValue(forKey: "dataMapping") {
            root["mapping"] = old
            rewrites.append("dataMapping")
        }
        if case .array(var entries)? = root["mapping"] {
            for index in entries.indices {
                guard case .object(var entry) = entries[index], case .object(var converter)? = entry["converter"] else {
                    continue
                }
                let path = "mapping[\(index)].converter"
                rewriteDeviceKeys(&converter, path: path, rewrites: &rewrites, bytesStyle: true)
                if let extensionConfig = converter.removeValue(forKey: "extension-config") {
                    converter["extensionConfig"] = extensionConfig  // the old key wins, as in the reference
                    rewrites.append("\(path).extension-config")
                }
                entry["converter"] = .object(converter)
                entries[index] = .object(entry)
            }
            root["mapping"] = .array(entries)
        }

        var requests = root["requestsMapping"]?.objectValue ?? [:]
        for section in requestSections {
            var source = requests[section]
            if let topLevel = root.removeValue(forKey: section) {
                // The reference reads the top-level section first.
                source = topLevel
                rewrites.append(section)
            }
            guard case .array(var entries)? = source else {
                if let source { requests[section] = source }
                continue
            }
            for index in entries.indices {
                guard case .object(var entry) = entries[index] else { continue }
                let path = "requestsMapping.\(section)[\(index)]"
                rewriteDeviceKeys(&entry, path: path, rewrites: &rewrites, bytesStyle: false)
                if section == "attributeRequests" { rewriteAttributeNameKeys(&entry, path: path, rewrites: &rewrites) }
                entries[index] = .object(entry)
            }
            requests[section] = .array(entries)
        }
        if !requests.isEmpty || root["requestsMapping"] != nil { root["requestsMapping"] = .object(requests) }
        return (root, rewrites)
    }

    private static func rewriteDeviceKeys(_ object: inout JSONObject, path: String, rewrites: inout [String],
                                          bytesStyle: Bool) {
        // An entry that already has `deviceInfo` is in the current layout: an old key left beside
        // it is ignored, as the reference (which adapts only configs without `deviceInfo`) does.
        guard object["deviceInfo"] == nil else { return }
        var deviceInfo: JSONObject = [:]
        var changed = false
        if bytesStyle, let name = object.removeValue(forKey: "deviceNameExpression") {
            deviceInfo["deviceNameExpression"] = name
            if let profile = object.removeValue(forKey: "deviceTypeExpression") {
                deviceInfo["deviceProfileExpression"] = profile
            }
            rewrites.append("\(path).deviceNameExpression")
            changed = true
        }
        let moves: [(old: String, source: String, target: String)] = [
            ("deviceNameJsonExpression", "message", "deviceName"),
            ("deviceTypeJsonExpression", "message", "deviceProfile"),
            ("deviceNameTopicExpression", "topic", "deviceName"),
            ("deviceTypeTopicExpression", "topic", "deviceProfile"),
        ]
        for move in moves {
            // An empty old key counts as absent (the reference drops it): the profile stays "default".
            guard let value = object.removeValue(forKey: move.old), !Self.isEmpty(value) else { continue }
            deviceInfo["\(move.target)ExpressionSource"] = .string(move.source)
            deviceInfo["\(move.target)Expression"] = value
            rewrites.append("\(path).\(move.old)")
            changed = true
        }
        if changed { object["deviceInfo"] = .object(deviceInfo) }
    }

    /// With both keys, the JSON one wins, as in the reference.
    private static func rewriteAttributeNameKeys(_ object: inout JSONObject, path: String, rewrites: inout [String]) {
        for (old, source) in [("attributeNameTopicExpression", "topic"), ("attributeNameJsonExpression", "message")] {
            guard let value = object.removeValue(forKey: old), !Self.isEmpty(value) else { continue }
            object["attributeNameExpressionSource"] = .string(source)
            object["attributeNameExpression"] = value
            rewrites.append("\(path).\(old)")
        }
    }

    private static func isEmpty(_ value: JSONValue) -> Bool {
        switch value {
        case .null: true
        case .string(let text): text.isEmpty
        default: false
        }
    }
}
