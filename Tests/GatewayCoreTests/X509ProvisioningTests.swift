@testable import GatewayCore
import Foundation
import GatewayKit
import Logging
import Testing
import TestSupport
import ThingsBoard
import X509

/// X509_CERTIFICATE provisioning as the reference does it: the gateway makes a key and a
/// self-signed certificate (cert.pem, key.pem in its configuration folder), sends the certificate
/// in the provisioning request over TLS, and its sessions then present that certificate. Real
/// mosquitto TLS listeners stand in for ThingsBoard; `mosquitto_pub` answers the request.
@Suite(.timeLimit(.minutes(2))) struct X509ProvisioningTests {
    @Test func theGatewayMakesACertificateSendsItAndItsSessionsPresentIt() async throws {
        let pki = try TestCertificates(label: "x509-provisioning")
        let provisioningBroker = try Mosquitto(tls: .init(caFile: pki.caFile, certFile: pki.serverCertFile, keyFile: pki.serverKeyFile))
        defer { provisioningBroker.stop() }
        let requests = try BrokerObserver(port: provisioningBroker.port, topics: ["/provision/request"])
        defer { requests.stop() }

        let directory = try makeScratchDirectory("x509-provisioning-config").path
        try FileManager.default.copyItem(atPath: pki.caFile, toPath: directory + "/ca.pem")
        try #"""
        {"thingsboard": {"host": "127.0.0.1", "port": \#(try #require(provisioningBroker.tlsPort)),
          "provisioning": {"type": "X509_CERTIFICATE", "provisionDeviceKey": "KEY", "provisionDeviceSecret": "SECRET",
                           "deviceName": "Line 3 gateway", "caCert": "ca.pem"}},
         "storage": {"type": "memory"}, "connectors": []}
        """#.write(toFile: directory + "/tb_gateway.json", atomically: true, encoding: .utf8)
        let loaded = try GatewayConfiguration.load(directory: directory, environment: [:])
        let options = GatewayOptions(configDirectory: directory, environment: [:])
        let logger = Logger(label: "test")

        let provisioning = Task { try await ThingsBoardConnectionFactory.make(loaded.configuration, options: options, logger: logger) }
        #expect(await waitUntil(timeout: 20) { !requests.messages().isEmpty }, "no provisioning request reached the broker")
        try mosquittoPublish(port: provisioningBroker.port, topic: "/provision/response",
                             payload: #"{"status":"SUCCESS","credentialsType":"X509_CERTIFICATE","credentialsValue":"abc"}"#)
        let connection = try await provisioning.value

        // The request: the reference's fields, the new certificate as its hash, over TLS.
        let request = try JSONValue.parse(Array(try #require(requests.messages().first).payload.utf8))
        let certificatePEM = try String(contentsOfFile: directory + "/cert.pem", encoding: .utf8)
        #expect(request["credentialsType"] == "X509_CERTIFICATE" && request["hash"]?.stringValue == certificatePEM)
        #expect(request["provisionDeviceKey"] == "KEY" && request["deviceName"] == "Line 3 gateway" && request["gateway"] == true)
        #expect(provisioningBroker.log().contains("u'provision'"))
        let certificate = try Certificate(pemEncoded: certificatePEM)
        #expect(certificate.subject.description == "CN=localhost" && certificate.issuer == certificate.subject)
        #expect(certificate.notValidAfter.timeIntervalSinceNow > 364 * 86_400)
        let keyPermissions = try FileManager.default.attributesOfItem(atPath: directory + "/key.pem")[.posixPermissions] as? Int
        #expect(keyPermissions == 0o600)
        #expect(ThingsBoardProvisioning.loadSavedAnswer(configDirectory: directory)?["caCert"] == "ca.pem")

        // The session: TLS verified with ThingsBoard's CA, presenting the new certificate. This
        // broker accepts only clients whose certificate it trusts: the provisioned one.
        #expect(connection.credentials == .x509Certificate)
        #expect(connection.tls?.caCertificateFile == directory + "/ca.pem")
        let thingsBoard = try Mosquitto(tls: .init(caFile: directory + "/cert.pem", certFile: pki.serverCertFile,
                                                   keyFile: pki.serverKeyFile, requireClientCertificate: true),
                                        extraConfig: ["use_identity_as_username true"])
        defer { thingsBoard.stop() }
        var session = connection
        session.port = try #require(thingsBoard.tlsPort)
        session.sessionLimitsTimeout = .milliseconds(300)
        let client = ThingsBoardClient(configuration: session, logger: logger)
        let run = Task { await client.run() }
        defer { run.cancel() }
        #expect(await waitUntil(timeout: 20, checking: { await client.state == .ready }), "broker log:\n\(thingsBoard.log())")
        #expect(thingsBoard.log().contains("u'localhost'"), "the broker took the certificate's CN as the identity")

        // The next start uses the saved credentials and the same files, without provisioning.
        let restarted = try await ThingsBoardConnectionFactory.make(loaded.configuration, options: options, logger: logger)
        #expect(restarted.credentials == .x509Certificate)
        #expect(restarted.tls?.certificateFile == directory + "/cert.pem" && restarted.tls?.privateKeyFile == directory + "/key.pem")
        #expect(requests.messages().count == 1)
    }

    @Test func x509ProvisioningWithoutACACertificateIsAConfigError() async throws {
        let directory = try makeScratchDirectory("x509-provisioning-no-ca").path
        try #"{"thingsboard": {"host": "127.0.0.1", "port": 8883, "provisioning": {"type": "X509_CERTIFICATE", "provisionDeviceKey": "K", "provisionDeviceSecret": "S"}}}"#
            .write(toFile: directory + "/tb_gateway.json", atomically: true, encoding: .utf8)
        let loaded = try GatewayConfiguration.load(directory: directory, environment: [:])
        await #expect {
            _ = try await ThingsBoardConnectionFactory.make(loaded.configuration, options: GatewayOptions(configDirectory: directory, environment: [:]),
                                                            logger: Logger(label: "test"))
        } throws: { error in
            (error as? ConfigError)?.keyPath == "thingsboard.provisioning.caCert"
        }
        #expect(!FileManager.default.fileExists(atPath: directory + "/key.pem"), "a key was made for a refused configuration")
    }
}
