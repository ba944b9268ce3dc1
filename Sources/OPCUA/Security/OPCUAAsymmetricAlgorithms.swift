import Crypto
import Foundation
import _CryptoExtras

/// RSA signature schemes of Part 7 (asymmetric signature of OPN chunks and of the session challenges).
enum OPCUAAsymmetricSignatureAlgorithm: Sendable {
    case pkcs1v15SHA1
    case pkcs1v15SHA256
    case pssSHA256

    var uri: String {
        switch self {
        case .pkcs1v15SHA1: "http://www.w3.org/2000/09/xmldsig#rsa-sha1"
        case .pkcs1v15SHA256: "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
        case .pssSHA256: "http://opcfoundation.org/UA/security/rsa-pss-sha2-256"
        }
    }

    func sign(_ data: some DataProtocol, with key: OPCUAPrivateKey) throws -> [UInt8] {
        do {
            let signature: _RSA.Signing.RSASignature
            switch self {
            case .pkcs1v15SHA1:
                signature = try key.signingKey.signature(for: Insecure.SHA1.hash(data: data), padding: .insecurePKCS1v1_5)
            case .pkcs1v15SHA256:
                signature = try key.signingKey.signature(for: SHA256.hash(data: data), padding: .insecurePKCS1v1_5)
            case .pssSHA256:
                // PSS with MGF1-SHA256 and a 32-byte salt, as Aes256_Sha256_RsaPss specifies.
                signature = try key.signingKey.signature(for: SHA256.hash(data: data), padding: .PSS)
            }
            return Array(signature.rawRepresentation)
        } catch {
            throw OPCUASecurityError("RSA signing failed: \(error)")
        }
    }

    func isValid(_ signature: some DataProtocol, for data: some DataProtocol, by certificate: OPCUACertificate) -> Bool {
        let rsaSignature = _RSA.Signing.RSASignature(rawRepresentation: signature)
        let key = certificate.signingKey
        switch self {
        case .pkcs1v15SHA1:
            return key.isValidSignature(rsaSignature, for: Insecure.SHA1.hash(data: data), padding: .insecurePKCS1v1_5)
        case .pkcs1v15SHA256:
            return key.isValidSignature(rsaSignature, for: SHA256.hash(data: data), padding: .insecurePKCS1v1_5)
        case .pssSHA256:
            return key.isValidSignature(rsaSignature, for: SHA256.hash(data: data), padding: .PSS)
        }
    }
}

/// RSA encryption schemes of Part 7 (OPN chunks, password tokens). RSA encrypts in blocks: each plain block of
/// `keyBytes - overhead` bytes becomes one cipher block of `keyBytes` bytes.
enum OPCUAAsymmetricEncryptionAlgorithm: Sendable {
    case pkcs1v15
    case oaepSHA1
    case oaepSHA256

    var uri: String {
        switch self {
        case .pkcs1v15: "http://www.w3.org/2001/04/xmlenc#rsa-1_5"
        case .oaepSHA1: "http://www.w3.org/2001/04/xmlenc#rsa-oaep"
        case .oaepSHA256: "http://opcfoundation.org/UA/security/rsa-oaep-sha2-256"
        }
    }

    /// Bytes of each RSA block taken by the padding scheme (PKCS#1 v1.5: 11; OAEP: 2 + 2 × hash length).
    var overhead: Int {
        switch self {
        case .pkcs1v15: 11
        case .oaepSHA1: 42
        case .oaepSHA256: 66
        }
    }

    private var padding: _RSA.Encryption.Padding {
        switch self {
        case .pkcs1v15: ._WEAK_AND_INSECURE_PKCS_V1_5
        case .oaepSHA1: .PKCS1_OAEP
        case .oaepSHA256: .PKCS1_OAEP_SHA256
        }
    }

    func plainBlockSize(keyBytes: Int) -> Int { keyBytes - overhead }

    /// Encrypts `plaintext` block by block with the receiver's public key.
    func encrypt(_ plaintext: some Collection<UInt8>, for certificate: OPCUACertificate) throws -> [UInt8] {
        let keyBytes = certificate.keySizeInBytes
        let blockSize = plainBlockSize(keyBytes: keyBytes)
        let bytes = Array(plaintext)
        let publicKey = try certificate.encryptionKey()
        var output: [UInt8] = []
        output.reserveCapacity((bytes.count + blockSize - 1) / blockSize * keyBytes)
        var start = 0
        repeat {
            let end = min(start + blockSize, bytes.count)
            do {
                output += try publicKey.encrypt(bytes[start..<end], padding: padding)
            } catch {
                throw OPCUASecurityError("RSA encryption failed: \(error)")
            }
            start = end
        } while start < bytes.count
        return output
    }

    /// Decrypts cipher blocks of the private key's size.
    func decrypt(_ ciphertext: some Collection<UInt8>, with key: OPCUAPrivateKey) throws -> [UInt8] {
        let keyBytes = key.keySizeInBytes
        let bytes = Array(ciphertext)
        guard bytes.count % keyBytes == 0 else {
            throw OPCUASecurityError("encrypted part of \(bytes.count) bytes is not a whole number of \(keyBytes)-byte RSA blocks")
        }
        let privateKey = try key.encryptionKey()
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count / keyBytes * plainBlockSize(keyBytes: keyBytes))
        var start = 0
        while start < bytes.count {
            do {
                output += try privateKey.decrypt(bytes[start..<(start + keyBytes)], padding: padding)
            } catch {
                throw OPCUASecurityError("RSA decryption failed (wrong key or corrupted message)")
            }
            start += keyBytes
        }
        return output
    }
}
