import Expressions
import GatewayKit
import NIOHTTP1

/// What a connector's downlink rules fall back to when an entry leaves a setting out. The
/// Request and REST reference connectors differ here.
public struct HTTPDownlinkDefaults: Sendable {
    public var httpMethod: String
    public var timeout: Duration
    public var verifyCertificates: Bool
    public var security: HTTPSecurity
    /// How long an RPC waits for the device when the entry has no `responseTimeout`.
    public var responseTimeout: Duration

    public init(httpMethod: String = "GET", timeout: Duration, verifyCertificates: Bool,
                security: HTTPSecurity = .anonymous, responseTimeout: Duration = .seconds(5)) {
        self.httpMethod = httpMethod
        self.timeout = timeout
        self.verifyCertificates = verifyCertificates
        self.security = security
        self.responseTimeout = responseTimeout
    }

    /// The Request connector: 1 s per try; the connector's root `SSLVerify` and `security`
    /// apply unless the entry has its own (set them from the root config).
    public static let request = HTTPDownlinkDefaults(timeout: .seconds(1), verifyCertificates: false)
    /// The REST connector: 10 s per try, certificates verified.
    public static let rest = HTTPDownlinkDefaults(timeout: .seconds(10), verifyCertificates: true)
}

/// One `attributeUpdates` or `serverSideRpc` entry of the Request or REST connector config,
/// compiled once at load. Both spellings are read: `httpMethod`|`HTTPMethod`,
/// `requestValueExpression`|`valueExpression`.
///
/// ```json
/// {"httpMethod": "POST", "deviceNameFilter": "SD.*", "attributeFilter": "send_data",
///  "requestUrlExpression": "sensor/${deviceName}/${attributeKey}",
///  "requestValueExpression": "{\"${attributeKey}\":\"${attributeValue}\"}",
///  "httpHeaders": {"Content-Type": "application/json"}, "timeout": 0.5, "tries": 3,
///  "allowRedirects": true, "SSLVerify": false, "security": {"type": "basic", ...},
///  "responseTimeout": 1, "responseValueExpression": "${temp}"}
/// ```
public struct HTTPDownlinkRule: Sendable {
    public enum Kind: Sendable, Equatable {
        /// An `attributeUpdates` entry: `attributeFilter` selects keys.
        case attributeUpdate
        /// A `serverSideRpc` entry: `methodFilter` selects methods.
        case rpc
    }

    public let kind: Kind
    /// Where the entry is in the config (`serverSideRpc[1]`), for log lines.
    public let configPath: String
    /// Must match the whole device name (Python `re.fullmatch`); default `.*`.
    public let deviceNameFilter: HTTPNameFilter
    /// `attributeFilter` (default `.*`) or `methodFilter` (required), matched against the whole
    /// attribute key or RPC method.
    public let nameFilter: HTTPNameFilter
    public let httpMethod: String
    /// `requestUrlExpression`: absolute, or relative to the connector's base URL.
    public let urlTemplate: DownlinkTemplate
    /// `requestValueExpression` / `valueExpression`; nil: the request has no body.
    public let valueTemplate: DownlinkTemplate?
    public let headers: HTTPHeaders
    /// One try, connect to last byte.
    public let timeout: Duration
    public let tries: Int
    public let allowRedirects: Bool
    public let verifyCertificates: Bool
    public let security: HTTPSecurity
    /// RPC: how long to wait for the device's answer, all tries included.
    public let responseTimeout: Duration
    /// RPC: what of the device's JSON answer is returned to ThingsBoard; nil: all of it.
    public let responseValueExpression: ValueExpression?

    public init(_ reader: ConfigReader, kind: Kind, defaults: HTTPDownlinkDefaults = .request) throws(ConfigError) {
        self.kind = kind
        configPath = reader.path
        deviceNameFilter = try Self.filter(reader, "deviceNameFilter", default: ".*")
        nameFilter = kind == .attributeUpdate
            ? try Self.filter(reader, "attributeFilter", default: ".*")
            : try Self.filter(reader, "methodFilter", default: nil)

        let methodKey = reader.has("httpMethod") || !reader.has("HTTPMethod") ? "httpMethod" : "HTTPMethod"
        let method = try reader.string(methodKey, default: defaults.httpMethod).uppercased()
        guard !method.isEmpty, method.utf8.allSatisfy({ $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }) else {
            throw reader.failure(methodKey, expected: "an HTTP method such as \"GET\" or \"POST\"", found: reader.value(methodKey))
        }
        httpMethod = method

        let urlText = try reader.string("requestUrlExpression", default: nil)
        urlTemplate = try Self.template(reader, "requestUrlExpression", urlText, usage: .topic)
        let valueKey = reader.has("requestValueExpression") || !reader.has("valueExpression")
            ? "requestValueExpression" : "valueExpression"
        valueTemplate = try reader.string(valueKey).map { text throws(ConfigError) in
            try Self.template(reader, valueKey, text, usage: .payload)
        }
        headers = try Self.headers(reader)
        timeout = try reader.number("timeout", positive: true).map(Duration.configSeconds) ?? defaults.timeout
        tries = try reader.int("tries", default: 1, in: 1...100)
        allowRedirects = try reader.bool("allowRedirects", default: false)
        verifyCertificates = try reader.bool("SSLVerify", default: defaults.verifyCertificates)
        security = try HTTPSecurity.parse(in: reader, default: defaults.security)
        responseTimeout = try reader.number("responseTimeout", positive: true).map(Duration.configSeconds)
            ?? defaults.responseTimeout
        if let text = try reader.string("responseValueExpression", nonEmpty: false), !text.isEmpty {
            do {
                responseValueExpression = try ValueExpression(text)
            } catch {
                throw reader.failure("responseValueExpression", expected: "a valid value expression (\(error.reason))",
                                     found: .string(text))
            }
        } else {
            responseValueExpression = nil
        }
    }

