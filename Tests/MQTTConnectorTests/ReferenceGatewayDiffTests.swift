import Foundation
import MQTTConnector
import Reporting
import Testing
import TestSupport

/// The MQTT connector against the Python gateway 3.8.5's own code. `scripts/reference-diff/mqtt`
/// holds 3,399 uplink conversion cases and `scripts/reference-diff/mqtt-requests` 1,295
/// `requestsMapping` cases (connect/disconnect/attribute requests, attribute updates, RPCs), each
/// with what the reference sends to ThingsBoard and to the devices, recorded by running its code
/// (`reference_convert.py`). These tests run every case here and have `compare.py` check that
/// each result is the reference's, except the deliberate differences listed, with their reason,
/// in `known-differences.json`; an entry that no longer differs fails too (`--strict`), so the
/// list stays true.
@Suite struct ReferenceGatewayDiffTests {
    static let root = PythonPeer.projectRoot.appendingPathComponent("scripts/reference-diff")

    @Test func everyConversionCaseIsTheReferenceGatewaysOrAListedDeliberateDifference() throws {
        try compare(folder: "mqtt", cases: 3399) {
            MQTTConversionPreview.resultLines(forCases: $0, receivedAt: 1_700_000_000_000) {
                ReportFilter.admitFirst($0, connectorDefault: $1, now: $2)
            }
        }
    }

    @Test func everyRequestsCaseIsTheReferenceGatewaysOrAListedDeliberateDifference() throws {
        try compare(folder: "mqtt-requests", cases: 1295) { MQTTRequestsPreview.resultLines(forCases: $0) }
    }

    private func compare(folder name: String, cases count: Int, run: (String) -> [UInt8]) throws {
        let folder = Self.root.appendingPathComponent(name)
        let cases = folder.appendingPathComponent("cases.jsonl")
        let ours = FileManager.default.temporaryDirectory
            .appendingPathComponent("reference-diff-\(name)-\(ProcessInfo.processInfo.processIdentifier).jsonl")
        defer { try? FileManager.default.removeItem(at: ours) }
        try Data(run(try String(contentsOf: cases, encoding: .utf8))).write(to: ours)

        let result = try runTool(PythonPeer.python(), [
            folder.appendingPathComponent("compare.py").path, cases.path,
            folder.appendingPathComponent("reference.jsonl").path, ours.path, "--strict", "--examples", "3",
        ], includeStandardError: true)
        let summary = result.output.split(separator: "\n").first.map(String.init) ?? ""
        #expect(result.status == 0, "\(result.output.prefix(20_000))")
        // The comparison really ran over every case.
        #expect(summary.hasPrefix("cases compared: \(count) "), "\(summary)")
    }
}
