import GatewayKit

/// How a request to a device authenticates: the `security` object of the Request and REST
/// connector configs, `{"type": "anonymous"}`, `{"type": "basic", "username", "password"}` or
/// `{"type": "cert", "cert": "/path/cert.pem", "key": "/path/key.pem"}` (a TLS client certificate).
public enum HTTPSecurity: Sendable, Equatable {
    case anonymous
    case basic(username: String, password: String)
    /// PEM files, read when a request is sent (a missing file fails that request, not the config
    /// load, so the reference's example configs load on any machine). `key` nil: the key is in
    /// the certificate file.
    case certificate(certificateFile: String, keyFile: String?)

    /// Parses a `security` object. `type` is matched case-insensitively, as the reference lowercases
    /// it; a missing `type` means anonymous. `basic` without username or password is refused: the
    /// reference silently falls back to anonymous there, which hides the mistake.
    public init(_ reader: ConfigReader) throws(ConfigError) {
        let type = try reader.string("type", nonEmpty: true)?.lowercased() ?? "anonymous"
        switch type {
        case "anonymous":
            self = .anonymous
        case "basic":
            guard let username = try reader.string("username") else {
                throw reader.failure("username", expected: "a string (security type basic)", found: nil)
            }
            guard let password = try reader.string("password") else {
                throw reader.failure("password", expected: "a string (security type basic)", found: nil)
            }
            self = .basic(username: username, password: password)
        case "cert":
            let certificate = try reader.string("cert", default: nil)
            let key = try reader.string("key", nonEmpty: false).flatMap { $0.isEmpty ? nil : $0 }
            self = .certificate(certificateFile: certificate, keyFile: key)
        default:
            throw reader.failure("type", expected: "one of \"anonymous\", \"basic\", \"cert\"", found: reader.value("type"))
        }
    }

    /// The `security` key of `reader`'s object, or `fallback` when it has none.
    public static func parse(in reader: ConfigReader, key: String = "security",
                             default fallback: HTTPSecurity = .anonymous) throws(ConfigError) -> HTTPSecurity {
        guard let child = try reader.child(key) else { return fallback }
        return try HTTPSecurity(child)
    }
}
