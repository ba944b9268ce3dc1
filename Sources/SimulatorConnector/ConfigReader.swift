import GatewayKit

/// Reads typed values out of a JSON object, turning every problem into a `ConfigError` that
/// names the file and the full key path, so a user can find the mistake without guessing.
struct ConfigReader {
    let file: String
    let path: String
    let object: JSONObject

    /// Wraps `value` (found at `path`), which must be an object.
    init(file: String, path: String, value: JSONValue) throws(ConfigError) {
        guard case .object(let object) = value else {
            throw ConfigError(file: file, keyPath: path, expected: "an object", found: Self.describe(value))
        }
        self.file = file
        self.path = path
        self.object = object
    }

    func keyPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func error(_ key: String, expected: String, found: JSONValue?) -> ConfigError {
        ConfigError(file: file, keyPath: keyPath(key), expected: expected, found: found.map(Self.describe))
    }

    /// The value as the user wrote it (compact JSON), e.g. `"foo"` or `-5`.
    static func describe(_ value: JSONValue) -> String {
        let text = value.jsonString
        return text.count > 80 ? String(text.prefix(77)) + "..." : text
    }

    /// A misspelt optional key ("periodMS") would otherwise be ignored silently and its default
    /// used; naming it makes the typo obvious.
    func rejectUnknownKeys(allowed: [String]) throws(ConfigError) {
        for key in object.keys where !allowed.contains(key) {
            throw ConfigError(file: file, keyPath: keyPath(key),
                              expected: "no such key (known keys: \(allowed.joined(separator: ", ")))")
        }
    }

    func required(_ key: String, expected: String) throws(ConfigError) -> JSONValue {
        guard let value = object[key] else { throw error(key, expected: expected, found: nil) }
        return value
    }

    func string(_ key: String, default defaultValue: String? = nil) throws(ConfigError) -> String {
        let expected = "a non-empty string"
        guard let value = object[key] else {
            if let defaultValue { return defaultValue }
            throw error(key, expected: expected, found: nil)
        }
        guard case .string(let text) = value, !text.isEmpty else {
            throw error(key, expected: expected, found: value)
        }
        return text
    }

    /// An integer (a number without fraction) of at least `minimum`.
    func integer(_ key: String, default defaultValue: Int64? = nil, minimum: Int64? = nil) throws(ConfigError) -> Int64 {
        let expected = minimum.map { "an integer >= \($0)" } ?? "an integer"
        guard let value = object[key] else {
            if let defaultValue { return defaultValue }
            throw error(key, expected: expected, found: nil)
        }
        guard let number = value.intValue else {
            throw error(key, expected: expected, found: value)
        }
        if let minimum, number < minimum { throw error(key, expected: expected, found: value) }
        return number
    }

    /// A finite number; `positive` rejects zero and negatives.
    func number(_ key: String, default defaultValue: Double? = nil, positive: Bool = false) throws(ConfigError) -> Double {
        let expected = positive ? "a number > 0" : "a number"
        guard let value = object[key] else {
            if let defaultValue { return defaultValue }
            throw error(key, expected: expected, found: nil)
        }
        guard let number = value.doubleValue, number.isFinite, !positive || number > 0 else {
            throw error(key, expected: expected, found: value)
        }
        return number
    }

    func optionalNumber(_ key: String) throws(ConfigError) -> Double? {
        guard object[key] != nil else { return nil }
        return try number(key)
    }

    func array(_ key: String, defaultEmpty: Bool) throws(ConfigError) -> [JSONValue] {
        let expected = "an array"
        guard let value = object[key] else {
            if defaultEmpty { return [] }
            throw error(key, expected: expected, found: nil)
        }
        guard case .array(let elements) = value else { throw error(key, expected: expected, found: value) }
        return elements
    }
}
