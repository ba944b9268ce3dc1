import Foundation
import GatewayKit
import HTTPConnectorKit
import Logging

/// A parsed Request connector configuration (reference `config/request.json`).
public struct RequestConnectorConfiguration: Sendable {
    /// The root settings every mapping and downlink entry inherits.
    public struct Root: Sendable {
        /// `host` with a scheme (`http://` added when missing), without a trailing `/`.
        public var baseURL: String
        /// `SSLVerify` (default false, as in the reference).
        public var verifyCertificates: Bool
        public var security: HTTPSecurity
    }

    public let root: Root
    public let mappings: [RequestMapping]
    /// Mappings left out (their custom converter is not available); the others run.
    public let skipped: [RequestMapping.Skipped]
    public let downlink: HTTPDownlinkRules
    /// The connector-level `reportStrategy`, if any.
    public let reportStrategy: ReportStrategy?

    /// `logger`: the logger custom converters get (the gateway passes the converter logger).
    /// `environment`: `REQUEST_BASIC_USERNAME` and `REQUEST_BASIC_PASSWORD`, when both are set,
    /// replace the credentials of a root `security` of type `basic` (as in the reference), so
    /// they need not be written in the file.
    public static func parse(_ document: JSONValue, file: String, logger: Logger = Logger(label: "request"),
                             environment: [String: String] = ProcessInfo.processInfo.environment)
        throws(ConfigError) -> RequestConnectorConfiguration {
        try RequestConnectorConfiguration(ConfigReader(document, file: file, path: ""), logger: logger,
                                          environment: environment)
    }

    init(_ reader: ConfigReader, logger: Logger, environment: [String: String]) throws(ConfigError) {
        let host = try reader.string("host", default: nil)
        let security: HTTPSecurity
        if let username = environment["REQUEST_BASIC_USERNAME"], let password = environment["REQUEST_BASIC_PASSWORD"],
           try reader.child("security")?.string("type", nonEmpty: true)?.lowercased() == "basic" {
            security = .basic(username: username, password: password)
        } else {
            security = try HTTPSecurity.parse(in: reader)
        }
        root = Root(baseURL: HTTPURL.normalizedBase(host),
                    verifyCertificates: try reader.bool("SSLVerify", default: false),
                    security: security)
        var mappings: [RequestMapping] = []
        var skipped: [RequestMapping.Skipped] = []
        for entry in try reader.objects("mapping", required: true) {
            if let missing = try Self.missingCustomConverter(entry) {
                skipped.append(RequestMapping.Skipped(configPath: entry.path, reason: missing))
                continue
            }
            mappings.append(try RequestMapping(entry, root: root, logger: logger))
        }
        self.mappings = mappings
        self.skipped = skipped
        var defaults = HTTPDownlinkDefaults.request
        defaults.verifyCertificates = root.verifyCertificates
        defaults.security = root.security
        downlink = try HTTPDownlinkRules(reader, defaults: defaults)
        reportStrategy = try ReportStrategy.parse(in: reader)
    }

    /// Why `mapping`'s custom converter cannot be made, or nil. The reference logs this and
    /// polls the other mappings; so does this connector (a converter written in Python for the
    /// reference has no Swift counterpart until one is registered).
    private static func missingCustomConverter(_ mapping: ConfigReader) throws(ConfigError) -> String? {
        guard let converter = try mapping.child("converter"),
              try converter.string("type", nonEmpty: true) == "custom",
              let name = try converter.string("extension", nonEmpty: true),
              RequestCustomConverters.factory(named: name) == nil else { return nil }
        return "custom converter \"\(name)\" is not registered (available: "
            + RequestCustomConverters.availableNames.joined(separator: ", ") + "); mapping not polled"
    }
}
