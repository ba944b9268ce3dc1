import Foundation
import GatewayKit
import Logging
import Yams

/// The configuration directory: tb_gateway.json (or legacy tb_gateway.yaml), connector files,
/// logs.json — the Python gateway's layout (reference §2, §6.2).
public struct GatewayConfiguration: Sendable {
    public var directory: String
    /// The main file's name as shown in messages ("tb_gateway.json").
    public var mainFile: String
    public var thingsboard: ThingsBoardSettings
    /// The raw `storage` section; the Storage target parses it.
    public var storage: JSONValue
    public var admin: AdminSettings
}

/// One `connectors[]` entry and its loaded file; `document` is nil when it could not be loaded,
/// and `error` says why. Such a connector is not started; the others are.
public struct ConnectorEntry: Sendable {
    public var name: String
    public var type: String
    public var id: String
    public var file: String
    public var document: JSONValue?
    public var error: ConfigError?
}

public struct LoadedConfiguration: Sendable {
    public var configuration: GatewayConfiguration
    public var connectors: [ConnectorEntry]
}

extension GatewayConfiguration {
    public static func load(directory: String, environment: [String: String]) throws(ConfigError) -> LoadedConfiguration {
        let (mainFile, document) = try readMainDocument(directory: directory)
        let root = try ConfigReader(document, file: mainFile, path: "")
        guard let thingsboardSection = root.object["thingsboard"] else {
            throw ConfigError(file: mainFile, keyPath: "thingsboard", expected: "an object with host, port and security")
        }
        var thingsboard = try ThingsBoardSettings(json: thingsboardSection, file: mainFile, directory: directory)
        try thingsboard.applyEnvironment(environment, file: "environment", directory: directory)
        let storage = root.object["storage"] ?? ["type": "memory"]
        let configuration = GatewayConfiguration(directory: directory, mainFile: mainFile, thingsboard: thingsboard,
                                                 storage: storage,
                                                 admin: try AdminSettings(root: root))
        return LoadedConfiguration(configuration: configuration,
                                   connectors: try connectors(root: root, directory: directory))
    }

    /// A legacy `tb_gateway.yaml` without a `tb_gateway.json` beside it is written out as
    /// `tb_gateway.json`, as the reference does at start: from then on the gateway runs on JSON,
    /// which remote configuration can update. Returns the file written, nil when there was
    /// nothing to convert; throws when it could not be written.
    @discardableResult
    public static func convertLegacyYAML(directory: String) throws -> String? {
        let json = (directory as NSString).appendingPathComponent("tb_gateway.json")
        guard !FileManager.default.fileExists(atPath: json),
              case ("tb_gateway.yaml", let document) = try readMainDocument(directory: directory) else { return nil }
        try Data(document.prettyBytes).write(to: URL(fileURLWithPath: json), options: .atomic)
        return json
    }

    static func readMainDocument(directory: String) throws(ConfigError) -> (String, JSONValue) {
        let json = (directory as NSString).appendingPathComponent("tb_gateway.json")
        let yaml = (directory as NSString).appendingPathComponent("tb_gateway.yaml")
        if let data = FileManager.default.contents(atPath: json) {
            return ("tb_gateway.json", try parseJSON(data, file: "tb_gateway.json"))
        }
        if let data = FileManager.default.contents(atPath: yaml) {
            return ("tb_gateway.yaml", try parseYAML(String(decoding: data, as: UTF8.self), file: "tb_gateway.yaml"))
        }
        // Where the gateway looks when no folder is named: the user may have meant another.
        let searched = directory == "./config"
            ? " (without --config or TB_GW_CONFIG_DIR the gateway reads ./config, else \(GatewayOptions.pythonGatewayConfigDirectory))" : ""
        throw ConfigError(file: directory, keyPath: "", expected: "a tb_gateway.json (or legacy tb_gateway.yaml) in the configuration directory",
                          found: (FileManager.default.fileExists(atPath: directory) ? "neither" : "no such directory") + searched)
    }

    static func parseJSON(_ data: Data, file: String) throws(ConfigError) -> JSONValue {
        let bytes = Array(data)
        do {
            return try JSONValue.parse(bytes)
        } catch {
            let (line, column) = lineAndColumn(of: error.offset, in: bytes)
            throw ConfigError(file: file, keyPath: "", expected: "valid JSON",
                              found: "a syntax error at line \(line), column \(column) (\(error.reason))")
        }
    }

