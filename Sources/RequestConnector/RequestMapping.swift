import Expressions
import GatewayKit
import HTTPConnectorKit
import Logging
import NIOHTTP1

/// One `mapping[]` entry: an endpoint polled every `scanPeriod` seconds and the converter
/// that turns its answer into device readings.
public struct RequestMapping: Sendable {
    /// Where the entry is in the config (`mapping[2]`), for log lines.
    public let configPath: String
    /// As written (`getdata`, `/devices`, or absolute).
    public let url: String
    /// Absolute: the base URL joined with `url`.
    public let resolvedURL: String
    public let httpMethod: String
    public let headers: HTTPHeaders
    /// `content` (JSON, sent compact with `Content-Type: application/json` unless the headers
    /// name one) or `data` (text, sent as is). Not sent with GET and HEAD.
    public let body: [UInt8]?
    public let timeout: Duration
    public let tries: Int
    public let scanPeriod: Duration
    public let allowRedirects: Bool
    public let verifyCertificates: Bool
    public let security: HTTPSecurity
    /// Selects the records in the answer (`${data.devices}`); nil: the whole answer.
    public let dataUnpack: ValueExpression?
    public let subRequests: [RequestSubRequest]
    public let converter: any RequestUplinkConverter
    /// `converter.type`: "json" or "custom" (for logs).
    public let converterName: String

    /// The mapping as `HTTPOutgoingRequest` (the same on every poll).
    public var request: HTTPOutgoingRequest {
        HTTPOutgoingRequest(method: httpMethod, url: resolvedURL, headers: headers, body: body, timeout: timeout,
                            tries: tries, followRedirects: allowRedirects, verifyCertificates: verifyCertificates,
                            security: security)
    }

    /// Why a mapping was left out while the others run (an unknown custom converter).
    public struct Skipped: Error, Sendable, CustomStringConvertible {
        public var configPath: String
        public var reason: String
        public var description: String { "\(configPath): \(reason)" }
    }

    init(_ reader: ConfigReader, root: RequestConnectorConfiguration.Root, logger: Logger) throws(ConfigError) {
        configPath = reader.path
        url = try reader.string("url", default: nil)
        resolvedURL = HTTPURL.resolve(url, base: root.baseURL)
        let method = try reader.string("httpMethod", default: "GET").uppercased()
        guard method.utf8.allSatisfy({ $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }) else {
            throw reader.failure("httpMethod", expected: "an HTTP method such as \"GET\" or \"POST\"", found: reader.value("httpMethod"))
        }
        httpMethod = method
        var headers = try Self.headers(reader)
        body = try Self.body(reader, method: method, headers: &headers)
        self.headers = headers
        timeout = try reader.number("timeout", positive: true).map(Duration.configSeconds) ?? .seconds(1)
        tries = try reader.int("tries", default: 1, in: 1...100)
        scanPeriod = try reader.number("scanPeriod", positive: true).map(Duration.configSeconds) ?? .seconds(10)
        allowRedirects = try reader.bool("allowRedirects", default: false)
        verifyCertificates = try reader.bool("SSLVerify", default: root.verifyCertificates)
        security = try HTTPSecurity.parse(in: reader, default: root.security)
        if let text = try reader.string("dataUnpackExpression", nonEmpty: false), !text.isEmpty {
            // The reference accepts the path with or without `${...}`.
            let source = text.contains("${") ? text : "${" + text + "}"
            do {
                dataUnpack = try ValueExpression(source)
            } catch {
                throw reader.failure("dataUnpackExpression", expected: "a valid path expression (\(error.reason))",
                                     found: .string(text))
            }
        } else {
            dataUnpack = nil
        }
        guard let converterReader = try reader.child("converter") else {
            throw reader.failure("converter", expected: "an object with type \"json\" or \"custom\"", found: nil)
        }
        let reportStrategy = try ReportStrategy.parse(in: reader)
        let type = try converterReader.choice("type", of: ["json", "custom"], default: "json")
        converterName = type
        if type == "custom" {
            let name = try converterReader.string("extension", default: nil)
            guard let factory = RequestCustomConverters.factory(named: name) else {
                // The configuration loader checks this first and leaves the mapping out.
                throw converterReader.failure("extension", expected: "a registered custom converter (available: "
                                              + RequestCustomConverters.availableNames.joined(separator: ", ") + ")",
                                              found: .string(name))
            }
            let extensionKey = converterReader.has("extension-config") ? "extension-config" : "extensionConfig"
            let setup = RequestCustomConverterSetup(name: name, converter: converterReader,
                                                    extensionConfig: converterReader.value(extensionKey),
                                                    reportStrategy: reportStrategy, logger: logger)
            do {
                converter = try factory(setup)
            } catch let error as ConfigError {
                throw error
            } catch {
                throw converterReader.failure("extension", expected: "a converter that accepts this configuration (\(error))",
                                              found: .string(name))
            }
        } else {
            converter = try RequestJSONConverter(converterReader, reportStrategy: reportStrategy)
        }
        subRequests = try RequestSubRequest.list(reader)
    }

    /// `httpHeaders`: names to values (numbers and booleans as text).
    private static func headers(_ reader: ConfigReader) throws(ConfigError) -> HTTPHeaders {
        guard let object = try reader.child("httpHeaders") else { return [:] }
        var headers = HTTPHeaders()
        for (name, value) in object.object {
            switch value {
            case .string(let text): headers.add(name: name, value: text)
            case .int, .uint, .double, .bool: headers.add(name: name, value: PythonText.str(value))
            default: throw object.failure(name, expected: "a string", found: value)
            }
        }
        return headers
    }

    private static func body(_ reader: ConfigReader, method: String, headers: inout HTTPHeaders) throws(ConfigError) -> [UInt8]? {
        guard method != "GET", method != "HEAD" else { return nil }
        if let content = reader.value("content") {
            if !headers.contains(name: "Content-Type") { headers.add(name: "Content-Type", value: "application/json") }
            return content.jsonBytes
        }
        if let data = reader.value("data") {
            if case .string(let text) = data { return Array(text.utf8) }
            if !headers.contains(name: "Content-Type") { headers.add(name: "Content-Type", value: "application/json") }
            return data.jsonBytes
        }
        return nil
    }
}
