import Crypto
import Foundation
import NIOCore
import _CryptoExtras

/// A secure channel under one of the RSA policies (Basic256Sha256, Aes128_Sha256_RsaOaep, Aes256_Sha256_RsaPss,
/// Basic256, Basic128Rsa15) in mode Sign or SignAndEncrypt, seen from the client.
///
/// OPN chunks are always signed with the client key and encrypted with the server key, whatever the mode (Part 6
/// §6.7.4: the nonces they carry are secrets). MSG/CLO chunks are HMAC-signed and, in SignAndEncrypt, AES-CBC
/// encrypted with the keys of the current security token.
public struct OPCUASecureChannelSecurity: OPCUAChannelSecurity {
    public let policy: OPCUASecurityPolicy
    public let mode: OPCUASecurityMode
    public let localCertificate: OPCUACertificate
    public let remoteCertificate: OPCUACertificate
    let localPrivateKey: OPCUAPrivateKey
    let suite: OPCUAAlgorithmSuite

    public init(policy: OPCUASecurityPolicy, mode: OPCUASecurityMode, localCertificate: OPCUACertificate,
                localPrivateKey: OPCUAPrivateKey, remoteCertificate: OPCUACertificate) throws {
        guard let suite = policy.suite, mode != .none else {
            throw OPCUASecurityError("OPCUASecureChannelSecurity needs a secure policy and mode Sign or SignAndEncrypt; use OPCUASecurityNone")
        }
        guard localPrivateKey.matches(localCertificate) else {
            throw OPCUASecurityError("the client private key does not belong to the client certificate")
        }
        for (role, keyBytes) in [("client", localCertificate.keySizeInBytes), ("server", remoteCertificate.keySizeInBytes)]
        where keyBytes <= suite.asymmetricEncryption.overhead + 1 {
            throw OPCUASecurityError("the \(role) RSA key of \(keyBytes * 8) bits is too short for \(policy.shortName)")
        }
        self.policy = policy
        self.mode = mode
        self.localCertificate = localCertificate
        self.remoteCertificate = remoteCertificate
        self.localPrivateKey = localPrivateKey
        self.suite = suite
    }

    public var policyURI: String { policy.uri }
    public var localCertificateDER: [UInt8]? { localCertificate.der }
    public var remoteCertificateThumbprint: [UInt8]? { remoteCertificate.thumbprint }

