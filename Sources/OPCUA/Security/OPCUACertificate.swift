import Crypto
import Foundation
import X509
import _CryptoExtras

/// An X.509 application-instance certificate with an RSA key, kept as the exact DER bytes that go on the wire
/// (SenderCertificate, ServerCertificate, signatures over certificate || nonce all use these bytes).
public struct OPCUACertificate: Sendable, Equatable {
    public let der: [UInt8]
    public let certificate: Certificate
    /// The RSA key of the certificate; loaded with the "unsafe" initialiser so that 1024-bit keys of legacy
    /// Basic128Rsa15 servers still work (Part 7 allows them for that policy).
    let signingKey: _RSA.Signing.PublicKey
    /// Built on demand: `_RSA.Encryption` keys are not Sendable, and RSA encryption only happens for OPN chunks and
    /// password tokens.
    func encryptionKey() throws -> _RSA.Encryption.PublicKey {
        try _RSA.Encryption.PublicKey(unsafeDERRepresentation: signingKey.derRepresentation)
    }

    public init(der: [UInt8]) throws {
        let certificate: Certificate
        do {
            certificate = try Certificate(derEncoded: der)
        } catch {
            throw OPCUASecurityError("not a DER X.509 certificate (\(der.count) bytes): \(error)")
        }
        guard _RSA.Signing.PublicKey(certificate.publicKey) != nil else {
            throw OPCUASecurityError("certificate '\(certificate.subject)' has a non-RSA key; OPC UA RSA policies need RSA")
        }
        let spki = try Self.subjectPublicKeyInfoDER(certificate)
        do {
            signingKey = try _RSA.Signing.PublicKey(unsafeDERRepresentation: spki)
        } catch {
            throw OPCUASecurityError("certificate '\(certificate.subject)' has an unusable RSA key: \(error)")
        }
        self.der = der
        self.certificate = certificate
    }

    /// Reads a certificate from PEM text ("-----BEGIN CERTIFICATE-----") or raw DER bytes.
    public init(derOrPEM bytes: [UInt8]) throws {
        if let text = String(bytes: bytes, encoding: .utf8), text.contains("-----BEGIN CERTIFICATE-----") {
            try self.init(der: OPCUAPEM.decode(text, label: "CERTIFICATE"))
        } else {
            try self.init(der: bytes)
        }
    }

    /// Loads a DER or PEM certificate file.
    public init(contentsOfFile path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw OPCUASecurityError("cannot read certificate file \(path)")
        }
        do {
            try self.init(derOrPEM: Array(data))
        } catch let error as OPCUASecurityError {
            throw OPCUASecurityError("\(path): \(error.message)")
        }
    }

    /// SHA-1 of the DER bytes: the ReceiverCertificateThumbprint of Part 6 §6.7.2.3.
    public var thumbprint: [UInt8] { Array(Insecure.SHA1.hash(data: der)) }

    /// RSA modulus length in bytes: the RSA signature and cipher-text block size.
    public var keySizeInBytes: Int { signingKey.keySizeInBits / 8 }

    public var pemRepresentation: String { OPCUAPEM.encode(der, label: "CERTIFICATE") }

    public static func == (lhs: OPCUACertificate, rhs: OPCUACertificate) -> Bool { lhs.der == rhs.der }

    private static func subjectPublicKeyInfoDER(_ certificate: Certificate) throws -> [UInt8] {
        guard let key = _RSA.Signing.PublicKey(certificate.publicKey) else {
            throw OPCUASecurityError("certificate has a non-RSA key")
        }
        return Array(key.derRepresentation)
    }
}

/// The client's RSA private key (PKCS#1 "RSA PRIVATE KEY" or PKCS#8 "PRIVATE KEY", PEM or DER).
public struct OPCUAPrivateKey: Sendable {
    let signingKey: _RSA.Signing.PrivateKey

    init(signingKey: _RSA.Signing.PrivateKey) throws {
        self.signingKey = signingKey
        _ = try encryptionKey()  // fail at load time, not at the first OPN
    }

    /// Built on demand: `_RSA.Encryption` keys are not Sendable, and RSA decryption only happens for OPN chunks.
    func encryptionKey() throws -> _RSA.Encryption.PrivateKey {
        try _RSA.Encryption.PrivateKey(unsafeDERRepresentation: signingKey.derRepresentation)
    }

    public init(pem: String) throws {
        do {
            try self.init(signingKey: _RSA.Signing.PrivateKey(unsafePEMRepresentation: pem))
        } catch {
            throw OPCUASecurityError("not a PEM RSA private key (PKCS#1 or unencrypted PKCS#8): \(error)")
        }
    }

    public init(der: [UInt8]) throws {
        do {
            try self.init(signingKey: _RSA.Signing.PrivateKey(unsafeDERRepresentation: der))
        } catch {
            throw OPCUASecurityError("not a DER RSA private key (PKCS#1 or PKCS#8): \(error)")
        }
    }

    /// Loads a PEM or DER private key file.
    public init(contentsOfFile path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw OPCUASecurityError("cannot read private key file \(path)")
        }
        do {
            if let text = String(data: data, encoding: .utf8), text.contains("-----BEGIN") {
                try self.init(pem: text)
            } else {
                try self.init(der: Array(data))
            }
        } catch let error as OPCUASecurityError {
            throw OPCUASecurityError("\(path): \(error.message)")
        }
    }

    /// A fresh 2048-bit key (for a generated application-instance certificate).
    public static func generate(bits: Int = 2048) throws -> OPCUAPrivateKey {
        try OPCUAPrivateKey(signingKey: _RSA.Signing.PrivateKey(keySize: .init(bitCount: bits)))
    }

    public var keySizeInBytes: Int { signingKey.keySizeInBits / 8 }

    /// PKCS#8 PEM ("-----BEGIN PRIVATE KEY-----").
    public var pemRepresentation: String { signingKey.pkcs8PEMRepresentation }

    /// Whether this key belongs to `certificate` (same modulus and exponent).
    public func matches(_ certificate: OPCUACertificate) -> Bool {
        signingKey.publicKey.derRepresentation == certificate.signingKey.derRepresentation
    }
}
