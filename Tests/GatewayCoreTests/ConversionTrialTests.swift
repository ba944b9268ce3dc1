import Foundation
import Testing
import TestSupport
@testable import GatewayCore

/// `iot-gateway convert`: what a user sees for a message, from the shipped example config.
@Suite struct ConversionTrialTests {
    let example = PythonPeer.projectRoot.appendingPathComponent("config/mqtt.json").path
    let now: Int64 = 1_700_000_000_000

    func run(_ topic: String, _ payload: String, file: String? = nil, type: String = "mqtt") -> ConversionTrial.Report {
        ConversionTrial.run(connectorFile: file ?? example, type: type, topic: topic, payload: .text(payload), now: now)
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

    /// Every registered connector says truly whether it offers a trial: one that does not gives
    /// none, without looking at the configuration.
    @Test func theRegistryKnowsWhichConnectorsOfferATrial() throws {
        for (type, factory) in ConnectorRegistry.factories {
            if factory.offersMessageTrial {
                #expect(throws: (any Error).self, "\(type): an empty configuration is refused") {
                    _ = try factory.messageTrial(configuration: [:], file: "x.json")
                }
            } else {
                #expect(try factory.messageTrial(configuration: [:], file: "x.json") == nil, "\(type)")
            }
        }
        let modbus = run("a", "1", type: "modbus")
        #expect(!modbus.ok)
        #expect(modbus.text.contains("types that can: mqtt"), "\(modbus.text)")
    }

    /// The connector's own report strategy applies as to its first message: with ON_CHANGE a
    /// repeated value in the same message is not sent again.
    @Test func theConnectorsReportStrategyApplies() throws {
        let folder = try makeScratchDirectory("convert")
        let file = folder.appendingPathComponent("mqtt.json")
        try #"""
            {"broker": {"host": "h"}, "reportStrategy": {"type": "ON_CHANGE"},
             "mapping": [{"topicFilter": "s", "converter": {"type": "json",
               "deviceInfo": {"deviceNameExpressionSource": "constant", "deviceNameExpression": "D"},
               "timeseries": [{"type": "double", "key": "t", "value": "${t}"}]}}]}
            """#.write(to: file, atomically: true, encoding: .utf8)
        let report = run("s", #"[{"t": 1}, {"t": 1}, {"t": 2}]"#, file: file.path)
        #expect(report.ok)
        #expect(report.text == #"v1/gateway/telemetry {"D":[{"ts":1700000000000,"values":{"t":1.0}},{"ts":1700000000000,"values":{"t":2.0}}]}"#)
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