    public func makeNonce() -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<suite.nonceLength).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }

    // MARK: Asymmetric (OPN)

    private var asymmetricProtection: OPCUAChunkProtection {
        let local = localCertificate, remote = remoteCertificate, key = localPrivateKey
        let signature = suite.asymmetricSignature, encryption = suite.asymmetricEncryption
        return OPCUAChunkProtection(
            signatureSize: key.keySizeInBytes,
            sign: { data in try signature.sign(data, with: key) },
            verifySignatureSize: remote.keySizeInBytes,
            verify: { sig, data in signature.isValid(sig, for: data, by: remote) },
            encryption: .init(
                plainBlockSize: encryption.plainBlockSize(keyBytes: remote.keySizeInBytes),
                cipherBlockSize: remote.keySizeInBytes,
                hasExtraPaddingByte: remote.keySizeInBytes > 256,
                incomingCipherBlockSize: local.keySizeInBytes,
                incomingHasExtraPaddingByte: local.keySizeInBytes > 256,
                encrypt: { plain in try encryption.encrypt(plain, for: remote) },
                decrypt: { cipher in try encryption.decrypt(cipher, with: key) }))
    }

    public func maxAsymmetricBodySize(chunkSize: Int, securedFrom: Int) -> Int {
        asymmetricProtection.maxBodySize(chunkSize: chunkSize, securedFrom: securedFrom)
    }

    public func sealAsymmetric(_ chunk: inout ByteBuffer, securedFrom: Int) throws {
        try asymmetricProtection.seal(&chunk, securedFrom: securedFrom)
    }

    public func openAsymmetric(_ chunk: inout ByteBuffer, securedFrom: Int) throws {
        try asymmetricProtection.open(&chunk, securedFrom: securedFrom)
    }

    // MARK: Symmetric (MSG/CLO)

    /// Part 6 §6.7.5: the client's keys come from P_SHA(serverNonce, clientNonce), the server's from
    /// P_SHA(clientNonce, serverNonce); each stream is sliced into signing key, encrypting key, IV.
    public func deriveSymmetricKeys(clientNonce: [UInt8], serverNonce: [UInt8]) -> OPCUASymmetricKeySet {
        let client = OPCUAKeyDerivation.deriveKeys(
            suite.hash, secret: serverNonce, seed: clientNonce, signingKeyLength: suite.signingKeyLength,
            encryptingKeyLength: suite.encryptingKeyLength, ivLength: suite.symmetricBlockSize)
        let server = OPCUAKeyDerivation.deriveKeys(
            suite.hash, secret: clientNonce, seed: serverNonce, signingKeyLength: suite.signingKeyLength,
            encryptingKeyLength: suite.encryptingKeyLength, ivLength: suite.symmetricBlockSize)
        return OPCUASymmetricKeySet(
            clientSigningKey: client.signing, clientEncryptingKey: client.encrypting, clientInitializationVector: client.iv,
            serverSigningKey: server.signing, serverEncryptingKey: server.encrypting, serverInitializationVector: server.iv)
    }

    private func symmetricProtection(keys: OPCUASymmetricKeySet) -> OPCUAChunkProtection {
        let hash = suite.hash
        let blockSize = suite.symmetricBlockSize
        return OPCUAChunkProtection(
            signatureSize: hash.digestSize,
            sign: { data in hash.hmac(key: keys.clientSigningKey, data: data) },
            verifySignatureSize: hash.digestSize,
            verify: { sig, data in hash.isValidHMAC(sig, key: keys.serverSigningKey, data: data) },
            encryption: mode == .signAndEncrypt ? .init(
                plainBlockSize: blockSize, cipherBlockSize: blockSize, hasExtraPaddingByte: false,
                incomingCipherBlockSize: blockSize, incomingHasExtraPaddingByte: false,
                encrypt: { plain in try OPCUAAESCBC.encrypt(plain, key: keys.clientEncryptingKey, iv: keys.clientInitializationVector) },
                decrypt: { cipher in try OPCUAAESCBC.decrypt(cipher, key: keys.serverEncryptingKey, iv: keys.serverInitializationVector) }
            ) : nil)
    }

    public func maxSymmetricBodySize(chunkSize: Int, securedFrom: Int) -> Int {
        symmetricProtection(keys: .empty).maxBodySize(chunkSize: chunkSize, securedFrom: securedFrom)
    }

    public func sealSymmetric(_ chunk: inout ByteBuffer, securedFrom: Int, keys: OPCUASymmetricKeySet) throws {
        try symmetricProtection(keys: keys).seal(&chunk, securedFrom: securedFrom)
    }

    public func openSymmetric(_ chunk: inout ByteBuffer, securedFrom: Int, keys: OPCUASymmetricKeySet) throws {
        try symmetricProtection(keys: keys).open(&chunk, securedFrom: securedFrom)
    }

    // MARK: Session (Part 4 §5.6.2, §5.6.3)

    /// ActivateSession's clientSignature: our private key signs serverCertificate || serverNonce.
    public func clientSignature(serverCertificate: [UInt8], serverNonce: [UInt8]) throws -> (algorithm: String?, signature: [UInt8]?) {
        let signature = try suite.asymmetricSignature.sign(serverCertificate + serverNonce, with: localPrivateKey)
        return (suite.asymmetricSignature.uri, signature)
    }

    /// CreateSessionResponse's serverSignature: the server key over clientCertificate || clientNonce.
    public func verifyServerSignature(clientCertificate: [UInt8], clientNonce: [UInt8], algorithm: String?, signature: [UInt8]?) throws {
        guard let signature, !signature.isEmpty else {
            throw OPCUASecurityError("the server sent no session signature under \(policy.shortName)")
        }
        if let algorithm, !algorithm.isEmpty, algorithm != suite.asymmetricSignature.uri {
            throw OPCUASecurityError("the server signed the session with \(algorithm), expected \(suite.asymmetricSignature.uri)")
        }
        guard suite.asymmetricSignature.isValid(signature, for: clientCertificate + clientNonce, by: remoteCertificate) else {
            throw OPCUASecurityError("the server's session signature is invalid")
        }
    }
}
