import Foundation
import GatewayKit
import ModbusConnector

/// The shared compatibility corpus (reference configs and upstream test data), found next to
/// the project: `<root>/../shared/compat`.
enum ModbusCompat {
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared/compat")

    static func json(_ relativePath: String) throws -> JSONValue {
        let data = try Data(contentsOf: root.appendingPathComponent(relativePath))
        return try JSONValue.parse(Array(data))
    }

    /// A connector config; the upstream blackbox files wrap it in `{"Modbus": {"configurationJson": ...}}`.
    static func load(_ relativePath: String) throws -> ModbusConnectorConfiguration {
        var document = try json(relativePath)
        if let wrapped = document["Modbus"]?["configurationJson"] { document = wrapped }
        // The upstream unit tests keep only the `master` section (`{"slaves": [...]}`).
        if document["master"] == nil, let slaves = document["slaves"] { document = ["master": ["slaves": slaves]] }
        return try ModbusConnectorConfiguration(json: document, file: relativePath)
    }

    /// Upstream expected values: strings holding JSON ("-22136", "[false,true]") are parsed,
    /// other strings ("abcd") kept.
    static func testValues(_ relativePath: String) throws -> [String: JSONValue] {
        guard case .object(let object) = try json(relativePath) else { return [:] }
        var values: [String: JSONValue] = [:]
        for (key, value) in object {
            if case .string(let text) = value, let parsed = try? JSONValue.parse(text) {
                values[key] = parsed
            } else {
                values[key] = value
            }
        }
        return values
    }

    /// Every Modbus connector config of the corpus (relative paths), test values excluded.
    static func allConfigPaths() throws -> [String] {
        var paths = ["reference-configs/modbus.json", "reference-configs/modbus_serial.json"]
        for folder in ["upstream-tests/blackbox/data/modbus", "upstream-tests/integration/data/modbus",
                       "upstream-tests/unit/connectors/modbus"] {
            let base = root.appendingPathComponent(folder)
            guard let enumerator = FileManager.default.enumerator(atPath: base.path) else { continue }
            for case let file as String in enumerator where file.hasSuffix(".json") && !file.contains("test_values") {
                paths.append("\(folder)/\(file)")
            }
        }
        return paths.sorted()
    }
}
