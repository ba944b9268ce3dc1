import Foundation
import MQTTConnector
import Testing
import TestSupport

/// The MQTT converters against the Python gateway's own: `scripts/reference-diff/mqtt` holds
/// 3,399 cases (configs × payloads over every converter feature) and what the reference gateway
/// 3.8.5 sends to ThingsBoard for each, recorded by running its converters and report filter
/// (`reference_convert.py`). This test converts every case here and has `compare.py` check that
/// each result is the reference's, except the deliberate differences listed, with their reason,
/// in `known-differences.json`; an entry that no longer differs fails too (`--strict`), so the
/// list stays true.
@Suite struct ReferenceGatewayDiffTests {
    let folder = PythonPeer.projectRoot.appendingPathComponent("scripts/reference-diff/mqtt")

    @Test func everyCaseConvertsAsTheReferenceGatewayOrIsAListedDeliberateDifference() throws {
        let cases = folder.appendingPathComponent("cases.jsonl")
        let ours = FileManager.default.temporaryDirectory
            .appendingPathComponent("reference-diff-ours-\(ProcessInfo.processInfo.processIdentifier).jsonl")
        defer { try? FileManager.default.removeItem(at: ours) }
        let lines = MQTTConversionPreview.resultLines(forCases: try String(contentsOf: cases, encoding: .utf8),
                                                      receivedAt: 1_700_000_000_000)
        try Data(lines).write(to: ours)

        let run = try runTool(PythonPeer.python(), [
            folder.appendingPathComponent("compare.py").path, cases.path,
            folder.appendingPathComponent("reference.jsonl").path, ours.path, "--strict", "--examples", "3",
        ], includeStandardError: true)
        let summary = run.output.split(separator: "\n").first.map(String.init) ?? ""
        #expect(run.status == 0, "\(run.output.prefix(20_000))")
        // The comparison really ran over every case.
        #expect(summary.hasPrefix("cases compared: 3399 "), "\(summary)")
    }
}