    static func lineAndColumn(of offset: Int, in bytes: [UInt8]) -> (Int, Int) {
        var line = 1, column = 1
        for byte in bytes.prefix(offset) {
            if byte == 0x0A { line += 1; column = 1 } else { column += 1 }
        }
        return (line, column)
    }

    static func parseYAML(_ text: String, file: String) throws(ConfigError) -> JSONValue {
        let node: Any?
        do {
            node = try Yams.load(yaml: text)
        } catch {
            throw ConfigError(file: file, keyPath: "", expected: "valid YAML", found: "\(error)")
        }
        return jsonValue(fromYAML: node)
    }

    static func jsonValue(fromYAML node: Any?) -> JSONValue {
        switch node {
        case nil: return .null
        case let value as Bool: return .bool(value)
        case let value as Int: return .int(Int64(value))
        case let value as Double: return .double(value)
        case let value as String: return .string(value)
        case let value as [Any]: return .array(value.map { jsonValue(fromYAML: $0) })
        case let value as [String: Any]:
            var object = JSONObject()
            for key in value.keys.sorted() { object[key] = jsonValue(fromYAML: value[key]) }
            return .object(object)
        default: return .string("\(node!)")
        }
    }

    static func connectors(root: ConfigReader, directory: String) throws(ConfigError) -> [ConnectorEntry] {
        guard let list = root.object["connectors"], !list.isNull else { return [] }
        guard case .array(let items) = list else {
            throw ConfigError(file: root.file, keyPath: "connectors", expected: "a list", found: list.kindName)
        }
        var entries: [ConnectorEntry] = []
        var names: Set<String> = []
        for (index, item) in items.enumerated() {
            let path = "connectors[\(index)]"
            var entry = ConnectorEntry(name: "connector \(index + 1)", type: "", id: "", file: root.file)
            do throws(ConfigError) {
                let reader = try ConfigReader(item, file: root.file, path: path)
                guard let type = try reader.string("type"), !type.isEmpty else {
                    throw reader.failure("type", expected: "a connector type such as \"mqtt\" or \"simulator\"", found: reader.object["type"])
                }
                guard let name = try reader.string("name"), !name.isEmpty else {
                    throw reader.failure("name", expected: "a unique connector name", found: reader.object["name"])
                }
                // Lower-cased as the reference does: connector RPCs (`mqtt_get`) and the
                // `connectorType` attribute use it, whatever case the file has ("MQTT").
                entry.type = type.lowercased()
                entry.name = name
                guard names.insert(name).inserted else {
                    throw reader.failure("name", expected: "a name no other connector has (duplicate connector name)",
                                         found: .string(name))
                }
                guard let fileName = try reader.string("configuration"), !fileName.isEmpty else {
                    throw reader.failure("configuration", expected: "the connector's configuration file name", found: reader.object["configuration"])
                }
                entry.file = fileName
                let path = (directory as NSString).appendingPathComponent(fileName)
                guard let data = FileManager.default.contents(atPath: path) else {
                    throw ConfigError(file: fileName, keyPath: "", expected: "a readable connector configuration file", found: "no such file in \(directory)")
                }
                let document = try parseJSON(data, file: fileName)
                entry.id = document["id"]?.stringValue ?? stableIdentifier(for: name)
                entry.document = document
            } catch {
                entry.error = error
            }
            entries.append(entry)
        }
        return entries
    }

    /// A UUID-shaped id derived from the connector name (FNV-1a), stable across restarts, for
    /// connector files without an `id` — the files are not rewritten.
    static func stableIdentifier(for name: String) -> String {
        var high: UInt64 = 0xcbf29ce484222325, low: UInt64 = 0x84222325cbf29ce4
        for byte in name.utf8 {
            high = (high ^ UInt64(byte)) &* 0x100000001b3
            low = (low ^ UInt64(byte)) &* 0x100000001b3 ^ (high >> 17)
        }
        let hex = String(format: "%016llx%016llx", high, low)
        let characters = Array(hex)
        return [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { String(characters[$0]) }.joined(separator: "-")
    }
}
