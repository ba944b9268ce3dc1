import Foundation
import X509

/// Checks the server certificate before a secure channel is opened.
///
/// By default (`trustedCertificates == nil`) any server certificate is accepted, as the reference gateway
/// (asyncua client without a validator) does; only its validity period is checked. With a trust list the
/// certificate must be one of the trusted certificates, or be issued and signed by one of them (a CA).
public struct OPCUACertificateValidator: Sendable {
    /// nil: accept any certificate (the default, like the reference gateway).
    public var trustedCertificates: [OPCUACertificate]?
    public var checksValidityPeriod: Bool

    public init(trustedCertificates: [OPCUACertificate]? = nil, checksValidityPeriod: Bool = true) {
        self.trustedCertificates = trustedCertificates
        self.checksValidityPeriod = checksValidityPeriod
    }

    /// - Parameter expectedApplicationURI: when given (the endpoint's server applicationUri), the certificate's
    ///   SAN must carry it, as Part 4 §5.6.2 asks clients to check.
    public func validate(_ candidate: OPCUACertificate, expectedApplicationURI: String? = nil, now: Date = Date()) throws {
        let certificate = candidate.certificate
        if checksValidityPeriod {
            guard certificate.notValidBefore <= now else {
                throw OPCUASecurityError("server certificate '\(certificate.subject)' is not valid before \(certificate.notValidBefore)")
            }
            guard now <= certificate.notValidAfter else {
                throw OPCUASecurityError("server certificate '\(certificate.subject)' expired at \(certificate.notValidAfter)")
            }
        }
        if let expectedApplicationURI, !expectedApplicationURI.isEmpty {
            let uris = Self.applicationURIs(of: certificate)
            guard uris.contains(expectedApplicationURI) else {
                throw OPCUASecurityError("server certificate URI \(uris) does not match application URI \(expectedApplicationURI)")
            }
        }
        guard let trustedCertificates else { return }
        let trusted = trustedCertificates.contains { trusted in
            trusted.der == candidate.der
                || (trusted.certificate.subject == certificate.issuer
                    && trusted.certificate.publicKey.isValidSignature(certificate.signature, for: certificate))
        }
        guard trusted else {
            throw OPCUASecurityError("server certificate '\(certificate.subject)' (thumbprint \(candidate.thumbprintHex)) is not trusted")
        }
    }

    /// The URIs in the certificate's SubjectAlternativeName.
    public static func applicationURIs(of certificate: Certificate) -> [String] {
        guard let names = try? certificate.extensions.subjectAlternativeNames else { return [] }
        return names.compactMap { name in
            if case .uniformResourceIdentifier(let uri) = name { return uri }
            return nil
        }
    }
}

extension OPCUACertificate {
    /// Lower-case hex SHA-1 thumbprint, as OPC UA tools show it.
    public var thumbprintHex: String {
        thumbprint.map { byte in
            let digits = Array("0123456789abcdef")
            return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0f)]])
        }.joined()
    }
}
