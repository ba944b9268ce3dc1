import GatewayKit

extension SocketConnectorConfiguration {
    /// Validates a whole connector configuration document (current or old layout). Every error
    /// names the key path as found after rewriting an old layout into the current one.
    public static func parse(_ document: JSONValue, file: String) throws(ConfigError) -> SocketConnectorConfiguration {
        guard case .object(let object) = document else {
            throw ConfigError(file: file, keyPath: "", expected: "an object", found: ConfigReader.describe(document))
        }
        let legacy = SocketLegacyConfigAdapter.isLegacy(object)
        let root = try ConfigReader(.object(SocketLegacyConfigAdapter.normalize(object)), file: file, path: "")
        guard let socket = try root.child("socket") else {
            throw root.failure("socket", expected: "an object with the server's type, address and port", found: nil)
        }
        let transport = try parseTransport(socket)
        let address = try socket.string("address", default: "127.0.0.1")
        let port = try socket.int("port", default: 50000, in: 0...65535)
        let bufferSize = try socket.int("bufferSize", default: 1024, in: 1...1_048_576)
        var devices: [SocketDeviceConfiguration] = []
        for entry in try root.objects("devices") {
            devices.append(try parseDevice(entry))
        }
        return SocketConnectorConfiguration(transport: transport, address: address, port: port, bufferSize: bufferSize,
                                            devices: devices, reportStrategy: try ReportStrategy.parse(in: root),
                                            wasLegacyLayout: legacy)
    }

    static func parseTransport(_ socket: ConfigReader) throws(ConfigError) -> Transport {
        guard let value = socket.value("type") else { return .tcp }
        // The reference upper-cases the type, so "tcp" works too.
        guard let text = value.stringValue, let transport = Transport(rawValue: text.uppercased()) else {
            throw socket.failure("type", expected: "\"TCP\" or \"UDP\"", found: value)
        }
        return transport
    }

    static func parseDevice(_ entry: ConfigReader) throws(ConfigError) -> SocketDeviceConfiguration {
        // The reference's connector reads `addressFilter` first, then `address`.
        let filterKey = entry.has("addressFilter") ? "addressFilter" : "address"
        let filter = try entry.string(filterKey, nonEmpty: true)
        guard let filter else {
            throw entry.failure("address", expected: "the device's peer address \"ip:port\" (\"*\" for any part, e.g. \"*:*\")",
                                found: nil)
        }
        if let converter = entry.value("converter"), converter != .string("BytesSocketUplinkConverter") {
            throw entry.failure("converter", expected: "\"BytesSocketUplinkConverter\" or absent (Python converters are not supported)",
                                found: converter)
        }
        let encoding = try parseEncoding(entry, "encoding") ?? .utf8
        var telemetry: [SocketDatapoint] = []
        for item in try entry.objects("telemetry") { telemetry.append(try parseDatapoint(item)) }
        var attributes: [SocketDatapoint] = []
        for item in try entry.objects("attributes") { attributes.append(try parseDatapoint(item)) }
        var requests: [SocketAttributeRequestRule] = []
        for item in try entry.objects("attributeRequests") { requests.append(try parseAttributeRequest(item)) }
        var updates: [SocketAttributeUpdateRule] = []
        for item in try entry.objects("attributeUpdates") {
            updates.append(SocketAttributeUpdateRule(attributeOnThingsBoard: try item.string("attributeOnThingsBoard", default: nil),
                                                     encoding: try parseEncoding(item, "encoding")))
        }
        var rpcs: [SocketRPCRule] = []
        for item in try entry.objects("serverSideRpc") { rpcs.append(try parseRPC(item)) }
        return SocketDeviceConfiguration(
            addressFilter: SocketAddressFilter(filter), deviceName: try entry.string("deviceName", default: nil),
            deviceType: try entry.string("deviceType", default: "default"), encoding: encoding,
            telemetry: telemetry, attributes: attributes, attributeRequests: requests, attributeUpdates: updates,
            serverSideRpc: rpcs, reportStrategy: try ReportStrategy.parse(in: entry))
    }

    static func parseEncoding(_ entry: ConfigReader, _ key: String) throws(ConfigError) -> SocketTextEncoding? {
        guard let value = entry.value(key) else { return nil }
        guard let name = value.stringValue, let encoding = SocketTextEncoding(pythonName: name) else {
            throw entry.failure(key, expected: "an encoding (\(SocketTextEncoding.acceptedNames), or a Python alias of one)",
                                found: value)
        }
        return encoding
    }

    static func parseDatapoint(_ item: ConfigReader) throws(ConfigError) -> SocketDatapoint {
        let key = try item.string("key", default: nil)
        let from = try item.int("byteFrom")
        var to = try item.int("byteTo")
        if to == -1 { to = nil }
        return SocketDatapoint(key: key, byteFrom: from, byteTo: to, reportStrategy: try ReportStrategy.parse(in: item))
    }

    static func parseAttributeRequest(_ item: ConfigReader) throws(ConfigError) -> SocketAttributeRequestRule {
        let scope = try item.choice("type", of: ["shared", "client"], default: nil)
        for sourceKey in ["requestExpressionSource", "attributeNameExpressionSource"] {
            _ = try item.choice(sourceKey, of: ["expression"], default: "expression")
        }
        let request = try item.string("requestExpression", default: nil)
        let names = try item.string("attributeNameExpression", default: nil)
        do {
            return try SocketAttributeRequestRule(scope: scope == "client" ? .client : .shared,
                                                  requestExpression: request, attributeNameExpression: names)
        } catch {
            throw item.failure(error.key, expected: "a valid expression (\(error.reason))",
                               found: item.value(error.key))
        }
    }

    static func parseRPC(_ item: ConfigReader) throws(ConfigError) -> SocketRPCRule {
        if let processing = item.value("methodProcessing"), processing.stringValue?.lowercased() != "write" {
            throw item.failure("methodProcessing", expected: "\"write\" or absent", found: processing)
        }
        return SocketRPCRule(methodRPC: try item.string("methodRPC", default: nil),
                             withResponse: try item.bool("withResponse", default: false),
                             encoding: try parseEncoding(item, "encoding"))
    }
}
