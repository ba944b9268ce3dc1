import Foundation
import Logging
import Synchronization
import X509

/// Watches the expiry of the TLS certificates of the ThingsBoard connection (the gateway's client
/// certificate and the CA it trusts): checked at start and every `security.checkCertPeriod`
/// seconds, with an error in the log while one expires within `security.certificateDaysLeft`
/// days or has expired, and each one's end of validity in the metrics. An expired client
/// certificate ends the connection to ThingsBoard for good, so this is the warning beforehand.
/// The reference checks the same keys but then makes a new self-signed certificate in place of
/// the client certificate and publishes it as the `newCertificate` attribute; that certificate
/// works only once ThingsBoard's device credentials are changed to it, so this gateway leaves
/// the renewal to whoever issues the certificates.
struct CertificateExpiryWatch: Sendable {
    struct Watched: Sendable, Hashable {
        /// `client` or `ca`.
        var role: String
        var file: String
    }

    let certificates: [Watched]
    let period: Duration
    let warnWithinDays: Int
    let expiries: CertificateExpiries
    let logger: Logger

    func run() async {
        guard !certificates.isEmpty else { return }
        while !Task.isCancelled {
            check(now: Date())
            try? await Task.sleep(for: period)
        }
    }

    func check(now: Date) {
        for certificate in certificates {
            let notAfter: Date
            do {
                notAfter = try Self.expiry(of: certificate)
            } catch {
                logger.warning("cannot read the expiry of the ThingsBoard TLS certificate",
                               metadata: ["certificate": "\(certificate.role)", "file": "\(certificate.file)", "error": "\(error)"])
                continue
            }
            expiries.record(certificate, notAfter: notAfter)
            let left = notAfter.timeIntervalSince(now)
            guard left < Double(warnWithinDays) * 86_400 else { continue }
            let metadata: Logger.Metadata = ["certificate": "\(certificate.role)", "file": "\(certificate.file)",
                                             "notAfter": "\(notAfter)", "daysLeft": "\(Int((left / 86_400).rounded(.down)))"]
            if left <= 0 {
                logger.error("the ThingsBoard TLS certificate has expired: the connection fails until it is replaced", metadata: metadata)
            } else {
                logger.error("the ThingsBoard TLS certificate expires soon: replace it (and, for the client certificate, ThingsBoard's device credentials) before then",
                             metadata: metadata)
            }
        }
    }

    /// What `check-config` prints for a certificate; false when the connection cannot work with it.
    static func summary(of certificate: Watched, warnWithinDays: Int, now: Date = Date()) -> (line: String, usable: Bool) {
        let label = "TLS certificate (\(certificate.role)): \(certificate.file)"
        let notAfter: Date
        do {
            notAfter = try expiry(of: certificate)
        } catch let error as CertificateFileError {
            // Readable, but not by this check: the TLS layer may still take it.
            return ("WARNING \(label): cannot tell its expiry: \(error)", true)
        } catch {
            return ("ERROR \(label): \(error)", false)
        }
        let days = Int((notAfter.timeIntervalSince(now) / 86_400).rounded(.down))
        if notAfter <= now { return ("ERROR \(label): expired \(notAfter)", false) }
        let line = "\(label): valid until \(notAfter) (\(days) days)"
        return (days < warnWithinDays ? "WARNING " + line : line, true)
    }

    /// When a certificate file stops working: the client chain when its first certificate to
    /// expire does; a CA bundle (which may hold roots long expired beside the one in use) when its
    /// last certificate does.
    static func expiry(of certificate: Watched) throws -> Date {
        let ends = try expiries(inPEMFile: certificate.file)
        return (certificate.role == "ca" ? ends.max() : ends.min())!
    }

    /// The ends of validity of the certificates in a PEM file. Throws `CertificateFileError` for a
    /// file that is read but holds nothing this check understands.
    static func expiries(inPEMFile file: String) throws -> [Date] {
        let bytes = try Data(contentsOf: URL(fileURLWithPath: file))
        let text = String(decoding: bytes, as: UTF8.self)
        let end = "-----END CERTIFICATE-----"
        let blocks = text.components(separatedBy: end).dropLast().compactMap { block -> String? in
            guard let begin = block.range(of: "-----BEGIN CERTIFICATE-----") else { return nil }
            return String(block[begin.lowerBound...]) + end
        }
        guard !blocks.isEmpty else { throw CertificateFileError.noCertificate(file) }
        do {
            return try blocks.map { try Certificate(pemEncoded: $0).notValidAfter }
        } catch {
            throw CertificateFileError.unparsable(file, "\(error)")
        }
    }

    enum CertificateFileError: Error, CustomStringConvertible {
        case noCertificate(String)
        case unparsable(String, String)
        var description: String {
            switch self {
            case .noCertificate(let file): "\(file) holds no PEM certificate"
            case .unparsable(let file, let error): "a certificate of \(file) cannot be read: \(error)"
            }
        }
    }
}

/// The last checked end of validity of each watched certificate, for the metrics.
final class CertificateExpiries: Sendable {
    private let values = Mutex<[CertificateExpiryWatch.Watched: Date]>([:])

    func record(_ certificate: CertificateExpiryWatch.Watched, notAfter: Date) {
        values.withLock { $0[certificate] = notAfter }
    }

    private var all: [(certificate: CertificateExpiryWatch.Watched, notAfter: Date)] {
        values.withLock { $0.map { ($0.key, $0.value) } }.sorted { ($0.certificate.role, $0.certificate.file) < ($1.certificate.role, $1.certificate.file) }
    }

    func write(to out: inout PrometheusText) {
        for (certificate, notAfter) in all {
            out.sample("iotgw_thingsboard_certificate_expiry_timestamp_seconds", .gauge,
                       help: "When the ThingsBoard connection's TLS certificate files stop working (Unix time): a client chain's first certificate to expire, a CA bundle's last.",
                       labels: [("certificate", certificate.role), ("file", certificate.file)],
                       value: notAfter.timeIntervalSince1970)
        }
    }
}
