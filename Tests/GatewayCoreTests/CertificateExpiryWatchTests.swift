@testable import GatewayCore
import Foundation
import Logging
import Testing
import TestSupport

/// The TLS certificates of the ThingsBoard connection are watched for their expiry
/// (`security.checkCertPeriod`, `security.certificateDaysLeft`): `check-config` names each with
/// its end of validity and warns of one that expires within the days given, and the running
/// gateway's metrics carry each one's end of validity.
@Suite(.timeLimit(.minutes(1))) struct CertificateExpiryWatchTests {
    /// A configuration folder with X.509 security on the test PKI, whose certificates are valid
    /// for 2 days.
    func x509Configuration(_ pki: TestCertificates, extraSecurity: String = "") throws -> String {
        let directory = try makeScratchDirectory("certificate-expiry-config").path
        try #"""
        {"thingsboard": {"host": "127.0.0.1", "port": 8883,
          "security": {"type": "x509Certificate", "caCert": "\#(pki.caFile)", "cert": "\#(pki.clientCertFile)",
                       "privateKey": "\#(pki.clientKeyFile)"\#(extraSecurity)}},
         "storage": {"type": "memory"}, "connectors": []}
        """#.write(toFile: directory + "/tb_gateway.json", atomically: true, encoding: .utf8)
        return directory
    }

    @Test func checkConfigWarnsOfCertificatesCloseToTheirExpiry() throws {
        let pki = try TestCertificates(label: "certificate-expiry")
        let report = ConfigurationCheck.run(directory: try x509Configuration(pki), environment: [:])
        #expect(report.ok, "\(report.text)")
        #expect(report.text.contains("WARNING TLS certificate (client): \(pki.clientCertFile): valid until"), "\(report.text)")
        #expect(report.text.contains("WARNING TLS certificate (ca): \(pki.caFile): valid until"), "\(report.text)")
        #expect(report.text.contains("(1 days)") || report.text.contains("(2 days)"), "\(report.text)")

        let relaxed = ConfigurationCheck.run(directory: try x509Configuration(pki, extraSecurity: #", "certificateDaysLeft": 1"#),
                                             environment: [:])
        #expect(relaxed.text.contains("\nTLS certificate (client): \(pki.clientCertFile): valid until"), "\(relaxed.text)")
        #expect(!relaxed.text.contains("WARNING TLS"), "\(relaxed.text)")
    }

    @Test func aCertificateFileThatHoldsNoCertificateFailsTheCheck() throws {
        let pki = try TestCertificates(label: "certificate-unreadable")
        let directory = try x509Configuration(pki)
        try "not a certificate\n".write(toFile: pki.caFile, atomically: true, encoding: .utf8)
        let report = ConfigurationCheck.run(directory: directory, environment: [:])
        #expect(!report.ok)
        #expect(report.text.contains("ERROR TLS certificate (ca): \(pki.caFile): \(pki.caFile) holds no PEM certificate"), "\(report.text)")
    }

    @Test func theWatchReportsTheEarliestExpiryOfEachFileInTheMetrics() throws {
        let pki = try TestCertificates(label: "certificate-metrics")
        // A bundle: the CA and the client certificate (issued a moment later, so it ends later or at the same second).
        let bundle = pki.directory.appendingPathComponent("bundle.pem").path
        let caText = try String(contentsOfFile: pki.caFile, encoding: .utf8)
        try (caText + (try String(contentsOfFile: pki.clientCertFile, encoding: .utf8))).write(toFile: bundle, atomically: true, encoding: .utf8)
        let watch = CertificateExpiryWatch(certificates: [.init(role: "client", file: pki.clientCertFile), .init(role: "ca", file: bundle)],
                                           period: .seconds(86_400), warnWithinDays: 3, expiries: CertificateExpiries(),
                                           logger: Logger(label: "test"))
        watch.check(now: Date())
        var metrics = PrometheusText()
        watch.expiries.write(to: &metrics)
        let samples = metrics.text.split(separator: "\n").filter { $0.hasPrefix("iotgw_thingsboard_certificate_expiry_timestamp_seconds{") }
        #expect(samples.count == 2, "\(metrics.text)")
        let ca = try #require(samples.first { $0.contains(#"certificate="ca""#) && $0.contains(bundle) })
        let caEnd = try #require(Double(ca.split(separator: " ").last ?? ""))
        let expectedCAEnd = try CertificateExpiryWatch.earliestExpiry(inPEMFile: pki.caFile).timeIntervalSince1970
        #expect(caEnd == expectedCAEnd)
        // The test PKI's certificates are valid for two days.
        #expect(abs(caEnd - Date().addingTimeInterval(2 * 86_400).timeIntervalSince1970) < 120)
        #expect(samples.contains { $0.contains(#"certificate="client""#) })
    }
}
