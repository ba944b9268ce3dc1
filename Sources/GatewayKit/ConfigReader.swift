/// Typed access to one JSON object of a configuration file. Every problem becomes a
/// `ConfigError` that names the file, the full key path and what was expected, so a user can
/// find the mistake without guessing. Shared by the gateway's own config, storage and every
/// connector, so all of them report mistakes the same way.
///
/// A key that is absent or `null` counts as "not set": the optional getters return nil and the
/// `default:` getters return the default.
public struct ConfigReader: Sendable {
    public let file: String
    public let path: String
    public let object: JSONObject

    /// Wraps `value` (found at `path` in `file`), which must be an object.
    public init(_ value: JSONValue, file: String, path: String) throws(ConfigError) {
        guard case .object(let object) = value else {
            throw ConfigError(file: file, keyPath: path, expected: "an object", found: Self.describe(value))
        }
        self.file = file
        self.path = path
        self.object = object
    }

    public func keyPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    public func failure(_ key: String, expected: String, found: JSONValue?) -> ConfigError {
        ConfigError(file: file, keyPath: keyPath(key), expected: expected, found: found.map(Self.describe))
    }

    /// The value as the user wrote it (compact JSON, shortened), e.g. `"foo"` or `-5`.
    public static func describe(_ value: JSONValue) -> String {
        let text = value.jsonString
        return text.count > 80 ? String(text.prefix(77)) + "..." : text
    }

    /// The value of `key`, or nil when it is absent or `null`.
    public func value(_ key: String) -> JSONValue? {
        guard let value = object[key], !value.isNull else { return nil }
        return value
    }

    public func has(_ key: String) -> Bool { value(key) != nil }

    /// A misspelt optional key ("periodMS") would otherwise be ignored silently and its default
    /// used; naming it makes the typo obvious.
    public func rejectUnknownKeys(allowed: [String]) throws(ConfigError) {
        for key in object.keys where !allowed.contains(key) {
            throw ConfigError(file: file, keyPath: keyPath(key),
                              expected: "no such key (known keys: \(allowed.joined(separator: ", ")))")
        }
    }

    public func required(_ key: String, expected: String) throws(ConfigError) -> JSONValue {
        guard let value = value(key) else { throw failure(key, expected: expected, found: nil) }
        return value
    }

    // MARK: strings

    /// A string, or nil when the key is not set. `nonEmpty` rejects "".
    public func string(_ key: String, nonEmpty: Bool = false) throws(ConfigError) -> String? {
        guard let value = value(key) else { return nil }
        guard case .string(let text) = value, !(nonEmpty && text.isEmpty) else {
            throw failure(key, expected: nonEmpty ? "a non-empty string" : "a string", found: value)
        }
        return text
    }

    /// A non-empty string; `defaultValue` when not set, an error when not set and no default.
    public func string(_ key: String, default defaultValue: String?) throws(ConfigError) -> String {
        guard let text = try string(key, nonEmpty: true) else {
            if let defaultValue { return defaultValue }
            throw failure(key, expected: "a non-empty string", found: nil)
        }
        return text
    }

    /// One of `choices` (exact spelling), or `defaultValue` when not set.
    public func choice(_ key: String, of choices: [String], default defaultValue: String?) throws(ConfigError) -> String {
        let expected = "one of " + choices.map { "\"\($0)\"" }.joined(separator: ", ")
        guard let value = value(key) else {
            if let defaultValue { return defaultValue }
            throw failure(key, expected: expected, found: nil)
        }
        guard case .string(let text) = value, choices.contains(text) else {
            throw failure(key, expected: expected, found: value)
        }
        return text
    }

    /// One of `choices` spelled in any case, as written in `choices`; `defaultValue` when not set
    /// (the reference compares such names case-insensitively).
    public func choiceIgnoringCase(_ key: String, of choices: [String], default defaultValue: String) throws(ConfigError) -> String {
        guard let value = value(key) else { return defaultValue }
        guard let text = value.stringValue, let match = choices.first(where: { $0.lowercased() == text.lowercased() }) else {
            throw failure(key, expected: "one of " + choices.map { "\"\($0)\"" }.joined(separator: ", "), found: value)
        }
        return match
    }

    // MARK: numbers

