import Foundation
import GatewayKit
import OPCUA
import Testing
import TestSupport
@testable import OPCUAConnector

/// The connector's `server.identity` on the wire, against asyncua (`opcua_server.py --secure
/// --x509-user`): a Basic256Sha256 SignAndEncrypt channel with the configured application
/// certificate, the server certificate checked against `caCert`, and the session activated as
/// the X.509 user of `userCert`/`userPrivateKey`.
@Suite(.serialized, .timeLimit(.minutes(2))) struct SecureIdentityTests {
    @Test func userCertificateAndTrustedServerCertificateFromTheConfig() async throws {
        let scratch = try makeScratchDirectory("opcua-connector-identity")
        func path(_ name: String) -> String { scratch.appendingPathComponent(name).path }
        let user = try OPCUAApplicationIdentity.generateSelfSigned(
            applicationURI: "urn:plant:operator", hostName: "localhost", commonName: "operator")
        try user.save(certificateFile: path("operator.der"), privateKeyFile: path("operator-key.pem"))
        let application = try OPCUAApplicationIdentity.generateSelfSigned(
            applicationURI: "urn:swift-iot-gateway:client", hostName: "localhost", commonName: "gateway")
        try application.save(certificateFile: path("gateway.der"), privateKeyFile: path("gateway-key.pem"))
        let stranger = try OPCUAApplicationIdentity.generateSelfSigned(
            applicationURI: "urn:elsewhere", hostName: "localhost", commonName: "stranger")
        try stranger.save(certificateFile: path("stranger.der"), privateKeyFile: path("stranger-key.pem"))

        let peer = try await OPCUAPeer.start(in: scratch, options: [
            "--secure", "--x509-user", path("operator.der"), "--cert-dir", path("server-pki"),
        ])
        defer { peer.stop() }

        func options(caCert: String) throws -> OPCUAClientOptions {
            let json: JSONValue = ["server": [
                "url": .string(peer.endpointURL), "security": "Basic256Sha256", "timeoutInMillis": 20000,
                "identity": ["type": "cert.PEM", "cert": .string(path("gateway.der")),
                             "privateKey": .string(path("gateway-key.pem")), "caCert": .string(caCert),
                             "mode": "SignAndEncrypt", "userCert": .string(path("operator.der")),
                             "userPrivateKey": .string(path("operator-key.pem"))],
            ], "mapping": []]
            let configuration = try OPCUAConnectorConfiguration(json: json, file: "opcua.json")
            return try OPCUAClientOptions.make(for: configuration.server, file: "opcua.json")
        }

        let client = OPCUAClient(options: try options(caCert: path("server-pki/server-cert.der")))
        try await client.connect()
        let status = NodeId.string("Status", namespace: UInt16(peer.namespaceIndex))
        #expect(try await client.readValues([status])[0].value == .string("ok"))
        await client.disconnect()

        // A server whose certificate is not the configured caCert (nor issued by it) is refused.
        let distrusting = OPCUAClient(options: try options(caCert: path("stranger.der")))
        do {
            try await distrusting.connect()
            Issue.record("connected to a server the caCert does not vouch for")
        } catch {
            #expect("\(error)".contains("not trusted"), "\(error)")
        }
        await distrusting.disconnect()
    }

    @Test func userCertificateKeysAreCheckedInTheConfig() throws {
        func error(_ identity: JSONObject) -> ConfigError? {
            do {
                _ = try OPCUAConnectorConfiguration(json: ["server": ["url": "127.0.0.1:4840", "identity": .object(identity)],
                                                           "mapping": []], file: "opcua.json")
                return nil
            } catch { return error }
        }
        #expect(error(["userCert": "/u.der"])?.keyPath == "server.identity.userPrivateKey")
        #expect(error(["userPrivateKey": "/u.pem"])?.keyPath == "server.identity.userCert")
        #expect(error(["type": "username", "username": "op", "userCert": "/u.der", "userPrivateKey": "/u.pem"])?
            .keyPath == "server.identity.userCert")
        // A file that is not there is named with its key when the client options are made.
        let configuration = try OPCUAConnectorConfiguration(
            json: ["server": ["url": "127.0.0.1:4840", "identity": ["userCert": "/nonexistent/u.der", "userPrivateKey": "/u.pem"]],
                   "mapping": []], file: "opcua.json")
        do {
            _ = try OPCUAClientOptions.make(for: configuration.server, file: "opcua.json")
            Issue.record("a missing user certificate was accepted")
        } catch {
            #expect(error.keyPath == "server.identity.userCert" && error.file == "opcua.json", "\(error)")
        }
    }
}
