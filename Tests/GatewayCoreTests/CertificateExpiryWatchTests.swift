@testable import GatewayCore
import Foundation
import Logging
import Testing
import TestSupport
import X509

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

    /// A missing file fails the check (the connection cannot work); one this check cannot read
    /// gets a warning (the TLS layer may still take it).
    @Test func aMissingCertificateFailsTheCheckAndAnUnreadableOneIsAWarning() throws {
        let pki = try TestCertificates(label: "certificate-unreadable")
        let directory = try x509Configuration(pki)
        try "not a certificate\n".write(toFile: pki.caFile, atomically: true, encoding: .utf8)
        let unreadable = ConfigurationCheck.run(directory: directory, environment: [:])
        #expect(unreadable.ok, "\(unreadable.text)")
        #expect(unreadable.text.contains("WARNING TLS certificate (ca): \(pki.caFile): cannot tell its expiry: \(pki.caFile) holds no PEM certificate"),
                "\(unreadable.text)")
        try FileManager.default.removeItem(atPath: pki.clientCertFile)
        let missing = ConfigurationCheck.run(directory: directory, environment: [:])
        #expect(!missing.ok)
        #expect(missing.text.contains("ERROR TLS certificate (client): \(pki.clientCertFile):"), "\(missing.text)")
    }

    /// A client chain stops working when its first certificate expires; a CA bundle, which may
    /// hold long-expired roots beside the one in use, when its last one does. The metrics carry
    /// that end of validity per file.
    @Test func theMetricsCarryWhenEachFileStopsWorking() throws {
        let pki = try TestCertificates(label: "certificate-metrics")
        let expired = try makeScratchDirectory("certificate-expired").path
        _ = try ProvisioningCertificate.generate(in: expired, now: Date().addingTimeInterval(-2 * 365 * 86_400))
        let read = { (file: String) in try String(contentsOfFile: file, encoding: .utf8) }
        let chain = pki.directory.appendingPathComponent("chain.pem").path
        try (read(pki.clientCertFile) + read(pki.caFile)).write(toFile: chain, atomically: true, encoding: .utf8)
        let bundle = pki.directory.appendingPathComponent("bundle.pem").path
        try (read(expired + "/cert.pem") + read(pki.caFile)).write(toFile: bundle, atomically: true, encoding: .utf8)

        let watch = CertificateExpiryWatch(certificates: [.init(role: "client", file: chain), .init(role: "ca", file: bundle)],
                                           period: .seconds(86_400), warnWithinDays: 3, expiries: CertificateExpiries(),
                                           logger: Logger(label: "test"))
        watch.check(now: Date())
        var metrics = PrometheusText()
        watch.expiries.write(to: &metrics)
        func end(_ role: String) throws -> Double {
            let sample = try #require(metrics.text.split(separator: "\n").first {
                $0.hasPrefix("iotgw_thingsboard_certificate_expiry_timestamp_seconds{") && $0.contains(#"certificate="\#(role)""#)
            }, "\(metrics.text)")
            return try #require(Double(sample.split(separator: " ").last ?? ""))
        }
        let caEnd = try Certificate(pemEncoded: read(pki.caFile)).notValidAfter.timeIntervalSince1970
        let clientEnd = try Certificate(pemEncoded: read(pki.clientCertFile)).notValidAfter.timeIntervalSince1970
        #expect(try end("client") == min(caEnd, clientEnd))
        #expect(try end("ca") == caEnd, "the expired root was taken for the bundle's end")
        // The test PKI's certificates are valid for two days.
        #expect(abs(caEnd - Date().addingTimeInterval(2 * 86_400).timeIntervalSince1970) < 120)
        #expect(ConfigurationCheck.run(directory: try x509Configuration(pki), environment: [:]).ok)
    }
}
