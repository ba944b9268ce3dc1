import AsyncHTTPClient
import GatewayKit
import NIOSSL
@testable import RESTConnector
import Testing
import TestSupport

/// `server.SSL` with `security{cert, key}`: devices reach the endpoint over HTTPS only.
@Suite(.serialized) struct TLSServerTests {
    @Test func httpsEndpointWithATestCertificate() async throws {
        let pki = try TestCertificates(label: "rest-tls")
        let config = """
        {"server": {"host": "127.0.0.1", "port": 0, "SSL": true,
                    "security": {"cert": "\(pki.serverCertFile)", "key": "\(pki.serverKeyFile)"}},
         "mapping": [{"endpoint": "/tls", "HTTPMethods": ["POST"],
           "converter": {"type": "json",
             "deviceInfo": {"deviceNameExpressionSource": "constant", "deviceNameExpression": "TLS Device"},
             "timeseries": [{"type": "int", "key": "n", "value": "${n}"}]}}]}
        """
        let running = try await RunningRESTConnector.start(try json(config))
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .file(pki.caFile)
        let client = HTTPClient(eventLoopGroupProvider: .singleton,
                                configuration: HTTPClient.Configuration(tlsConfiguration: tls))
        do {
            let reply = try await httpRequest(.POST, "https://127.0.0.1:\(running.port)/tls", body: #"{"n": 5}"#,
                                              client: client)
            #expect(reply.status == 200)
            // Plain HTTP on the TLS port gets no HTTP answer.
            let plain = try? await httpRequest(.POST, "http://127.0.0.1:\(running.port)/tls", body: #"{"n": 6}"#,
                                               timeout: .seconds(3))
            #expect(plain == nil || plain?.status != 200)
        } catch {
            try await client.shutdown()
            throw error
        }
        try await client.shutdown()
        #expect(await running.context.received.map { $0.telemetry.first?.values["n"] } == [5])
        try await running.stop()
    }

    @Test func missingCertificateFileIsAConfigError() throws {
        let config = try json("""
        {"server": {"host": "127.0.0.1", "port": 5000, "SSL": true,
                    "security": {"cert": "/nonexistent/cert.pem", "key": "/nonexistent/key.pem"}}, "mapping": []}
        """)
        let configuration = try RESTConnectorConfiguration.parse(config, file: "rest.json")
        let error = #expect(throws: ConfigError.self) {
            _ = try RESTConnector(identity: ConnectorIdentity(name: "r", type: "rest", id: "1"),
                                  configuration: configuration, configurationFile: "rest.json",
                                  context: RecordingContext(), logger: .init(label: "t"))
        }
        #expect(error?.keyPath == "server.security.cert")
    }
}
