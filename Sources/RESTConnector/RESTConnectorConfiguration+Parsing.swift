import Expressions
import Foundation
import GatewayKit
import HTTPConnectorKit

extension RESTConnectorConfiguration {
    /// Validates a whole connector configuration document (current or old layout). Every error
    /// names the key path, as found after rewriting an old layout into the current one.
    public static func parse(_ document: JSONValue, file: String) throws(ConfigError) -> RESTConnectorConfiguration {
        guard case .object(let object) = document else {
            throw ConfigError(file: file, keyPath: "", expected: "an object", found: ConfigReader.describe(document))
        }
        let (normalized, rewrites) = RESTLegacyConfigAdapter.normalize(object)
        let root = try ConfigReader(.object(normalized), file: file, path: "")
        guard let serverReader = try root.child("server") else {
            throw root.failure("server", expected: "an object with the server's host and port", found: nil)
        }
        let server = try parseServer(serverReader)
        let reportStrategy = try ReportStrategy.parse(in: root)
        var endpoints: [RESTEndpoint] = []
        for entry in try root.objects("mapping") {
            endpoints.append(try parseUplinkEndpoint(entry, connectorStrategy: reportStrategy))
        }
        let requests = try root.child("requestsMapping")
        if let requests {
            for entry in try requests.objects("attributeRequests") {
                endpoints.append(try parseAttributeRequestEndpoint(entry))
            }
        }
        var seen: [String: String] = [:]
        for endpoint in endpoints {
            if let first = seen[endpoint.path] {
                throw ConfigError(file: file, keyPath: "\(endpoint.configPath).endpoint",
                                  expected: "a path not already used by \(first)", found: "\"\(endpoint.path)\"")
            }
            seen[endpoint.path] = endpoint.configPath
        }
        return RESTConnectorConfiguration(server: server, endpoints: endpoints, requestsMapping: requests,
                                          reportStrategy: reportStrategy, legacyRewrites: rewrites)
    }

    // MARK: server

    static func parseServer(_ reader: ConfigReader) throws(ConfigError) -> RESTServerConfiguration {
        let host = try reader.string("host", default: nil)
        let port = try reader.int("port", default: 5000, in: 0...65535)
        var tls: RESTServerConfiguration.TLSFiles?
        if try reader.bool("SSL", default: false) {
            // The reference generates a self-signed certificate when `security` is missing; a
            // gateway should not invent its own identity, so the files are required here.
            guard let security = try reader.child("security") else {
                throw reader.failure("security", expected: "an object {cert, key} with PEM file paths (SSL is true)",
                                     found: nil)
            }
            tls = .init(certificateFile: expandingTilde(try security.string("cert", default: nil)),
                        keyFile: expandingTilde(try security.string("key", default: nil)))
        }
        let maxBodySize = try reader.int("maxBodySize", default: RESTServerConfiguration.defaultMaxBodySize,
                                         in: 1...Int(Int32.max))
        return RESTServerConfiguration(host: host, port: port, tls: tls, maxBodySize: maxBodySize)
    }

    /// `~/ssl/cert.pem` as the reference's users write it.
    static func expandingTilde(_ path: String) -> String {
        guard path.hasPrefix("~/"), let home = ProcessInfo.processInfo.environment["HOME"] else { return path }
        return home + path.dropFirst()
    }

    // MARK: endpoints

    static func parseEndpointBasics(_ entry: ConfigReader) throws(ConfigError)
        -> (path: String, methods: [String], security: RESTEndpointSecurity)
    {
        let path = try entry.string("endpoint", default: nil)
        guard path.hasPrefix("/") else {
            throw entry.failure("endpoint", expected: "a path starting with \"/\"", found: .string(path))
        }
        do {
            _ = try RESTPathPattern(path)
        } catch {
            throw entry.failure("endpoint", expected: "a path (\(error.reason))", found: .string(path))
        }
        var methods: [String] = []
        if let list = try entry.array("HTTPMethods") {
            for (index, element) in list.enumerated() {
                guard case .string(let name) = element, !name.isEmpty,
                      name.allSatisfy({ $0.isLetter }) else {
                    throw ConfigError(file: entry.file, keyPath: "\(entry.keyPath("HTTPMethods"))[\(index)]",
                                      expected: "an HTTP method name such as \"POST\"",
                                      found: ConfigReader.describe(element))
                }
                let upper = name.uppercased()
                if !methods.contains(upper) { methods.append(upper) }
            }
        } else {
            methods = ["POST"]
        }
        guard !methods.isEmpty else {
            throw entry.failure("HTTPMethods", expected: "a non-empty list of HTTP methods", found: .array([]))
        }
        let security: RESTEndpointSecurity
        switch try HTTPSecurity.parse(in: entry) {
        case .anonymous: security = .anonymous
        case .basic(let username, let password): security = .basic(username: username, password: password)
        case .certificate:
            throw ConfigError(file: entry.file, keyPath: entry.keyPath("security.type"),
                              expected: "\"anonymous\" or \"basic\" for an endpoint", found: "\"cert\"")
        }
        return (path, methods, security)
    }

