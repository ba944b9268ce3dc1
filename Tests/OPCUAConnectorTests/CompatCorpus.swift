import Foundation
import GatewayKit

/// The shared compatibility corpus (reference configs, upstream blackbox configs and expected
/// values), found next to the project: `<root>/../shared/compat`.
enum CompatCorpus {
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared/compat")
    static let blackbox = root.appendingPathComponent("upstream-tests/blackbox/data/opcua")

    static func json(_ url: URL) throws -> JSONValue {
        try JSONValue.parse(Array(try Data(contentsOf: url)))
    }

    /// A blackbox connector config: the `configurationJson` inside the remote-config wrapper.
    static func blackboxConfig(_ relativePath: String, port: Int? = nil) throws -> JSONValue {
        let wrapper = try json(blackbox.appendingPathComponent("configs/" + relativePath))
        guard var config = wrapper["Opcua"]?["configurationJson"]?.objectValue else {
            throw CorpusError(description: "\(relativePath) has no Opcua.configurationJson")
        }
        if let port, var server = config["server"]?.objectValue {
            server["url"] = .string("opc.tcp://127.0.0.1:\(port)/freeopcua/server/")
            config["server"] = .object(server)
        }
        return .object(config)
    }

    static func expectedValues(_ relativePath: String) throws -> JSONObject {
        guard let object = try json(blackbox.appendingPathComponent("test_values/" + relativePath)).objectValue else {
            throw CorpusError(description: "\(relativePath) is not an object")
        }
        return object
    }

    static func allBlackboxConfigs() throws -> [String] {
        let configs = blackbox.appendingPathComponent("configs")
        let enumerator = FileManager.default.enumerator(atPath: configs.path)
        var found: [String] = []
        while let path = enumerator?.nextObject() as? String {
            if path.hasSuffix(".json") { found.append(path) }
        }
        return found.sorted()
    }

    struct CorpusError: Error, CustomStringConvertible {
        var description: String
    }
}

/// How ThingsBoard shows a datapoint's value in its REST API (what the upstream blackbox tests
/// compare against): strings as they are, everything else as its JSON text.
func thingsBoardText(_ value: JSONValue?) -> String? {
    guard let value else { return nil }
    if case .string(let text) = value { return text }
    return value.jsonString
}
