import Testing
@testable import OPCUA

@Suite("OPC UA security: P_SHA key derivation and padding")
struct SecurityKeyDerivationTests {
    @Test("P_SHA256 matches the published TLS 1.2 PRF vector")
    func pSHA256KnownVector() {
        // The widely used TLS 1.2 PRF (P_SHA256) test vector: secret, "test label" || seed, 100 bytes out.
        let secret = SecurityHex.bytes("9bbe436ba940f017b17652849a71db35")
        let seed = Array("test label".utf8) + SecurityHex.bytes("a0ba9f936cda311827a6f796ffd5198c")
        let expected = SecurityHex.bytes("""
            e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a6b301791e90d35c9c9a46b4e14baf9af0fa0\
            22f7077def17abfd3797c0564bab4fbc91666e9def9b97fce34f796789baa48082d122ee42c5a72e5a5110fff70187347b66
            """)
        #expect(OPCUAKeyDerivation.pSHA(.sha256, secret: secret, seed: seed, length: 100) == expected)
    }

    @Test("key slices match asyncua's p_sha256 / p_sha1 (golden bytes from asyncua 2.1.0)")
    func sliceLikeAsyncua() {
        let secret = Array(UInt8(0)..<16)
        let seed = Array(UInt8(100)..<132)
        // asyncua.crypto.uacrypto.p_sha256(secret, seed, (32, 32, 16))
        let sha256 = OPCUAKeyDerivation.deriveKeys(.sha256, secret: secret, seed: seed, signingKeyLength: 32,
                                                   encryptingKeyLength: 32, ivLength: 16)
        #expect(sha256.signing == SecurityHex.bytes("7030bef281aa3d6cc8a095f9a868e7afe55760768a70eac23c1c1b08fa8488d3"))
        #expect(sha256.encrypting == SecurityHex.bytes("5e80d9101c44dfceefa40678d31556feab2d94a39dd2b68dcca0349f780a644d"))
        #expect(sha256.iv == SecurityHex.bytes("698160e101a524185a7a8af6f659421d"))
        // asyncua.crypto.uacrypto.p_sha1(secret, seed, (16, 16, 16))
        let sha1 = OPCUAKeyDerivation.deriveKeys(.sha1, secret: secret, seed: seed, signingKeyLength: 16,
                                                 encryptingKeyLength: 16, ivLength: 16)
        #expect(sha1.signing == SecurityHex.bytes("d4c5f8d3528dce2a0e58b1bd401c42c0"))
        #expect(sha1.encrypting == SecurityHex.bytes("e8986ab4df1b9ba1a964aa64645c5c3a"))
        #expect(sha1.iv == SecurityHex.bytes("822484c186da517f427aeeac5d623e54"))
    }

    @Test("client keys come from P(serverNonce, clientNonce), server keys from P(clientNonce, serverNonce)")
    func nonceRoles() throws {
        let identities = try SecurityTestIdentities.get()
        let (client, _) = try identities.channel(.basic256Sha256, .signAndEncrypt)
        let clientNonce = client.makeNonce(), serverNonce = client.makeNonce()
        #expect(clientNonce.count == 32 && clientNonce != serverNonce)
        let keys = client.deriveSymmetricKeys(clientNonce: clientNonce, serverNonce: serverNonce)
        let clientStream = OPCUAKeyDerivation.pSHA(.sha256, secret: serverNonce, seed: clientNonce, length: 80)
        let serverStream = OPCUAKeyDerivation.pSHA(.sha256, secret: clientNonce, seed: serverNonce, length: 80)
        #expect(keys.clientSigningKey + keys.clientEncryptingKey + keys.clientInitializationVector == clientStream)
        #expect(keys.serverSigningKey + keys.serverEncryptingKey + keys.serverInitializationVector == serverStream)
    }

    @Test("key lengths per policy (Part 7)",
          arguments: [(OPCUASecurityPolicy.basic256Sha256, 32, 32), (.aes128Sha256RsaOaep, 32, 16),
                      (.aes256Sha256RsaPss, 32, 32), (.basic256, 24, 32), (.basic128Rsa15, 16, 16)])
    func keyLengths(policy: OPCUASecurityPolicy, signing: Int, encrypting: Int) throws {
        let (client, _) = try SecurityTestIdentities.get().channel(policy, .signAndEncrypt)
        let keys = client.deriveSymmetricKeys(clientNonce: client.makeNonce(), serverNonce: client.makeNonce())
        #expect(keys.clientSigningKey.count == signing)
        #expect(keys.clientEncryptingKey.count == encrypting)
        #expect(keys.clientInitializationVector.count == 16)
        #expect(keys.serverSigningKey.count == signing)
        #expect(client.makeNonce().count == (policy == .basic128Rsa15 ? 16 : 32))
    }

    @Test("padding fills plain + padding + signature to whole blocks, with the extra size byte for big keys")
    func paddingSizes() {
        // AES block 16, HMAC-SHA256 32: 8 + 8 + 32 = 48.
        #expect(OPCUAChunkProtection.padding(plainLength: 8, signatureSize: 32, blockSize: 16, extraPaddingByte: false)
                == [UInt8](repeating: 7, count: 8))
        #expect(OPCUAChunkProtection.padding(plainLength: 7, signatureSize: 32, blockSize: 16, extraPaddingByte: false)
                == [UInt8](repeating: 8, count: 9))
        #expect(OPCUAChunkProtection.padding(plainLength: 15, signatureSize: 32, blockSize: 16, extraPaddingByte: false) == [0])
        // RSA-2048 OAEP-SHA1 block 214, 256-byte signature: 100 + 72 + 256 = 428 = 2 blocks.
        #expect(OPCUAChunkProtection.padding(plainLength: 100, signatureSize: 256, blockSize: 214, extraPaddingByte: false)
                == [UInt8](repeating: 71, count: 72))
        // RSA-4096 receiver (block 470) and 4096-bit signature: padding 418 = 0x01A2, low byte repeated, high byte last.
        let big = OPCUAChunkProtection.padding(plainLength: 8, signatureSize: 512, blockSize: 470, extraPaddingByte: true)
        #expect(big == [UInt8](repeating: 0xA2, count: 419) + [0x01])
        #expect((8 + big.count + 512) % 470 == 0)
    }

    @Test("policy names: URI, short name and any case; unknown names rejected")
    func policyNames() {
        #expect(OPCUASecurityPolicy(name: "Basic256Sha256") == .basic256Sha256)
        #expect(OPCUASecurityPolicy(name: "basic128rsa15") == .basic128Rsa15)
        #expect(OPCUASecurityPolicy(name: "http://opcfoundation.org/UA/SecurityPolicy#Aes128_Sha256_RsaOaep") == .aes128Sha256RsaOaep)
        #expect(OPCUASecurityPolicy(name: "") == OPCUASecurityPolicy.none)
        #expect(OPCUASecurityPolicy(name: "Basic512") == nil)
        #expect(OPCUASecurityPolicy.basic256Sha256.shortName == "Basic256Sha256")
    }
}
