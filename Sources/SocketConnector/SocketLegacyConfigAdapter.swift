import GatewayKit

/// Rewrites the old socket connector layout into the current one before it is parsed, as the
/// reference's BackwardCompatibilityAdapter does. Old: `type`, `address`, `port`, `bufferSize` at
/// the top level and `addressFilter` in devices. Current: those four under `socket`, devices'
/// `address`, and `requestExpressionSource`/`attributeNameExpressionSource: "expression"` on
/// attribute requests. A file is old when it has no `socket` object.
enum SocketLegacyConfigAdapter {
    static func isLegacy(_ root: JSONObject) -> Bool { root["socket"] == nil || root["socket"] == .null }

    static func normalize(_ root: JSONObject) -> JSONObject {
        guard isLegacy(root) else { return root }
        var root = root
        var socket: JSONObject = [:]
        socket["type"] = root.removeValue(forKey: "type") ?? "TCP"
        socket["address"] = root.removeValue(forKey: "address") ?? "127.0.0.1"
        socket["port"] = root.removeValue(forKey: "port") ?? 50000
        socket["bufferSize"] = root.removeValue(forKey: "bufferSize") ?? 1024
        root["socket"] = .object(socket)
        guard case .array(var devices)? = root["devices"] else { return root }
        for index in devices.indices {
            guard case .object(var device) = devices[index] else { continue }
            if let filter = device.removeValue(forKey: "addressFilter"), !filter.isNull,
               filter != .string("") {
                device["address"] = filter
            }
            if case .array(var requests)? = device["attributeRequests"] {
                for requestIndex in requests.indices {
                    guard case .object(var request) = requests[requestIndex] else { continue }
                    request["requestExpressionSource"] = "expression"
                    request["attributeNameExpressionSource"] = "expression"
                    requests[requestIndex] = .object(request)
                }
                device["attributeRequests"] = .array(requests)
            }
            devices[index] = .object(device)
        }
        root["devices"] = .array(devices)
        return root
    }
}