    /// An integer (a number without fraction; a numeric string such as "1883" is accepted, as
    /// the Python gateway does), or nil when not set.
    public func int64(_ key: String, in range: ClosedRange<Int64>? = nil) throws(ConfigError) -> Int64? {
        guard let value = value(key) else { return nil }
        let number: Int64? = value.intValue ?? value.stringValue.flatMap { Int64($0) }
        guard let number, range.map({ $0.contains(number) }) ?? true else {
            throw failure(key, expected: Self.integerExpectation(range), found: value)
        }
        return number
    }

    public func int64(_ key: String, default defaultValue: Int64?, in range: ClosedRange<Int64>? = nil) throws(ConfigError) -> Int64 {
        guard let number = try int64(key, in: range) else {
            if let defaultValue { return defaultValue }
            throw failure(key, expected: Self.integerExpectation(range), found: nil)
        }
        return number
    }

    public func int(_ key: String, in range: ClosedRange<Int>? = nil) throws(ConfigError) -> Int? {
        let wide = range.map { Int64($0.lowerBound)...Int64($0.upperBound) } ?? Int64(Int.min)...Int64(Int.max)
        return try int64(key, in: wide).map { Int($0) }
    }

    public func int(_ key: String, default defaultValue: Int?, in range: ClosedRange<Int>? = nil) throws(ConfigError) -> Int {
        let wide = range.map { Int64($0.lowerBound)...Int64($0.upperBound) } ?? Int64(Int.min)...Int64(Int.max)
        return Int(try int64(key, default: defaultValue.map { Int64($0) }, in: wide))
    }

    /// A finite number (numeric strings accepted), or nil when not set. `positive` rejects zero
    /// and negatives.
    public func number(_ key: String, positive: Bool = false) throws(ConfigError) -> Double? {
        guard let value = value(key) else { return nil }
        let number = value.doubleValue ?? value.stringValue.flatMap { Double($0) }
        guard let number, number.isFinite, !positive || number > 0 else {
            throw failure(key, expected: positive ? "a number > 0" : "a number", found: value)
        }
        return number
    }

    public func number(_ key: String, default defaultValue: Double?, positive: Bool = false) throws(ConfigError) -> Double {
        guard let number = try number(key, positive: positive) else {
            if let defaultValue { return defaultValue }
            throw failure(key, expected: positive ? "a number > 0" : "a number", found: nil)
        }
        return number
    }

    private static func integerExpectation(_ range: ClosedRange<Int64>?) -> String {
        guard let range else { return "an integer" }
        if range.upperBound >= Int64(Int32.max) { return "an integer >= \(range.lowerBound)" }
        return "an integer from \(range.lowerBound) to \(range.upperBound)"
    }

    // MARK: other kinds

    /// true/false (also the strings "true"/"false", which older configs use), or nil when not set.
    public func bool(_ key: String) throws(ConfigError) -> Bool? {
        guard let value = value(key) else { return nil }
        if let bool = value.boolValue { return bool }
        if let text = value.stringValue?.lowercased(), text == "true" || text == "false" { return text == "true" }
        // 1 and 0 are what Python's True and False compare equal to; reference configs use them.
        if case .int(let number) = value, number == 0 || number == 1 { return number == 1 }
        throw failure(key, expected: "true or false", found: value)
    }

    public func bool(_ key: String, default defaultValue: Bool) throws(ConfigError) -> Bool {
        try bool(key) ?? defaultValue
    }

    /// The nested object at `key`, or nil when not set.
    public func child(_ key: String) throws(ConfigError) -> ConfigReader? {
        guard let value = value(key) else { return nil }
        return try ConfigReader(value, file: file, path: keyPath(key))
    }

    /// The array at `key`, or nil when not set.
    public func array(_ key: String) throws(ConfigError) -> [JSONValue]? {
        guard let value = value(key) else { return nil }
        guard case .array(let elements) = value else { throw failure(key, expected: "an array", found: value) }
        return elements
    }

    /// The array at `key`; empty when not set unless `required`.
    public func array(_ key: String, required: Bool) throws(ConfigError) -> [JSONValue] {
        guard let elements = try array(key) else {
            if required { throw failure(key, expected: "an array", found: nil) }
            return []
        }
        return elements
    }

    /// The objects of the array at `key`, each wrapped in a reader whose path is `key[i]`.
    public func objects(_ key: String, required: Bool = false) throws(ConfigError) -> [ConfigReader] {
        var readers: [ConfigReader] = []
        for (index, element) in try array(key, required: required).enumerated() {
            readers.append(try ConfigReader(element, file: file, path: "\(keyPath(key))[\(index)]"))
        }
        return readers
    }
}