    static func parseUplinkEndpoint(_ entry: ConfigReader, connectorStrategy: ReportStrategy?) throws(ConfigError)
        -> RESTEndpoint
    {
        let (path, methods, security) = try parseEndpointBasics(entry)
        guard let converter = try entry.child("converter") else {
            throw entry.failure("converter", expected: "an object with the converter's type", found: nil)
        }
        let spec: RESTUplinkConverterSpec
        if converter.has("extension") || converter.value("type")?.stringValue == "custom" {
            spec = try parseCustomConverter(converter)
        } else {
            _ = try converter.choice("type", of: ["json", "custom"], default: "json")
            spec = .json(try parseJSONConverter(converter))
        }
        var strategy = try ReportStrategy.parse(in: entry)
        if strategy == nil { strategy = try ReportStrategy.parse(in: converter) }
        let response = try entry.child("response").map { reader throws(ConfigError) in try parseResponse(reader) }
        let mapping = RESTUplinkMapping(response: response ?? .immediate, converter: spec,
                                        reportStrategy: strategy ?? connectorStrategy)
        return RESTEndpoint(path: path, methods: methods, security: security, kind: .uplink(mapping),
                            configPath: entry.path)
    }

    static func parseJSONConverter(_ converter: ConfigReader) throws(ConfigError) -> RESTJSONConverter {
        guard let deviceInfo = try converter.child("deviceInfo") else {
            throw converter.failure("deviceInfo", expected: "an object with deviceNameExpression", found: nil)
        }
        guard let name = try RESTDeviceExpression.parse(deviceInfo, prefix: "deviceName") else {
            throw deviceInfo.failure("deviceNameExpression", expected: "a non-empty string", found: nil)
        }
        return RESTJSONConverter(deviceName: name,
                                 deviceProfile: try RESTDeviceExpression.parse(deviceInfo, prefix: "deviceProfile"),
                                 mapper: try JSONDatapointMapper(converter))
    }

    static func parseCustomConverter(_ converter: ConfigReader) throws(ConfigError) -> RESTUplinkConverterSpec {
        let name = try converter.string("extension", default: nil)
        guard let factory = RESTCustomConverters.factory(named: name) else {
            throw converter.failure("extension", expected: "a registered custom converter (known: "
                                    + RESTCustomConverters.registeredNames.joined(separator: ", ") + ")",
                                    found: .string(name))
        }
        let setup = RESTCustomConverterSetup(name: name, converter: converter,
                                             extensionConfig: converter.value("extensionConfig")
                                                 ?? converter.value("extension-config"))
        return .custom(name: name, converter: try factory(setup))
    }

    static func parseResponse(_ reader: ConfigReader) throws(ConfigError) -> RESTResponseSettings {
        let seconds = try reader.number("timeout", default: 120, positive: true)
        return RESTResponseSettings(responseExpected: try reader.bool("responseExpected", default: false),
                                    timeout: .milliseconds(Int64((seconds * 1000).rounded())),
                                    responseAttribute: try reader.string("responseAttribute", nonEmpty: true),
                                    successResponse: reader.value("successResponse"),
                                    unsuccessfulResponse: reader.value("unsuccessfulResponse"))
    }

    static func parseAttributeRequestEndpoint(_ entry: ConfigReader) throws(ConfigError) -> RESTEndpoint {
        let (path, methods, security) = try parseEndpointBasics(entry)
        let scope = try entry.choice("type", of: ["shared", "client"], default: "shared")
        let seconds = try entry.number("timeout", default: 10, positive: true)
        let nameText = try entry.string("deviceNameExpression", default: nil)
        let deviceName: ValueExpression
        do {
            deviceName = try ValueExpression(nameText)
        } catch {
            throw entry.failure("deviceNameExpression", expected: "a valid expression (\(error.reason))",
                                found: .string(nameText))
        }
        let attributeText = try entry.string("attributeNameExpression", default: nil)
        var attributeNames: [ValueExpression] = []
        do {
            let whole = try ValueExpression(attributeText)
            if whole.isConstant {
                attributeNames = [whole]
            } else {
                for placeholder in whole.placeholders {
                    attributeNames.append(try ValueExpression("${" + placeholder + "}"))
                }
            }
        } catch {
            throw entry.failure("attributeNameExpression", expected: "a valid expression (\(error.reason))",
                                found: .string(attributeText))
        }
        let rule = RESTAttributeRequestRule(clientScope: scope == "client", deviceName: deviceName,
                                            attributeNames: attributeNames,
                                            timeout: .milliseconds(Int64((seconds * 1000).rounded())))
        return RESTEndpoint(path: path, methods: methods, security: security, kind: .attributeRequest(rule),
                            configPath: entry.path)
    }
}
