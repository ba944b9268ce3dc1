import Foundation
import Modbus
import NIOSSL
import Testing
import TestSupport

/// Modbus/TCP security: socket framing over TLS, our client against our server, with a throw-away CA.
@Suite struct TLSTests {
    @Test func clientAndServerTalkOverTLSAndAWrongCAIsRefused() async throws {
        let pki = try TestCertificates(label: "modbus-pki")
        var serverConfiguration = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMFile(pki.serverCertFile).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(file: pki.serverKeyFile, format: .pem)))
        serverConfiguration.minimumTLSVersion = .tlsv12
        let store = ModbusDataStore(holdingRegisters: 2)
        try store.write(.holdingRegisters, unitId: 1, address: 0, registers: [11, 22])
        let server = ModbusServer(endpoint: .tcp(host: "127.0.0.1", port: 0), framing: .socket, store: store,
                                  tls: try NIOSSLContext(configuration: serverConfiguration))
        try await server.start()
        let port = try #require(server.boundPort)

        var clientConfiguration = TLSConfiguration.makeClientConfiguration()
        clientConfiguration.trustRoots = .file(pki.caFile)
        let client = ModbusClient(endpoint: .tcp(host: "127.0.0.1", port: port), framing: .socket,
                                  tls: try NIOSSLContext(configuration: clientConfiguration))
        try await client.connect(timeout: .seconds(5))
        #expect(try await client.send(.readHoldingRegisters(address: 0, count: 2), unitId: 1, timeout: .seconds(5))
                == .registers([11, 22]))
        await client.close()

        // A client trusting another CA fails the handshake.
        let otherPKI = try TestCertificates(label: "modbus-other-pki")
        var wrongConfiguration = TLSConfiguration.makeClientConfiguration()
        wrongConfiguration.trustRoots = .file(otherPKI.caFile)
        let distrusting = ModbusClient(endpoint: .tcp(host: "127.0.0.1", port: port), framing: .socket,
                                       tls: try NIOSSLContext(configuration: wrongConfiguration))
        // connect waits for the handshake, so the refusal shows there, with the TLS reason.
        await #expect(throws: NIOSSLError.self) { try await distrusting.connect(timeout: .seconds(5)) }
        #expect(await waitUntil(timeout: 5) { await !distrusting.isConnected })
        await server.stop()
    }
}
