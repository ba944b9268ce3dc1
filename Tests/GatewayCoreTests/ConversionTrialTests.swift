import Foundation
import Testing
import TestSupport
@testable import GatewayCore

/// `iot-gateway convert`: what a user sees for a message, from the shipped example config.
@Suite struct ConversionTrialTests {
    let example = PythonPeer.projectRoot.appendingPathComponent("config/mqtt.json").path
    let now: Int64 = 1_700_000_000_000

    func run(_ topic: String, _ payload: String, file: String? = nil) -> ConversionTrial.Report {
        ConversionTrial.run(connectorFile: file ?? example, type: "mqtt", topic: topic, payload: .text(payload), now: now)
    }

    @Test func aMessagePrintsTheThingsBoardMessagesItBecomes() {
        let report = run("sensor/SN-001/data", #"{"sensorModel": "T1000", "temp": 25.5, "hum": 40}"#)
        #expect(report.ok)
        #expect(report.text == """
            v1/gateway/attributes {"SN-001":{"model":"T1000"}}
            v1/gateway/telemetry {"SN-001":[{"ts":1700000000000,"values":{"temperature":25.5,"humidity":40.0}}]}
            """)
    }

    @Test func problemsAndUnmatchedTopicsFail() {
        let bad = run("sensor/SN-001/data", "not json")
        #expect(!bad.ok)
        #expect(bad.text.hasPrefix("PROBLEM payload is not JSON"))
        let unmatched = run("elsewhere", "{}")
        #expect(!unmatched.ok)
        #expect(unmatched.text.contains("no mapping or request"))
    }

    /// A request topic shows what the gateway sends for it; a mapping left out (a custom
    /// converter nobody registered) is named, not silently missing.
    @Test func requestsAndLeftOutMappingsAreShown() throws {
        let folder = try makeScratchDirectory("convert")
        let file = folder.appendingPathComponent("mqtt.json")
        try #"""
            {"broker": {"host": "h"},
             "mapping": [{"topicFilter": "custom/+", "converter": {"type": "custom", "extension": "NobodysConverter"}}],
             "requestsMapping": {"connectRequests": [{"topicFilter": "sensor/+/connect",
               "deviceInfo": {"deviceNameExpressionSource": "topic", "deviceNameExpression": "(?<=sensor/)[^/]+"}}]}}
            """#.write(to: file, atomically: true, encoding: .utf8)
        let connect = run("sensor/SN-9/connect", "", file: file.path)
        #expect(connect.ok)
        #expect(connect.text.hasSuffix(#"v1/gateway/connect {"device":"SN-9","type":"default"}"#), "\(connect.text)")
        #expect(connect.text.hasPrefix("SKIPPED "), "\(connect.text)")
        let custom = run("custom/a", "x", file: file.path)
        #expect(!custom.ok)
        #expect(custom.text.contains("NobodysConverter"), "\(custom.text)")
    }

    @Test func aBrokenFileIsNamedWithTheKey() throws {
        let folder = try makeScratchDirectory("convert")
        let file = folder.appendingPathComponent("mqtt.json")
        try #"{"broker": {"host": "h"}, "mapping": [{"topicFilter": "a/+", "converter": {"type": "json", "timeseries": [{"key": "t", "value": "${t"}]}}]}"#
            .write(to: file, atomically: true, encoding: .utf8)
        let report = run("a/b", "{}", file: file.path)
        #expect(!report.ok)
        #expect(report.text.hasPrefix("ERROR mqtt.json: mapping[0].converter."), "\(report.text)")
    }
}
