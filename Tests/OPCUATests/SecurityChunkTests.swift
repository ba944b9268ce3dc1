import NIOCore
import Testing
@testable import OPCUA

@Suite("OPC UA security: sealing and opening chunks")
struct SecurityChunkTests {
    static let secureCombinations: [(OPCUASecurityPolicy, OPCUASecurityMode)] = OPCUASecurityPolicy.allCases
        .filter { $0 != .none }
        .flatMap { [($0, OPCUASecurityMode.sign), ($0, .signAndEncrypt)] }

    private func body(_ count: Int, seed: UInt8 = 0) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ Int(seed)) }
    }

    @Test("None passes chunks through and only fixes the size field")
    func none() throws {
        let none = OPCUASecurityNone()
        #expect(none.makeNonce().isEmpty && none.localCertificateDER == nil && none.remoteCertificateThumbprint == nil)
        var (chunk, securedFrom) = SecurityChunkBuilder.symmetric(channelId: 7, tokenId: 1, sequenceNumber: 51,
                                                                  requestId: 2, body: body(20))
        let plain = Array(chunk.readableBytesView)
        try none.sealSymmetric(&chunk, securedFrom: securedFrom, keys: .empty)
        #expect(SecurityChunkBuilder.sizeField(chunk) == plain.count)
        #expect(Array(chunk.readableBytesView.dropFirst(8)) == Array(plain.dropFirst(8)))
        try none.openSymmetric(&chunk, securedFrom: securedFrom, keys: .empty)
        #expect(SecurityChunkBuilder.body(chunk, securedFrom: securedFrom) == body(20))
        #expect(none.maxSymmetricBodySize(chunkSize: 8192, securedFrom: 16) == 8192 - 16 - 8)
    }

    @Test("symmetric chunks sealed by the client open on the server side, every padding length",
          arguments: secureCombinations)
    func symmetricRoundTrip(policy: OPCUASecurityPolicy, mode: OPCUASecurityMode) throws {
        let (client, server) = try SecurityTestIdentities.get().channel(policy, mode)
        let keys = client.deriveSymmetricKeys(clientNonce: client.makeNonce(), serverNonce: client.makeNonce())
        for length in 0...40 {
            let payload = body(length, seed: UInt8(length))
            var (chunk, securedFrom) = SecurityChunkBuilder.symmetric(channelId: 9, tokenId: 3, sequenceNumber: UInt32(length),
                                                                      requestId: 4, body: payload)
            try client.sealSymmetric(&chunk, securedFrom: securedFrom, keys: keys)
            #expect(SecurityChunkBuilder.sizeField(chunk) == chunk.readableBytes)
            if mode == .signAndEncrypt {
                #expect((chunk.readableBytes - securedFrom) % 16 == 0)
                if length >= 16 { #expect(!chunk.readableBytesView.elementsEqual(payload) && !containsSubsequence(chunk, payload)) }
            }
            try server.openSymmetric(&chunk, securedFrom: securedFrom, keys: keys.mirrored)
            #expect(SecurityChunkBuilder.body(chunk, securedFrom: securedFrom) == payload)
            #expect(SecurityChunkBuilder.sequenceNumber(chunk, securedFrom: securedFrom) == UInt32(length))
        }
    }

    @Test("the largest body that maxSymmetricBodySize allows fits the chunk; one more byte does not",
          arguments: secureCombinations)
    func symmetricMaxBody(policy: OPCUASecurityPolicy, mode: OPCUASecurityMode) throws {
        let (client, server) = try SecurityTestIdentities.get().channel(policy, mode)
        let keys = client.deriveSymmetricKeys(clientNonce: client.makeNonce(), serverNonce: client.makeNonce())
        for chunkSize in [8192, 8195, 65535] {
            let max = client.maxSymmetricBodySize(chunkSize: chunkSize, securedFrom: 16)
            var (chunk, securedFrom) = SecurityChunkBuilder.symmetric(channelId: 1, tokenId: 1, sequenceNumber: 1, requestId: 1,
                                                                      body: body(max))
            try client.sealSymmetric(&chunk, securedFrom: securedFrom, keys: keys)
            #expect(chunk.readableBytes <= chunkSize)
            try server.openSymmetric(&chunk, securedFrom: securedFrom, keys: keys.mirrored)
            #expect(SecurityChunkBuilder.body(chunk, securedFrom: securedFrom) == body(max))
            var (bigger, _) = SecurityChunkBuilder.symmetric(channelId: 1, tokenId: 1, sequenceNumber: 1, requestId: 1,
                                                             body: body(max + 1))
            try client.sealSymmetric(&bigger, securedFrom: securedFrom, keys: keys)
            #expect(bigger.readableBytes > chunkSize)
        }
    }

    @Test("asymmetric (OPN) chunks open on the other side in both directions", arguments: secureCombinations)
    func asymmetricRoundTrip(policy: OPCUASecurityPolicy, mode: OPCUASecurityMode) throws {
        let (client, server) = try SecurityTestIdentities.get().channel(policy, mode)
        for (sender, receiver) in [(client, server), (server, client)] {
            for length in [0, 1, 57, 300, 1000] {
                let payload = body(length, seed: 3)
                var (chunk, securedFrom) = SecurityChunkBuilder.asymmetric(security: sender, channelId: 0, sequenceNumber: 1,
                                                                           requestId: 1, body: payload)
                try sender.sealAsymmetric(&chunk, securedFrom: securedFrom)
                #expect(SecurityChunkBuilder.sizeField(chunk) == chunk.readableBytes)
                // OPN is encrypted even in Sign mode: the nonces inside are secrets.
                #expect((chunk.readableBytes - securedFrom) % receiver.localCertificate.keySizeInBytes == 0)
                if length >= 57 { #expect(!containsSubsequence(chunk, payload)) }
                try receiver.openAsymmetric(&chunk, securedFrom: securedFrom)
                #expect(SecurityChunkBuilder.body(chunk, securedFrom: securedFrom) == payload)
            }
        }
    }

    @Test("the largest OPN body fits the chunk", arguments: [OPCUASecurityPolicy.basic256Sha256, .basic128Rsa15, .aes256Sha256RsaPss])
    func asymmetricMaxBody(policy: OPCUASecurityPolicy) throws {
        let (client, server) = try SecurityTestIdentities.get().channel(policy, .signAndEncrypt)
        let probe = SecurityChunkBuilder.asymmetric(security: client, channelId: 0, sequenceNumber: 1, requestId: 1, body: [])
        let max = client.maxAsymmetricBodySize(chunkSize: 8192, securedFrom: probe.securedFrom)
        var (chunk, securedFrom) = SecurityChunkBuilder.asymmetric(security: client, channelId: 0, sequenceNumber: 1,
                                                                   requestId: 1, body: body(max))
        try client.sealAsymmetric(&chunk, securedFrom: securedFrom)
        #expect(chunk.readableBytes <= 8192)
        try server.openAsymmetric(&chunk, securedFrom: securedFrom)
        #expect(SecurityChunkBuilder.body(chunk, securedFrom: securedFrom) == body(max))
        var (bigger, _) = SecurityChunkBuilder.asymmetric(security: client, channelId: 0, sequenceNumber: 1, requestId: 1,
                                                          body: body(max + 1))
        try client.sealAsymmetric(&bigger, securedFrom: securedFrom)
        #expect(bigger.readableBytes > 8192)
    }

    @Test("a changed byte anywhere in a symmetric chunk is rejected", arguments: [OPCUASecurityMode.sign, .signAndEncrypt])
    func tamperedSymmetric(mode: OPCUASecurityMode) throws {
        let (client, server) = try SecurityTestIdentities.get().channel(.basic256Sha256, mode)
        let keys = client.deriveSymmetricKeys(clientNonce: client.makeNonce(), serverNonce: client.makeNonce())
        var (sealed, securedFrom) = SecurityChunkBuilder.symmetric(channelId: 9, tokenId: 3, sequenceNumber: 1, requestId: 4,
                                                                   body: body(100))
        try client.sealSymmetric(&sealed, securedFrom: securedFrom, keys: keys)
        // Header (channel id), token id, sequence header, body, last signature byte.
        for offset in [9, 13, securedFrom, securedFrom + 40, sealed.readableBytes - 1] {
            var tampered = sealed
            tampered.setInteger(tampered.getInteger(at: offset, as: UInt8.self)! ^ 0x01, at: offset)
            #expect(throws: OPCUASecurityError.self) {
                try server.openSymmetric(&tampered, securedFrom: securedFrom, keys: keys.mirrored)
            }
        }
        var intact = sealed
        try server.openSymmetric(&intact, securedFrom: securedFrom, keys: keys.mirrored)
    }

    @Test("keys of another token do not open a chunk")
    func wrongKeys() throws {
        let (client, server) = try SecurityTestIdentities.get().channel(.basic256Sha256, .signAndEncrypt)
        let keys = client.deriveSymmetricKeys(clientNonce: client.makeNonce(), serverNonce: client.makeNonce())
        let otherKeys = client.deriveSymmetricKeys(clientNonce: client.makeNonce(), serverNonce: client.makeNonce())
        var (chunk, securedFrom) = SecurityChunkBuilder.symmetric(channelId: 9, tokenId: 3, sequenceNumber: 1, requestId: 4,
                                                                  body: body(64))
        try client.sealSymmetric(&chunk, securedFrom: securedFrom, keys: keys)
        let error = #expect(throws: OPCUASecurityError.self) {
            try server.openSymmetric(&chunk, securedFrom: securedFrom, keys: otherKeys.mirrored)
        }
        #expect(error?.message.contains("signature") == true)
    }

    @Test("a tampered or misdirected OPN chunk is rejected")
    func tamperedAsymmetric() throws {
        let identities = try SecurityTestIdentities.get()
        let (client, server) = try identities.channel(.basic256Sha256, .signAndEncrypt)
        var (sealed, securedFrom) = SecurityChunkBuilder.asymmetric(security: client, channelId: 0, sequenceNumber: 1,
                                                                    requestId: 1, body: body(200))
        try client.sealAsymmetric(&sealed, securedFrom: securedFrom)
        var tampered = sealed
        let last = tampered.writerIndex - 1
        tampered.setInteger(tampered.getInteger(at: last, as: UInt8.self)! ^ 0x80, at: last)
        #expect(throws: OPCUASecurityError.self) { try server.openAsymmetric(&tampered, securedFrom: securedFrom) }
        // The client itself cannot decrypt what it encrypted for the server.
        var misdirected = sealed
        #expect(throws: OPCUASecurityError.self) { try client.openAsymmetric(&misdirected, securedFrom: securedFrom) }
        // A truncated chunk is an error, not a crash.
        var truncated = sealed
        truncated.moveWriterIndex(to: truncated.writerIndex - 10)
        #expect(throws: OPCUASecurityError.self) { try server.openAsymmetric(&truncated, securedFrom: securedFrom) }
    }

    @Test("session signatures: client signs serverCertificate || serverNonce, server signature is checked",
          arguments: [OPCUASecurityPolicy.basic256Sha256, .aes256Sha256RsaPss, .basic256])
    func sessionSignatures(policy: OPCUASecurityPolicy) throws {
        let identities = try SecurityTestIdentities.get()
        let (client, server) = try identities.channel(policy, .sign)
        let serverNonce = client.makeNonce()
        let (algorithm, signature) = try client.clientSignature(serverCertificate: identities.server.certificate.der,
                                                                serverNonce: serverNonce)
        #expect(algorithm == (policy == .aes256Sha256RsaPss ? "http://opcfoundation.org/UA/security/rsa-pss-sha2-256"
                              : policy == .basic256 ? "http://www.w3.org/2000/09/xmldsig#rsa-sha1"
                              : "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"))
        // The mirror checks "its peer's" signature over (its peer's view of) certificate || nonce.
        try server.verifyServerSignature(clientCertificate: identities.server.certificate.der, clientNonce: serverNonce,
                                         algorithm: algorithm, signature: signature)
        #expect(throws: OPCUASecurityError.self) {
            try server.verifyServerSignature(clientCertificate: identities.server.certificate.der, clientNonce: client.makeNonce(),
                                             algorithm: algorithm, signature: signature)
        }
        #expect(throws: OPCUASecurityError.self) {
            try server.verifyServerSignature(clientCertificate: identities.server.certificate.der, clientNonce: serverNonce,
                                             algorithm: "http://example.com/other", signature: signature)
        }
        #expect(throws: OPCUASecurityError.self) {
            try server.verifyServerSignature(clientCertificate: identities.server.certificate.der, clientNonce: serverNonce,
                                             algorithm: algorithm, signature: nil)
        }
        let none = try OPCUASecurityNone().clientSignature(serverCertificate: [], serverNonce: [])
        #expect(none.algorithm == nil && none.signature == nil)
    }

    @Test("policy/mode/certificate combinations that cannot work are refused with a clear message")
    func invalidCombinations() throws {
        let identities = try SecurityTestIdentities.get()
        let none = try OPCUASecurityPolicy.none.makeChannelSecurity(mode: .none, localCertificate: nil, localPrivateKey: nil,
                                                                    remoteCertificate: nil)
        #expect(none.policyURI == "http://opcfoundation.org/UA/SecurityPolicy#None")
        #expect(throws: OPCUASecurityError.self) {
            try OPCUASecurityPolicy.none.makeChannelSecurity(mode: .sign, localCertificate: nil, localPrivateKey: nil, remoteCertificate: nil)
        }
        let missing = #expect(throws: OPCUASecurityError.self) {
            try OPCUASecurityPolicy.basic256Sha256.makeChannelSecurity(mode: .sign, localCertificate: nil, localPrivateKey: nil,
                                                                       remoteCertificate: identities.server.certificate)
        }
        #expect(missing?.message.contains("client certificate") == true)
        let mismatch = #expect(throws: OPCUASecurityError.self) {
            try OPCUASecurityPolicy.basic256Sha256.makeChannelSecurity(
                mode: .sign, localCertificate: identities.client.certificate, localPrivateKey: identities.server.privateKey,
                remoteCertificate: identities.server.certificate)
        }
        #expect(mismatch?.message.contains("does not belong") == true)
        let secure = try OPCUASecurityPolicy.basic256Sha256.makeChannelSecurity(
            mode: .signAndEncrypt, localCertificate: identities.client.certificate, localPrivateKey: identities.client.privateKey,
            remoteCertificate: identities.server.certificate)
        #expect(secure.localCertificateDER == identities.client.certificate.der)
        #expect(secure.remoteCertificateThumbprint == identities.server.certificate.thumbprint)
        #expect(secure.remoteCertificateThumbprint?.count == 20)
    }

    private func containsSubsequence(_ chunk: ByteBuffer, _ needle: [UInt8]) -> Bool {
        let haystack = Array(chunk.readableBytesView)
        guard needle.count <= haystack.count, !needle.isEmpty else { return false }
        for start in 0...(haystack.count - needle.count) where haystack[start..<(start + needle.count)].elementsEqual(needle) {
            return true
        }
        return false
    }
}
