import Foundation
import X509

/// The client's application-instance certificate and key (Part 6 §6.2.2).
public struct OPCUAApplicationIdentity: Sendable {
    public var certificate: OPCUACertificate
    public var privateKey: OPCUAPrivateKey

    public init(certificate: OPCUACertificate, privateKey: OPCUAPrivateKey) throws {
        guard privateKey.matches(certificate) else {
            throw OPCUASecurityError("the private key does not belong to certificate '\(certificate.certificate.subject)'")
        }
        self.certificate = certificate
        self.privateKey = privateKey
    }

    /// Loads a DER or PEM certificate and a PEM/DER private key from files.
    public init(certificateFile: String, privateKeyFile: String) throws {
        try self.init(certificate: OPCUACertificate(contentsOfFile: certificateFile),
                      privateKey: OPCUAPrivateKey(contentsOfFile: privateKeyFile))
    }

    /// A self-signed application-instance certificate: RSA 2048 (by default), SHA-256 signature, SAN with the
    /// application URI (servers compare it with the ApplicationDescription's applicationUri) and the host's DNS
    /// name, key usages digitalSignature/nonRepudiation/keyEncipherment/dataEncipherment/keyCertSign (a self-signed
    /// certificate is its own issuer), extended usages clientAuth + serverAuth.
    public static func generateSelfSigned(applicationURI: String, hostName: String, commonName: String,
                                          organization: String? = nil, validFor: TimeInterval = 5 * 365 * 24 * 3600,
                                          keyBits: Int = 2048, now: Date = Date()) throws -> OPCUAApplicationIdentity {
        let key = try OPCUAPrivateKey.generate(bits: keyBits)
        let issuerKey = Certificate.PrivateKey(key.signingKey)
        do {
            let name = try DistinguishedName {
                CommonName(commonName)
                if let organization { OrganizationName(organization) }
            }
            let extensions = try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true, nonRepudiation: true, keyEncipherment: true,
                                  dataEncipherment: true, keyCertSign: true))
                try ExtendedKeyUsage([.clientAuth, .serverAuth])
                SubjectAlternativeNames([.uniformResourceIdentifier(applicationURI), .dnsName(hostName)])
                SubjectKeyIdentifier(hash: issuerKey.publicKey)
            }
            let certificate = try Certificate(
                version: .v3, serialNumber: .init(), publicKey: issuerKey.publicKey,
                notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(validFor),
                issuer: name, subject: name, signatureAlgorithm: .sha256WithRSAEncryption,
                extensions: extensions, issuerPrivateKey: issuerKey)
            let der = try certificate.serializeAsPEM().derBytes
            return try OPCUAApplicationIdentity(certificate: OPCUACertificate(der: der), privateKey: key)
        } catch let error as OPCUASecurityError {
            throw error
        } catch {
            throw OPCUASecurityError("cannot build a self-signed certificate for \(applicationURI): \(error)")
        }
    }

    /// Loads the identity from the two files, or — when neither exists — generates a self-signed one and saves it
    /// (certificate as DER, key as PKCS#8 PEM, mode 0600) so the server sees the same certificate on every start.
    public static func loadOrCreate(certificateFile: String, privateKeyFile: String, applicationURI: String,
                                    hostName: String, commonName: String) throws -> OPCUAApplicationIdentity {
        let files = FileManager.default
        let haveCertificate = files.fileExists(atPath: certificateFile)
        let haveKey = files.fileExists(atPath: privateKeyFile)
        if haveCertificate || haveKey {
            guard haveCertificate && haveKey else {
                throw OPCUASecurityError("found only one of \(certificateFile) and \(privateKeyFile); need both or neither")
            }
            return try OPCUAApplicationIdentity(certificateFile: certificateFile, privateKeyFile: privateKeyFile)
        }
        let identity = try generateSelfSigned(applicationURI: applicationURI, hostName: hostName, commonName: commonName)
        try identity.save(certificateFile: certificateFile, privateKeyFile: privateKeyFile)
        return identity
    }

    /// Writes the certificate as DER and the private key as PKCS#8 PEM (owner read/write only).
    public func save(certificateFile: String, privateKeyFile: String) throws {
        let files = FileManager.default
        for path in [certificateFile, privateKeyFile] {
            let directory = (path as NSString).deletingLastPathComponent
            if !directory.isEmpty { try? files.createDirectory(atPath: directory, withIntermediateDirectories: true) }
        }
        guard files.createFile(atPath: privateKeyFile, contents: Data(privateKey.pemRepresentation.utf8),
                               attributes: [.posixPermissions: 0o600]) else {
            throw OPCUASecurityError("cannot write private key file \(privateKeyFile)")
        }
        guard files.createFile(atPath: certificateFile, contents: Data(certificate.der)) else {
            throw OPCUASecurityError("cannot write certificate file \(certificateFile)")
        }
    }
}
