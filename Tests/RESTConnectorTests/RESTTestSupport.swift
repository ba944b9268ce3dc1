import AsyncHTTPClient
import Foundation
import GatewayKit
import Logging
import NIOCore
import NIOHTTP1
@testable import RESTConnector
import TestSupport

/// A REST connector running on a free port of 127.0.0.1 for one test.
struct RunningRESTConnector {
    let connector: RESTConnector
    let context: RecordingContext
    let port: Int
    let task: Task<Void, any Error>
    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Builds the connector from `config` (its `server.port` replaced by a free port), runs it
    /// and waits until it listens.
    static func start(_ config: JSONValue, context: RecordingContext = RecordingContext(),
                      maximumHeldRequests: Int = 1024, logger: Logger? = nil,
                      converterLogger: Logger? = nil) async throws -> RunningRESTConnector {
        let port = freeTCPPort()
        guard case .object(var root) = config, case .object(var server)? = root["server"] else {
            throw TestFailure("config needs a server object")
        }
        server["port"] = .int(Int64(port))
        root["server"] = .object(server)
        var debug = Logger(label: "rest-test")
        debug.logLevel = .debug
        let logger = logger ?? debug
        let configuration = try RESTConnectorConfiguration.parse(.object(root), file: "rest.json")
        let connector = try RESTConnector(identity: ConnectorIdentity(name: "REST Connector", type: "rest", id: "r1"),
                                          configuration: configuration, configurationFile: "rest.json",
                                          context: context, logger: logger, converterLogger: converterLogger,
                                          maximumHeldRequests: maximumHeldRequests)
        let task = Task { try await connector.run() }
        guard await waitUntil(timeout: 10, { isTCPPortOpen(port) }) else {
            task.cancel()
            throw TestFailure("REST connector did not listen on \(port)")
        }
        return RunningRESTConnector(connector: connector, context: context, port: port, task: task)
    }

    /// Cancels the connector and waits for `run()` to return; rethrows what it threw.
    func stop() async throws {
        task.cancel()
        try await task.value
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// What a test sees of an HTTP reply.
struct HTTPResult: Sendable {
    var status: Int
    var headers: HTTPHeaders
    var body: String
}

/// Sends one request with AsyncHTTPClient (a real HTTP client over TCP).
func httpRequest(_ method: HTTPMethod, _ url: String, body: String? = nil, headers: [(String, String)] = [],
                 client: HTTPClient = .shared, timeout: TimeAmount = .seconds(20)) async throws -> HTTPResult {
    var request = HTTPClientRequest(url: url)
    request.method = method
    for (name, value) in headers { request.headers.add(name: name, value: value) }
    if let body { request.body = .bytes(ByteBuffer(string: body)) }
    let response = try await client.execute(request, timeout: timeout)
    let bytes = try await response.body.collect(upTo: 1 << 20)
    return HTTPResult(status: Int(response.status.code), headers: response.headers,
                      body: String(buffer: bytes))
}

func basicAuthorization(_ user: String, _ password: String) -> (String, String) {
    ("Authorization", "Basic " + Data("\(user):\(password)".utf8).base64EncodedString())
}

/// Parses a JSON literal written in a test.
func json(_ text: String) throws -> JSONValue { try JSONValue.parse(text) }
