import Foundation
import Testing
import TestSupport
@testable import OPCUA

/// The whole secure path against the real asyncua server (`opcua_server.py --secure --users`):
/// Basic256Sha256 SignAndEncrypt channel, the server certificate taken from GetEndpoints, a
/// generated client application certificate, and a user name whose password travels encrypted.
@Suite("OPC UA Basic256Sha256 end to end against asyncua", .serialized)
struct SecurityEndToEndTests {
    static func secureOptions(_ peer: OPCUAPeer, identity: OPCUAIdentity,
                                      client: OPCUAApplicationIdentity) -> OPCUAClientOptions {
        var options = OPCUAClientOptions(endpointURL: peer.endpointURL)
        options.securityPolicy = .basic256Sha256
        options.securityMode = .signAndEncrypt
        options.certificate = client.certificate
        options.privateKey = client.privateKey
        options.applicationURI = "urn:swift-iot-gateway:test-client"
        options.identity = identity
        // Generous: the Python server is slow to answer while the 2-core machine is busy.
        options.requestTimeout = .seconds(20)
        options.connection.connectTimeout = .seconds(20)
        return options
    }

    @Test func signAndEncryptWithUserNameReadsWritesAndSubscribes() async throws {
        let scratch = try makeScratchDirectory("opcua-secure-e2e")
        let peer = try await OPCUAPeer.start(in: scratch, options: [
            "--secure", "--users", "--cert-dir", scratch.appendingPathComponent("server-pki").path,
        ])
        defer { peer.stop() }
        let identity = try OPCUAApplicationIdentity.generateSelfSigned(
            applicationURI: "urn:swift-iot-gateway:test-client", hostName: "localhost", commonName: "tbgw-test-client")

        let client = OPCUAClient(options: Self.secureOptions(
            peer, identity: .userName("tbuser", password: "tbpass"), client: identity))
        try await client.connect()
        let status = NodeId.string("Status", namespace: UInt16(peer.namespaceIndex))
        #expect(try await client.readValues([status])[0].value == .string("ok"))
        #expect(try await client.writeValue(.string("secured"), to: status) == .good)
        #expect(try await client.readValues([status])[0].value == .string("secured"))

        let subscription = try await client.createSubscription(
            OPCUASubscriptionParameters(publishingInterval: .milliseconds(100)))
        let counter = NodeId.string("Counter", namespace: UInt16(peer.namespaceIndex))
        _ = try await client.monitor([OPCUAMonitoredItem(nodeId: counter, clientHandle: 1,
                                                         samplingInterval: .milliseconds(100))], in: subscription)
        var received = 0
        changes: for await batch in client.dataChanges {
            for change in batch where change.clientHandle == 1 {
                received += 1
                if received == 3 { break changes }
            }
        }
        #expect(received == 3)
        await client.disconnect()

        // The password is checked by the server through the encrypted token: a wrong one is refused.
        let wrong = OPCUAClient(options: Self.secureOptions(
            peer, identity: .userName("tbuser", password: "wrong"), client: identity))
        await #expect(throws: (any Error).self) { try await wrong.connect() }
        await wrong.disconnect()
    }
}

/// X.509 user identity against asyncua (`opcua_server.py --secure --x509-user CERT`): the user
/// certificate travels in an X509IdentityToken and its key signs the server's challenge, which
/// asyncua verifies before it compares the certificate with the one it trusts.
@Suite("OPC UA X.509 user identity against asyncua", .serialized)
struct X509UserIdentityTests {
    @Test(arguments: [OPCUASecurityPolicy.none, .basic256Sha256])
    func aTrustedUserCertificateLogsInAndAnUnknownOneIsRefused(channel: OPCUASecurityPolicy) async throws {
        let scratch = try makeScratchDirectory("opcua-x509-user")
        let user = try OPCUAApplicationIdentity.generateSelfSigned(
            applicationURI: "urn:swift-iot-gateway:operator", hostName: "localhost", commonName: "operator")
        let userFile = scratch.appendingPathComponent("operator.der")
        try Data(user.certificate.der).write(to: userFile)
        let peer = try await OPCUAPeer.start(in: scratch, options: [
            "--secure", "--x509-user", userFile.path, "--cert-dir", scratch.appendingPathComponent("server-pki").path,
        ])
        defer { peer.stop() }
        let application = try OPCUAApplicationIdentity.generateSelfSigned(
            applicationURI: "urn:swift-iot-gateway:test-client", hostName: "localhost", commonName: "tbgw-test-client")

        func options(_ identity: OPCUAIdentity) -> OPCUAClientOptions {
            var options = SecurityEndToEndTests.secureOptions(peer, identity: identity, client: application)
            if channel == .none {
                options.securityPolicy = .none
                options.securityMode = .none
            }
            return options
        }

        let client = OPCUAClient(options: options(.certificate(user.certificate, privateKey: user.privateKey)))
        try await client.connect()
        let status = NodeId.string("Status", namespace: UInt16(peer.namespaceIndex))
        #expect(try await client.writeValue(.string("by operator"), to: status) == .good)
        #expect(try await client.readValues([status])[0].value == .string("by operator"))
        await client.disconnect()

        // A certificate the server does not trust, and the trusted certificate signed by the wrong key.
        let stranger = try OPCUAApplicationIdentity.generateSelfSigned(
            applicationURI: "urn:swift-iot-gateway:stranger", hostName: "localhost", commonName: "stranger")
        for identity in [OPCUAIdentity.certificate(stranger.certificate, privateKey: stranger.privateKey),
                         .certificate(user.certificate, privateKey: stranger.privateKey)] {
            let refused = OPCUAClient(options: options(identity))
            await #expect(throws: (any Error).self) { try await refused.connect() }
            await refused.disconnect()
        }
        // Anonymous is not offered: the client says so instead of trying.
        let anonymous = OPCUAClient(options: options(.anonymous))
        await #expect(throws: OPCUAClientError.identityNotSupported("anonymous")) { try await anonymous.connect() }
        await anonymous.disconnect()
    }
}
