import Foundation
import NIOCore
import Testing
@testable import OPCUA
import TestSupport

/// Cross-checks against the real peer's crypto: Tests/Peers/opcua_crypto.py runs asyncua 2.1.0's security policy
/// classes as the *server* of a channel whose client is this Swift code. Every direction is checked: chunks
/// sealed here are opened by asyncua and chunks sealed by asyncua are opened here.
@Suite("OPC UA security against asyncua's crypto")
struct SecurityAsyncuaTests {
    static let combinations: [(OPCUASecurityPolicy, OPCUASecurityMode)] = [
        (.basic256Sha256, .sign), (.basic256Sha256, .signAndEncrypt),
        (.aes128Sha256RsaOaep, .signAndEncrypt), (.aes256Sha256RsaPss, .signAndEncrypt),
        (.basic256, .signAndEncrypt), (.basic128Rsa15, .sign), (.basic128Rsa15, .signAndEncrypt),
    ]

    private static func payload(_ count: Int, seed: Int) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ seed) }
    }

    @Test("keys, MSG and OPN chunks both ways, session signatures and the password token agree with asyncua",
          arguments: combinations)
    func crossCheck(policy: OPCUASecurityPolicy, mode: OPCUASecurityMode) async throws {
        let identities = try SecurityTestIdentities.get()
        let security = try #require(try policy.makeChannelSecurity(
            mode: mode, localCertificate: identities.client.certificate, localPrivateKey: identities.client.privateKey,
            remoteCertificate: identities.server.certificate) as? OPCUASecureChannelSecurity)
        let clientNonce = security.makeNonce(), serverNonce = security.makeNonce()
        let nonces: [String: Any] = ["client_nonce": SecurityHex.string(clientNonce), "server_nonce": SecurityHex.string(serverNonce)]
        let keys = security.deriveSymmetricKeys(clientNonce: clientNonce, serverNonce: serverNonce)

        var ops: [[String: Any]] = [nonces.merging(["op": "derive"]) { $1 }]

        // MSG chunks sealed here, for asyncua to open; sizes cover several padding lengths and the largest body.
        let maxBody = security.maxSymmetricBodySize(chunkSize: 8192, securedFrom: 16)
        let symmetricSizes = [0, 1, 15, 16, 100, maxBody]
        for (index, size) in symmetricSizes.enumerated() {
            var (chunk, securedFrom) = SecurityChunkBuilder.symmetric(
                channelId: 5, tokenId: 2, sequenceNumber: UInt32(100 + index), requestId: UInt32(10 + index),
                body: Self.payload(size, seed: index))
            try security.sealSymmetric(&chunk, securedFrom: securedFrom, keys: keys)
            #expect(chunk.readableBytes <= 8192)
            ops.append(nonces.merging(["op": "open_sym", "chunk": SecurityHex.string(chunk.readableBytesView)]) { $1 })
        }
        // A tampered one must be refused by asyncua too.
        var (tampered, tamperedFrom) = SecurityChunkBuilder.symmetric(channelId: 5, tokenId: 2, sequenceNumber: 1, requestId: 1,
                                                                      body: Self.payload(40, seed: 9))
        try security.sealSymmetric(&tampered, securedFrom: tamperedFrom, keys: keys)
        tampered.setInteger(tampered.getInteger(at: 30, as: UInt8.self)! ^ 0x04, at: 30)
        ops.append(nonces.merging(["op": "open_sym", "chunk": SecurityHex.string(tampered.readableBytesView)]) { $1 })

        // MSG chunks asyncua seals for us (it makes no chunk at all for an empty body).
        let sealedSizes = [1, 17, 300]
        for (index, size) in sealedSizes.enumerated() {
            ops.append(nonces.merging(["op": "seal_sym", "body": SecurityHex.string(Self.payload(size, seed: 50 + index)),
                                       "channel_id": 5, "token_id": 2, "request_id": 20 + index,
                                       "sequence_number": 200 + index]) { $1 })
        }
        // OPN both ways.
        let openSizes = [0, 500]
        for (index, size) in openSizes.enumerated() {
            var (chunk, securedFrom) = SecurityChunkBuilder.asymmetric(security: security, channelId: 0, sequenceNumber: UInt32(1 + index),
                                                                       requestId: 1, body: Self.payload(size, seed: 80 + index))
            try security.sealAsymmetric(&chunk, securedFrom: securedFrom)
            ops.append(["op": "open_asym", "chunk": SecurityHex.string(chunk.readableBytesView)])
        }
        ops.append(["op": "seal_asym", "body": SecurityHex.string(Self.payload(333, seed: 90)), "channel_id": 6,
                    "request_id": 1, "sequence_number": 51])
        // Session signatures.
        let signature = try security.clientSignature(serverCertificate: identities.server.certificate.der, serverNonce: serverNonce)
        ops.append(["op": "verify_client_signature", "server_nonce": SecurityHex.string(serverNonce),
                    "signature": SecurityHex.string(signature.signature ?? [])])
        ops.append(["op": "verify_client_signature", "server_nonce": SecurityHex.string(clientNonce),
                    "signature": SecurityHex.string(signature.signature ?? [])])
        ops.append(["op": "server_signature", "client_nonce": SecurityHex.string(clientNonce)])
        // Password token under the same policy as the channel.
        let password = try encryptUserPassword(Array("tbpass".utf8), serverNonce: serverNonce, userTokenPolicyURI: policy.uri,
                                               serverCertificateDER: identities.server.certificate.der)
        ops.append(["op": "decrypt_password", "cipher": SecurityHex.string(password.cipher), "algorithm": password.algorithm ?? "",
                    "server_nonce": SecurityHex.string(serverNonce)])

        let results = try await AsyncuaCrypto.run(policy: policy, mode: mode, identities: identities, ops: ops)
        try #require(results.count == ops.count)
        var next = 0
        func result() -> [String: Any] { defer { next += 1 }; return results[next] }

        let derived = result()
        #expect(derived["client_signing"] as? String == SecurityHex.string(keys.clientSigningKey))
        #expect(derived["client_encrypting"] as? String == SecurityHex.string(keys.clientEncryptingKey))
        #expect(derived["client_iv"] as? String == SecurityHex.string(keys.clientInitializationVector))
        #expect(derived["server_signing"] as? String == SecurityHex.string(keys.serverSigningKey))
        #expect(derived["server_encrypting"] as? String == SecurityHex.string(keys.serverEncryptingKey))
        #expect(derived["server_iv"] as? String == SecurityHex.string(keys.serverInitializationVector))

        for (index, size) in symmetricSizes.enumerated() {
            let opened = result()
            #expect(opened["error"] == nil, "asyncua could not open a \(size)-byte MSG: \(opened["error"] ?? "")")
            #expect(opened["body"] as? String == SecurityHex.string(Self.payload(size, seed: index)))
            #expect(opened["sequence_number"] as? Int == 100 + index)
            #expect(opened["request_id"] as? Int == 10 + index)
            #expect(opened["token_id"] as? Int == 2)
            #expect(opened["channel_id"] as? Int == 5)
        }
        let refused = result()
        #expect(refused["error"] != nil, "asyncua accepted a tampered chunk")

        for (index, size) in sealedSizes.enumerated() {
            let sealed = result()
            var chunk = ByteBuffer(bytes: SecurityHex.bytes(try #require(sealed["chunk"] as? String,
                                                                          "asyncua could not seal: \(sealed["error"] ?? "")")))
            try security.openSymmetric(&chunk, securedFrom: 16, keys: keys)
            #expect(SecurityChunkBuilder.body(chunk, securedFrom: 16) == Self.payload(size, seed: 50 + index))
            #expect(SecurityChunkBuilder.sequenceNumber(chunk, securedFrom: 16) == UInt32(200 + index))
        }
        for (index, size) in openSizes.enumerated() {
            let opened = result()
            #expect(opened["error"] == nil, "asyncua could not open our OPN: \(opened["error"] ?? "")")
            #expect(opened["body"] as? String == SecurityHex.string(Self.payload(size, seed: 80 + index)))
            #expect(opened["policy_uri"] as? String == policy.uri)
            #expect(opened["sender_certificate"] as? String == SecurityHex.string(identities.client.certificate.der))
            #expect(opened["receiver_thumbprint"] as? String == SecurityHex.string(identities.server.certificate.thumbprint))
        }
        let sealedOPN = result()
        var opn = ByteBuffer(bytes: SecurityHex.bytes(try #require(sealedOPN["chunk"] as? String,
                                                                    "asyncua could not seal: \(sealedOPN["error"] ?? "")")))
        let opnSecuredFrom = SecurityChunkBuilder.asymmetricSecuredFrom(opn)
        try security.openAsymmetric(&opn, securedFrom: opnSecuredFrom)
        #expect(SecurityChunkBuilder.body(opn, securedFrom: opnSecuredFrom) == Self.payload(333, seed: 90))
        #expect(SecurityChunkBuilder.sequenceNumber(opn, securedFrom: opnSecuredFrom) == 51)

        #expect(result()["valid"] as? Bool == true)
        #expect(result()["valid"] as? Bool == false)
        let serverSignature = result()
        try security.verifyServerSignature(
            clientCertificate: identities.client.certificate.der, clientNonce: clientNonce,
            algorithm: serverSignature["algorithm"] as? String,
            signature: SecurityHex.bytes(try #require(serverSignature["signature"] as? String)))
        let decrypted = result()
        #expect(decrypted["password"] as? String == "tbpass", "\(decrypted)")
        #expect(decrypted["nonce"] as? String == SecurityHex.string(serverNonce))
    }

    @Test("a 4096-bit server key: OPN chunks carry the extra padding byte and asyncua opens them")
    func extraPaddingByte() async throws {
        let identities = try SecurityTestIdentities.get()
        let directory = try makeScratchDirectory("opcua-rsa4096")
        let keyFile = directory.appendingPathComponent("server4096.key").path
        let certFile = directory.appendingPathComponent("server4096.pem").path
        let openssl = try PeerProcess(executable: "openssl", arguments: [
            "req", "-x509", "-newkey", "rsa:4096", "-nodes", "-days", "2", "-subj", "/CN=big-server",
            "-keyout", keyFile, "-out", certFile], logFile: directory.appendingPathComponent("openssl.log"))
        #expect(await waitUntil(timeout: 60, interval: 0.05) { !openssl.isRunning })
        let server = try OPCUAApplicationIdentity(certificateFile: certFile, privateKeyFile: keyFile)
        #expect(server.certificate.keySizeInBytes == 512)
        let security = try OPCUASecureChannelSecurity(policy: .basic256Sha256, mode: .signAndEncrypt,
                                                      localCertificate: identities.client.certificate,
                                                      localPrivateKey: identities.client.privateKey,
                                                      remoteCertificate: server.certificate)
        var ops: [[String: Any]] = []
        for size in [0, 123, 470] {
            var (chunk, securedFrom) = SecurityChunkBuilder.asymmetric(security: security, channelId: 0, sequenceNumber: 1,
                                                                       requestId: 1, body: Self.payload(size, seed: size))
            try security.sealAsymmetric(&chunk, securedFrom: securedFrom)
            #expect((chunk.readableBytes - securedFrom) % 512 == 0)
            ops.append(["op": "open_asym", "chunk": SecurityHex.string(chunk.readableBytesView)])
        }
        ops.append(["op": "seal_asym", "body": SecurityHex.string(Self.payload(77, seed: 1)), "channel_id": 1,
                    "request_id": 1, "sequence_number": 1])
        let results = try await AsyncuaCrypto.run(policy: .basic256Sha256, mode: .signAndEncrypt, identities: identities,
                                                  serverKeyPEM: try String(contentsOfFile: keyFile, encoding: .utf8),
                                                  server: server, ops: ops)
        for (index, size) in [0, 123, 470].enumerated() {
            #expect(results[index]["error"] == nil, "\(results[index])")
            #expect(results[index]["body"] as? String == SecurityHex.string(Self.payload(size, seed: size)))
        }
        // asyncua signs with its 4096-bit key (512-byte signature) and encrypts for our 2048-bit key.
        var opn = ByteBuffer(bytes: SecurityHex.bytes(try #require(results[3]["chunk"] as? String)))
        let securedFrom = SecurityChunkBuilder.asymmetricSecuredFrom(opn)
        try security.openAsymmetric(&opn, securedFrom: securedFrom)
        #expect(SecurityChunkBuilder.body(opn, securedFrom: securedFrom) == Self.payload(77, seed: 1))
    }
}
