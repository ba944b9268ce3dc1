import GatewayKit

/// Typed access to one JSON object of a configuration file, producing `ConfigError`s that name
/// the file, the key path and what was expected.
struct JSONReader {
    let file: String
    let path: String
    let object: JSONObject

    init(_ value: JSONValue, file: String, path: String) throws(ConfigError) {
        guard case .object(let object) = value else {
            throw ConfigError(file: file, keyPath: path, expected: "an object", found: value.kindName)
        }
        self.file = file
        self.path = path
        self.object = object
    }

    func keyPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func failure(_ key: String, expected: String, found: JSONValue?) -> ConfigError {
        ConfigError(file: file, keyPath: keyPath(key), expected: expected, found: found.map(Self.describe))
    }

    static func describe(_ value: JSONValue) -> String {
        switch value {
        case .string, .int, .double, .bool, .null: return value.jsonString
        default: return value.kindName
        }
    }

    func string(_ key: String) throws(ConfigError) -> String? {
        guard let value = object[key], !value.isNull else { return nil }
        guard let string = value.stringValue else { throw failure(key, expected: "a string", found: value) }
        return string
    }

    func int(_ key: String, in range: ClosedRange<Int>? = nil) throws(ConfigError) -> Int? {
        guard let value = object[key], !value.isNull else { return nil }
        // Numbers written as strings ("1883") are accepted, as the Python gateway does.
        let number: Int64? = value.intValue ?? value.stringValue.flatMap { Int64($0) }
        guard let number, let result = Int(exactly: number), range.map({ $0.contains(result) }) ?? true else {
            let expectation = range.map { "an integer from \($0.lowerBound) to \($0.upperBound)" } ?? "an integer"
            throw failure(key, expected: expectation, found: value)
        }
        return result
    }

    func bool(_ key: String) throws(ConfigError) -> Bool? {
        guard let value = object[key], !value.isNull else { return nil }
        if let bool = value.boolValue { return bool }
        if let text = value.stringValue?.lowercased(), ["true", "false"].contains(text) { return text == "true" }
        throw failure(key, expected: "true or false", found: value)
    }

    func child(_ key: String) throws(ConfigError) -> JSONReader? {
        guard let value = object[key], !value.isNull else { return nil }
        return try JSONReader(value, file: file, path: keyPath(key))
    }
}
