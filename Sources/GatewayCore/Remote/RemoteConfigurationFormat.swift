import GatewayKit

/// How the configuration looks in the gateway device's attributes, as the reference publishes it
/// (`send_current_configuration`, `send_connector_current_configuration`) and as ThingsBoard's
/// gateway pages send it back; and the way back to the files.
enum RemoteConfigurationFormat {
    /// Connector keys ThingsBoard's pages edit beside `configurationJson`; the file keeps them inside.
    static let connectorTopLevelKeys = ["logLevel", "enableRemoteLogging", "reportStrategy", "configVersion"]

    /// A connector's attribute: name, type, file, id, its document without the keys above, and
    /// those keys at the top (`logLevel` "INFO" and `enableRemoteLogging` false when absent).
    static func connectorAttribute(_ entry: ConnectorEntry, document: JSONValue?, ts: Int64) -> JSONValue {
        var attribute: JSONObject = ["name": .string(entry.name), "type": .string(entry.type),
                                     "configuration": .string(entry.file), "id": .string(entry.id)]
        guard case .object(var body)? = document else {
            attribute["configurationJson"] = document ?? .null
            attribute["ts"] = .int(ts)
            return .object(attribute)
        }
        attribute["logLevel"] = body.removeValue(forKey: "logLevel") ?? "INFO"
        attribute["enableRemoteLogging"] = body.removeValue(forKey: "enableRemoteLogging") ?? false
        for key in ["reportStrategy", "configVersion"] {
            if let value = body.removeValue(forKey: key) { attribute[key] = value }
        }
        attribute["configurationJson"] = .object(body)
        attribute["ts"] = .int(ts)
        return .object(attribute)
    }

    /// The connector file written for an attribute: its `configurationJson` with the top-level
    /// keys put back, and `name` and `id`, as the reference writes it.
    static func connectorDocument(from attribute: JSONObject, body: JSONObject, name: String, id: String) -> JSONObject {
        var document = body
        for key in connectorTopLevelKeys {
            if let value = attribute[key], value != .null { document[key] = value }
        }
        document["name"] = .string(name)
        document["id"] = .string(id)
        return document
    }

    /// `general_configuration`: the thingsboard section without credentials, its `statistics`
    /// completed with the reference's defaults and the custom commands read from their file.
    static func generalConfiguration(_ section: JSONValue, commands: JSONValue?) -> JSONValue {
        guard case .object(var object) = section else { return section }
        object["security"] = nil
        object["provisioning"] = nil
        let statistics = object["statistics"]
        let enable = statistics?["enable"]?.boolValue ?? true
        let enableCustom = statistics?["enableCustom"]?.boolValue ?? false
        object["statistics"] = [
            "enable": .bool(enable),
            "enableCustom": .bool(enableCustom),
            "statsSendPeriodInSeconds": statistics?["statsSendPeriodInSeconds"] ?? 60,
            "customStatsSendPeriodInSeconds": statistics?["customStatsSendPeriodInSeconds"] ?? 300,
            "configuration": statistics?["configuration"] ?? "statistics.json",
            "commands": commands ?? .array([]),
        ]
        return .object(object)
    }

    /// The statistics commands file a thingsboard section names (the reference's default otherwise).
    static func statisticsCommandsFile(_ section: JSONValue) -> String {
        section["statistics"]?["configuration"]?.stringValue ?? "statistics.json"
    }

    /// Splits an incoming `general_configuration` into the section for the main file (without
    /// `ts` and the statistics `commands`) and those commands (nil when none came).
    static func splitGeneralConfiguration(_ proposed: JSONObject) -> (section: JSONObject, commands: [JSONValue]?) {
        var section = proposed
        section["ts"] = nil
        guard case .object(var statistics)? = section["statistics"] else { return (section, nil) }
        let commands = statistics.removeValue(forKey: "commands")?.arrayValue
        section["statistics"] = .object(statistics)
        return (section, commands)
    }
}
