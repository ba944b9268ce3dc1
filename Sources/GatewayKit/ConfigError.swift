/// A configuration problem stated the way a user can fix it: which file, which key (as a path
/// like `thingsboard.security.type` or `mapping[2].converter`), what was expected and what was found.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var keyPath: String
    public var expected: String
    public var found: String?

    public init(file: String, keyPath: String, expected: String, found: String? = nil) {
        self.file = file
        self.keyPath = keyPath
        self.expected = expected
        self.found = found
    }

    public var description: String {
        // An empty path is the whole file: "mqtt.json: expected an object, found ...".
        var text = "\(file): \(keyPath.isEmpty ? "" : keyPath + ": ")expected \(expected)"
        if let found { text += ", found \(found)" }
        return text
    }
}