    /// True when the entry applies to `name` (an attribute key or RPC method) of `device`.
    public func matches(device: String, name: String) -> Bool {
        deviceNameFilter.matches(device) && nameFilter.matches(name)
    }

    private static func filter(_ reader: ConfigReader, _ key: String, default fallback: String?) throws(ConfigError) -> HTTPNameFilter {
        let pattern = try reader.string(key, nonEmpty: false) ?? fallback
        guard let pattern else { throw reader.failure(key, expected: "a regular expression", found: nil) }
        do {
            return try HTTPNameFilter(pattern)
        } catch {
            throw reader.failure(key, expected: "a valid regular expression", found: .string(pattern))
        }
    }

    private static func template(_ reader: ConfigReader, _ key: String, _ text: String,
                                 usage: DownlinkTemplate.Usage) throws(ConfigError) -> DownlinkTemplate {
        // The REST reference names the request id `${restId}`.
        let source = text.replacingOccurrences(of: "${restId}", with: "${requestId}")
        do {
            return try DownlinkTemplate(source, usage: usage)
        } catch {
            throw reader.failure(key, expected: "a valid template (\(error.reason))", found: .string(text))
        }
    }

    /// `httpHeaders`: an object of names to values (numbers and booleans taken as their text),
    /// or that object written as a JSON string (the REST reference accepts both).
    private static func headers(_ reader: ConfigReader) throws(ConfigError) -> HTTPHeaders {
        guard var value = reader.value("httpHeaders") else { return [:] }
        if case .string(let text) = value {
            guard let parsed = try? JSONValue.parse(text) else {
                throw reader.failure("httpHeaders", expected: "an object of header names to values", found: value)
            }
            value = parsed
        }
        guard case .object(let object) = value else {
            throw reader.failure("httpHeaders", expected: "an object of header names to values", found: value)
        }
        var headers = HTTPHeaders()
        for (name, headerValue) in object {
            switch headerValue {
            case .string(let text): headers.add(name: name, value: text)
            case .int, .uint, .double, .bool: headers.add(name: name, value: PythonText.str(headerValue))
            default:
                throw ConfigError(file: reader.file, keyPath: reader.keyPath("httpHeaders") + "." + name,
                                  expected: "a string", found: ConfigReader.describe(headerValue))
            }
        }
        return headers
    }
}

/// The `attributeUpdates` and `serverSideRpc` lists of a connector config.
public struct HTTPDownlinkRules: Sendable {
    public let attributeUpdates: [HTTPDownlinkRule]
    public let serverSideRpc: [HTTPDownlinkRule]

    public init(attributeUpdates: [HTTPDownlinkRule] = [], serverSideRpc: [HTTPDownlinkRule] = []) {
        self.attributeUpdates = attributeUpdates
        self.serverSideRpc = serverSideRpc
    }

    /// Reads `attributeUpdates` and `serverSideRpc` of `reader`'s object (the Request config root,
    /// or the REST config's `requestsMapping`); both may be absent.
    public init(_ reader: ConfigReader, defaults: HTTPDownlinkDefaults = .request) throws(ConfigError) {
        var updates: [HTTPDownlinkRule] = []
        for entry in try reader.objects("attributeUpdates") {
            updates.append(try HTTPDownlinkRule(entry, kind: .attributeUpdate, defaults: defaults))
        }
        var rpcs: [HTTPDownlinkRule] = []
        for entry in try reader.objects("serverSideRpc") {
            rpcs.append(try HTTPDownlinkRule(entry, kind: .rpc, defaults: defaults))
        }
        self.init(attributeUpdates: updates, serverSideRpc: rpcs)
    }

    /// Every `attributeUpdates` entry for this key of this device (each one sends, as in the reference).
    public func rules(forAttribute key: String, device: String) -> [HTTPDownlinkRule] {
        attributeUpdates.filter { $0.matches(device: device, name: key) }
    }

    public func rule(forAttribute key: String, device: String) -> HTTPDownlinkRule? {
        attributeUpdates.first { $0.matches(device: device, name: key) }
    }

    /// The first `serverSideRpc` entry for this method of this device.
    public func rule(forMethod method: String, device: String) -> HTTPDownlinkRule? {
        serverSideRpc.first { $0.matches(device: device, name: method) }
    }
}
