import Logging
import MQTT
import NIOCore
import TestSupport
import Testing

@Suite("MQTT over TLS against a real mosquitto", .timeLimit(.minutes(3)))
struct TLSIntegrationTests {
    private func tlsClient(_ port: Int, id: String, tls: MQTTTLSConfiguration) -> MQTTClient {
        MQTTClient(configuration: MQTTClientConfiguration(host: "127.0.0.1", port: port, clientID: id, tls: tls,
                                                          connectTimeout: .seconds(60)),
                   logger: Logger(label: "test.tls"))
    }

    @Test func verifiedServerCertificate() async throws {
        let pki = try TestCertificates()
        let broker = try Mosquitto(tls: .init(caFile: pki.caFile, certFile: pki.serverCertFile, keyFile: pki.serverKeyFile))
        defer { broker.stop() }
        let client = tlsClient(try #require(broker.tlsPort), id: "tls-ok", tls: MQTTTLSConfiguration(caCertificateFile: pki.caFile))
        _ = try await client.connect()
        _ = try await client.subscribe([MQTTSubscription(filter: "s")])
        _ = try await client.publish(MQTTMessage(topic: "s", payload: "secret"))
        #expect(try await collect(client, count: 1).map(\.payload.text) == ["secret"])
        await client.shutdown()

        // "localhost" as the verified name also matches the SAN.
        var named = MQTTTLSConfiguration(caCertificateFile: pki.caFile)
        named.serverName = "localhost"
        let byName = tlsClient(try #require(broker.tlsPort), id: "tls-name", tls: named)
        _ = try await byName.connect()
        await byName.shutdown()
    }

    @Test func wrongCAIsRejectedWithoutPlaintextFallback() async throws {
        let pki = try TestCertificates()
        let other = try TestCertificates(label: "other-pki")
        let broker = try Mosquitto(tls: .init(caFile: pki.caFile, certFile: pki.serverCertFile, keyFile: pki.serverKeyFile))
        defer { broker.stop() }
        let client = tlsClient(try #require(broker.tlsPort), id: "tls-bad", tls: MQTTTLSConfiguration(caCertificateFile: other.caFile))
        await #expect(throws: (any Error).self) { _ = try await client.connect() }
        #expect(!client.isConnected)
        // The plaintext listener is right there; the client must not have used it.
        let plainClient = tlsClient(broker.port, id: "tls-on-plain", tls: MQTTTLSConfiguration(caCertificateFile: pki.caFile))
        await #expect(throws: (any Error).self) { _ = try await plainClient.connect() }
        #expect(!plainClient.isConnected)
        await client.shutdown()
        await plainClient.shutdown()
    }

    @Test func hostnameMismatchFailsUnlessInsecure() async throws {
        let pki = try TestCertificates(serverNames: ["broker.example"])
        let broker = try Mosquitto(tls: .init(caFile: pki.caFile, certFile: pki.serverCertFile, keyFile: pki.serverKeyFile))
        defer { broker.stop() }
        let port = try #require(broker.tlsPort)
        let strict = tlsClient(port, id: "strict", tls: MQTTTLSConfiguration(caCertificateFile: pki.caFile))
        await #expect(throws: (any Error).self) { _ = try await strict.connect() }
        let insecure = tlsClient(port, id: "insecure",
                                 tls: MQTTTLSConfiguration(caCertificateFile: pki.caFile, verifyHostname: false))
        _ = try await insecure.connect()
        #expect(insecure.isConnected)
        await strict.shutdown()
        await insecure.shutdown()
    }

    @Test func clientCertificateAccepted() async throws {
        let pki = try TestCertificates()
        let broker = try Mosquitto(tls: .init(caFile: pki.caFile, certFile: pki.serverCertFile, keyFile: pki.serverKeyFile,
                                              requireClientCertificate: true))
        defer { broker.stop() }
        let port = try #require(broker.tlsPort)
        let withCert = tlsClient(port, id: "cert", tls: MQTTTLSConfiguration(
            caCertificateFile: pki.caFile, certificateFile: pki.clientCertFile, privateKeyFile: pki.clientKeyFile))
        _ = try await withCert.connect()
        #expect(withCert.isConnected)
        await withCert.shutdown()
        let withoutCert = tlsClient(port, id: "nocert", tls: MQTTTLSConfiguration(caCertificateFile: pki.caFile))
        await #expect(throws: (any Error).self) { _ = try await withoutCert.connect() }
        await withoutCert.shutdown()
    }
}
