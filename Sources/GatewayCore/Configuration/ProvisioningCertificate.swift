import Crypto
import Foundation
import X509

/// The key pair and self-signed certificate of X509_CERTIFICATE provisioning: as the reference
/// makes them (an EC P-256 key, subject and issuer CN=localhost, valid from a day ago for 365
/// days), written to `cert.pem` and `key.pem` in the configuration folder. ThingsBoard registers
/// the certificate sent in the provisioning request; the TLS session then presents it.
enum ProvisioningCertificate {
    static let certificateFileName = "cert.pem"
    static let privateKeyFileName = "key.pem"

    static func certificateFile(in directory: String) -> String {
        (directory as NSString).appendingPathComponent(certificateFileName)
    }

    static func privateKeyFile(in directory: String) -> String {
        (directory as NSString).appendingPathComponent(privateKeyFileName)
    }

    /// Generates and writes both files (the key readable by the owner only); returns the
    /// certificate's PEM text, the `hash` of the provisioning request.
    static func generate(in directory: String, now: Date = Date()) throws -> String {
        let key = P256.Signing.PrivateKey()
        let name = try DistinguishedName { CommonName("localhost") }
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: Certificate.PublicKey(key.publicKey),
            notValidBefore: now.addingTimeInterval(-86_400), notValidAfter: now.addingTimeInterval(365 * 86_400),
            issuer: name, subject: name, signatureAlgorithm: .ecdsaWithSHA256, extensions: Certificate.Extensions(),
            issuerPrivateKey: Certificate.PrivateKey(key))
        let pem = try certificate.serializeAsPEM().pemString + "\n"
        let keyURL = URL(fileURLWithPath: privateKeyFile(in: directory))
        try Data((key.pemRepresentation + "\n").utf8).write(to: keyURL, options: .atomic)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: keyURL.path)
        try Data(pem.utf8).write(to: URL(fileURLWithPath: certificateFile(in: directory)), options: .atomic)
        return pem
    }
}
