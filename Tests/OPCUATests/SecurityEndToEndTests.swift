import Foundation
import Testing
import TestSupport
@testable import OPCUA

/// The whole secure path against the real asyncua server (`opcua_server.py --secure --users`):
/// Basic256Sha256 SignAndEncrypt channel, the server certificate taken from GetEndpoints, a
/// generated client application certificate, and a user name whose password travels encrypted.
@Suite("OPC UA Basic256Sha256 end to end against asyncua", .serialized)
struct SecurityEndToEndTests {
    private static func secureOptions(_ peer: OPCUAPeer, identity: OPCUAIdentity,
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
