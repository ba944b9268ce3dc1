import Expressions
import GatewayKit

/// A validated REST connector configuration (reference §5.4 "REST"): the HTTP server devices
/// push to, its endpoints, and the downlink section (`requestsMapping`).
public struct RESTConnectorConfiguration: Sendable {
    public var server: RESTServerConfiguration
    /// Uplink endpoints (`mapping[]`) and attribute request endpoints
    /// (`requestsMapping.attributeRequests[]`), in config order. Paths are unique.
    public var endpoints: [RESTEndpoint]
    /// `requestsMapping` (attribute updates and RPCs sent to device URLs), as written; parsed
    /// by the downlink rules.
    public var requestsMapping: ConfigReader?
    /// The connector-level report strategy (`reportStrategy` at the file root).
    public var reportStrategy: ReportStrategy?
    /// What the old-layout adapter rewrote (empty for a current layout), for one log line.
    public var legacyRewrites: [String]

    /// Names of the shared attributes / RPC methods that answer held requests (`responseAttribute`).
    public var responseAttributes: Set<String> {
        var names = Set<String>()
        for endpoint in endpoints {
            if case .uplink(let mapping) = endpoint.kind, let name = mapping.response.responseAttribute {
                names.insert(name)
            }
        }
        return names
    }
}

/// `server{host, port, SSL, security{cert, key}}`.
public struct RESTServerConfiguration: Sendable, Equatable {
    public var host: String
    public var port: Int
    /// PEM files of the server certificate (chain) and key when `SSL` is true.
    public var tls: TLSFiles?
    /// Largest accepted request body in bytes (`maxBodySize`, an extension of this gateway);
    /// larger bodies are answered 413. Default 1 MiB, aiohttp's default `client_max_size`.
    public var maxBodySize: Int

    public static let defaultMaxBodySize = 1024 * 1024

    public struct TLSFiles: Sendable, Equatable {
        public var certificateFile: String
        public var keyFile: String
    }
}

/// One path the server answers.
public struct RESTEndpoint: Sendable {
    public enum Kind: Sendable {
        case uplink(RESTUplinkMapping)
        case attributeRequest(RESTAttributeRequestRule)
    }

    /// As configured, e.g. `/my_devices` or `/devices/{name}` (a `{name}` segment matches one
    /// path segment and becomes a field of the request data, as in aiohttp routes).
    public var path: String
    /// Upper-case method names (`HTTPMethods`).
    public var methods: [String]
    public var security: RESTEndpointSecurity
    public var kind: Kind
    /// Where the entry is in the file, e.g. `mapping[0]`, for log lines.
    public var configPath: String
}

/// `security` of an endpoint: who may call it.
public enum RESTEndpointSecurity: Sendable, Equatable {
    case anonymous
    case basic(username: String, password: String)
}

/// One `mapping[]` entry: how requests to an endpoint become device data, and what is answered.
public struct RESTUplinkMapping: Sendable {
    public var response: RESTResponseSettings
    public var converter: RESTUplinkConverterSpec
    /// The mapping's report strategy, else the connector's.
    public var reportStrategy: ReportStrategy?
}

public enum RESTUplinkConverterSpec: Sendable {
    case json(RESTJSONConverter)
    /// A registered custom converter (`converter.extension`), built at config load.
    case custom(name: String, converter: any RESTUplinkConverter)
}

/// `response{responseExpected, timeout, responseAttribute, successResponse, unsuccessfulResponse}`.
public struct RESTResponseSettings: Sendable, Equatable {
    /// Hold the HTTP reply until ThingsBoard answers for the device (shared attribute or RPC
    /// named `responseAttribute`), or `timeout` passes (408).
    public var responseExpected: Bool
    public var timeout: Duration
    public var responseAttribute: String?
    /// Body of 200 replies (a string as is, anything else as JSON); nil: empty body.
    public var successResponse: JSONValue?
    /// Body of error replies (401, 405, 408, 415, 500).
    public var unsuccessfulResponse: JSONValue?

    public static let defaultTimeout: Duration = .seconds(120)
    /// Answer at once, empty bodies.
    public static let immediate = RESTResponseSettings(responseExpected: false, timeout: defaultTimeout,
                                                  responseAttribute: nil, successResponse: nil,
                                                  unsuccessfulResponse: nil)
}

/// One `requestsMapping.attributeRequests[]` entry: an endpoint whose requests ask ThingsBoard
/// for a device's attributes and get them in the reply.
public struct RESTAttributeRequestRule: Sendable {
    public var clientScope: Bool
    public var deviceName: ValueExpression
    /// Each placeholder's value is one attribute name (`"${attribute}${attribute1}"` → two).
    public var attributeNames: [ValueExpression]
    public var timeout: Duration
}
