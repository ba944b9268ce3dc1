import Foundation
import GatewayKit
import Logging
import MQTT
import NIOCore
import Testing
import TestSupport
@testable import MQTTConnector

/// `broker.security` against a real mosquitto: password login and TLS with client certificates.
@Suite(.serialized) struct BrokerSecurityTests {
    func run(_ text: String, publishTo port: Int, username: String? = nil, password: String? = nil) async throws
        -> MQTTConnectorStatistics.Snapshot
    {
        let context = RecordingContext()
        let configuration = try MQTTConnectorConfiguration.parse(try JSONValue.parse(text), file: "mqtt.json")
        let connector = try MQTTConnector(identity: BrokerIntegrationTests.identity, configuration: configuration,
                                          configurationFile: "mqtt.json", context: context,
                                          logger: Logger(label: "mqtt-connector-test"))
        let task = Task { try await connector.run() }
        defer { task.cancel() }
        let subscribed = await waitUntil(timeout: 15) { connector.statistics.snapshot.subscribedConnections >= 1 }
        try #require(subscribed, "not subscribed: \(connector.statistics.snapshot)")

        let device = MQTTClient(configuration: MQTTClientConfiguration(
            host: "127.0.0.1", port: port, clientID: "secure-device", username: username,
            password: password.map { Array($0.utf8) }), logger: Logger(label: "device"))
        _ = try await device.connect()
        _ = try await device.publish(MQTTMessage(topic: "sensor/secure/data", payload: #"{"temp": 30}"#))
        await device.shutdown()
        #expect(await context.waitFor { !$0.received(device: "secure").isEmpty })
        task.cancel()
        try await task.value
        return connector.statistics.snapshot
    }

    @Test func basicLoginWithUsernameAndPassword() async throws {
        let broker = try await offPool { try Mosquitto(users: ["gateway": "s3cret", "device": "d3vice"]) }
        let text = """
            {"broker": {"host": "127.0.0.1", "port": \(broker.port), "version": 4,
                        "security": {"type": "basic", "username": "gateway", "password": "s3cret"}},
             "mapping": [\(sensorMapping)]}
            """
        let stats = try await run(text, publishTo: broker.port, username: "device", password: "d3vice")
        #expect(stats.connections == 1)
        await stopBroker(broker)
    }

    @Test func tlsWithAClientCertificate() async throws {
        let pki = try await offPool { try TestCertificates(label: "mqtt-connector-pki") }
        let broker = try await tlsBroker(pki, requireClientCertificate: true)
        let tlsPort = try #require(broker.tlsPort)
        let text = """
            {"broker": {"host": "127.0.0.1", "port": \(tlsPort),
                        "security": {"type": "certificates", "pathToCACert": "\(pki.caFile)",
                                     "pathToClientCert": "\(pki.clientCertFile)", "pathToPrivateKey": "\(pki.clientKeyFile)"}},
             "mapping": [\(sensorMapping)]}
            """
        // The device publishes on the plain listener; the connector reads over TLS.
        let stats = try await run(text, publishTo: broker.port)
        #expect(stats.connections == 1)
        #expect(stats.failedConnectionAttempts == 0)
        await stopBroker(broker)
    }
}

extension BrokerSecurityTests {
    /// As the reference: `pathToClientCert` alone works when that file holds the key too.
    @Test func tlsWithACertificateFileThatHoldsItsKey() async throws {
        let pki = try await offPool { try TestCertificates(label: "mqtt-connector-pki-combined") }
        let combined = URL(fileURLWithPath: pki.clientCertFile).deletingLastPathComponent()
            .appendingPathComponent("client-with-key.pem").path
        let pem = try String(contentsOfFile: pki.clientCertFile, encoding: .utf8)
            + String(contentsOfFile: pki.clientKeyFile, encoding: .utf8)
        try pem.write(toFile: combined, atomically: true, encoding: .utf8)
        let broker = try await tlsBroker(pki, requireClientCertificate: true)
        let tlsPort = try #require(broker.tlsPort)
        let text = """
            {"broker": {"host": "127.0.0.1", "port": \(tlsPort),
                        "security": {"type": "certificates", "pathToCACert": "\(pki.caFile)", "pathToClientCert": "\(combined)"}},
             "mapping": [\(sensorMapping)]}
            """
        let stats = try await run(text, publishTo: broker.port)
        #expect(stats.connections == 1)
        #expect(stats.failedConnectionAttempts == 0)
        await stopBroker(broker)
        // A certificate file without a key is a configuration error naming the key to set.
        #expect { try parse(text.replacingOccurrences(of: combined, with: pki.clientCertFile)) } throws: { error in
            "\(error)".contains("pathToPrivateKey")
        }
    }

    /// As the reference: a `caCert` key turns TLS on whatever the type, here with a login.
    @Test func basicLoginOverTLSWhenACaCertKeyIsPresent() async throws {
        let pki = try await offPool { try TestCertificates(label: "mqtt-connector-pki-basic") }
        let broker = try await tlsBroker(pki, users: ["gateway": "s3cret", "device": "d3vice"], requireClientCertificate: false)
        let tlsPort = try #require(broker.tlsPort)
        let text = """
            {"broker": {"host": "127.0.0.1", "port": \(tlsPort),
                        "security": {"type": "basic", "username": "gateway", "password": "s3cret",
                                     "caCert": true, "pathToCACert": "\(pki.caFile)"}},
             "mapping": [\(sensorMapping)]}
            """
        let stats = try await run(text, publishTo: broker.port, username: "device", password: "d3vice")
        #expect(stats.connections == 1)
        #expect(stats.failedConnectionAttempts == 0)
        await stopBroker(broker)
    }
}

/// A mosquitto with a TLS listener using the test PKI's server certificate (and the plain one).
func tlsBroker(_ pki: TestCertificates, users: [String: String] = [:], requireClientCertificate: Bool) async throws -> Mosquitto {
    try await offPool {
        try Mosquitto(users: users, tls: .init(caFile: pki.caFile, certFile: pki.serverCertFile, keyFile: pki.serverKeyFile,
                                               requireClientCertificate: requireClientCertificate))
    }
}

/// Runs blocking set-up (processes, openssl) on a Dispatch thread, off the cooperative pool.
func offPool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(with: Result { try work() }) }
    }
}
