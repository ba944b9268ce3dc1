import Testing
@testable import Expressions
import GatewayKit

/// Mirrors the upstream tests/unit/converters/mqtt/test_mqtt_json_uplink_converter.py (the
/// datapoint part; device names are the connector's) and test_ts_format_resolver.py, plus the
/// rules of the reference's converter loop.
@Suite("JSON datapoint mapping")
struct JSONDatapointMapperTests {
    private let receivedAt: Int64 = 1_763_700_000_000

    private func mapper(_ converter: String) throws -> JSONDatapointMapper {
        try JSONDatapointMapper(converterReader(converter))
    }

    private func apply(_ converter: String, _ json: String, topic: String? = nil,
                       useReceivedTs: Bool = false) throws -> MappedDatapoints {
        try mapper(converter).apply(to: message(json), topic: topic, receivedAt: receivedAt, useReceivedTs: useReceivedTs)
    }

    // MARK: upstream converter tests

    @Test("glob matching: \"*\" sends every field as attributes and telemetry")
    func globMatching() throws {
        let result = try apply(#"{"attributes": "*", "timeseries": "*"}"#, #"{"Temperature": 117, "Pressure": 3}"#)
        #expect(result.attributes == ["Temperature": 117, "Pressure": 3])
        #expect(result.telemetry == [TelemetryEntry(ts: receivedAt, values: ["Temperature": 117, "Pressure": 3])])
    }

    @Test func globAsListEntry() throws {
        let result = try apply(#"{"attributes": ["*"], "timeseries": ["*"]}"#, #"{"DeviceName": "TestDevice", "DeviceType": "T"}"#)
        #expect(result.attributes == ["DeviceName": "TestDevice", "DeviceType": "T"])
        #expect(result.telemetry.first?.values == ["DeviceName": "TestDevice", "DeviceType": "T"])
    }

    @Test("array result: each element of an array message maps the same way")
    func arrayElements() throws {
        let mapper = try mapper(#"{"attributes": "*", "timeseries": "*"}"#)
        for element in message(#"[{"Temperature": 1, "Pressure": 2}, {"Temperature": 1, "Pressure": 2}]"#).arrayValue! {
            let result = mapper.apply(to: element, topic: nil, receivedAt: receivedAt, useReceivedTs: false)
            #expect(result.attributes == ["Temperature": 1, "Pressure": 2])
            #expect(result.telemetry.first?.values == ["Temperature": 1, "Pressure": 2])
        }
    }

    @Test("string to int without eval: int(float(\"21.420000\")) = 21")
    func stringToIntWithoutEval() throws {
        let result = try apply(#"{"useEval": false, "attributes": [{"type": "int", "key": "test_key", "value": "${test_key}"}], "timeseries": []}"#,
                               #"{"device name": "TestDevice", "test_key": "21.420000"}"#)
        #expect(result.attributes == ["test_key": 21])
        #expect(result.telemetry.isEmpty)
    }

    @Test("useEval is refused with a clear error")
    func useEvalIsRefused() {
        #expect(throws: ConfigError(file: "mqtt.json", keyPath: "mapping[0].converter.useEval",
                                    expected: "false or absent (Python eval of values is not supported)", found: "true")) {
            try mapper(#"{"useEval": true, "attributes": [{"type": "int", "key": "k", "value": "${k} + ${k}"}]}"#)
        }
    }

    // MARK: the reference config's mappings

    @Test func referenceConfigMapping() throws {
        let converter = #"""
            {"attributes": [{"type": "string", "key": "model", "value": "${sensorModel}"}],
             "timeseries": [{"type": "double", "key": "temperature", "value": "${temp}"},
                            {"type": "string", "key": "humidity", "value": "${hum}"}]}
            """#
        let result = try apply(converter, #"{"serialNumber": "SN-1", "sensorModel": "T1000", "temp": 42, "hum": 58.0}"#)
        #expect(result.attributes == ["model": "T1000"])
        #expect(result.telemetry == [TelemetryEntry(ts: receivedAt, values: ["temperature": 42.0, "humidity": "58.0"])])
        #expect(!result.isEmpty)
    }

    @Test func unresolvedAndNullValuesAreSkipped() throws {
        let converter = #"""
            {"timeseries": [{"type": "double", "key": "t", "value": "${temp}"},
                            {"type": "double", "key": "h", "value": "${hum}"},
                            {"type": "string", "key": "${kind}_x", "value": "${temp}"},
                            {"type": "string", "key": "label", "value": "${temp}-${unit}"}]}
            """#
        let result = try apply(converter, #"{"temp": 20, "hum": null}"#)
        #expect(result.telemetry == [TelemetryEntry(ts: receivedAt, values: ["t": 20.0])])
        let nothing = try apply(converter, #"{"other": 1}"#)
        #expect(nothing.isEmpty)
    }

    @Test func keysAndValuesFromTemplatesAndConstants() throws {
        let converter = #"""
            {"attributes": [{"type": "string", "key": "${kind}_${n}", "value": "${vendor}-${id}"},
                            {"type": "int", "key": "version", "value": "3"},
                            {"type": "bool", "key": "online", "value": "${state}"}]}
            """#
        let result = try apply(converter, #"{"kind": "temp", "n": 2, "vendor": "ACME", "id": 7, "state": "ON"}"#)
        #expect(result.attributes == ["temp_2": "ACME-7", "version": 3, "online": true])
    }

    @Test func keySourceTopic() throws {
        let converter = #"""
            {"timeseries": [{"type": "double", "keySource": "topic", "key": "(?<=sensor/)[^/]+$", "value": "${value}"}]}
            """#
        let result = try apply(converter, #"{"value": "1.5"}"#, topic: "sensor/pressure")
        #expect(result.telemetry.first?.values == ["pressure": 1.5])
        #expect(try apply(converter, #"{"value": 1}"#, topic: "other").isEmpty, "no key from the topic: skipped")
        #expect(try apply(converter, #"{"value": 1}"#, topic: nil).isEmpty)
    }

    @Test func keyReportStrategies() throws {
        let converter = #"""
            {"timeseries": [{"type": "double", "key": "t", "value": "${t}",
                             "reportStrategy": {"type": "ON_CHANGE_OR_REPORT_PERIOD", "reportPeriod": 5000}},
                            {"type": "double", "key": "h", "value": "${h}"}]}
            """#
        let result = try apply(converter, #"{"t": 1, "h": 2}"#)
        #expect(result.keyReportStrategies == ["t": ReportStrategy(kind: .onChangeOrReportPeriod, reportPeriodMs: 5000)])
    }

    // MARK: timestamps (test_ts_format_resolver.py and the converter's rules)

    private static let tsFieldConverter = #"""
        {"timeseries": [{"type": "double", "key": "temperature", "value": "${temperature}",
                         "tsField": "${timestampField}", "dayfirst": DAYFIRST, "yearfirst": YEARFIRST}]}
        """#

    @Test("tsField with dayfirst/yearfirst (upstream: '10.11.25 10:35:12.123')", arguments: [
        (false, false, "2025-10-11 10:35:12.123"),
        (true, false, "2025-11-10 10:35:12.123"),
        (false, true, "2010-11-25 10:35:12.123"),
    ])
    func tsFieldOrders(_ testCase: (Bool, Bool, String)) throws {
        let converter = Self.tsFieldConverter.replacingOccurrences(of: "DAYFIRST", with: "\(testCase.0)")
            .replacingOccurrences(of: "YEARFIRST", with: "\(testCase.1)")
        let result = try apply(converter, #"{"temperature": 25, "timestampField": "10.11.25 10:35:12.123"}"#)
        let expected = DateStringParser(dayFirst: false, yearFirst: false).milliseconds(testCase.2)
        #expect(result.telemetry == [TelemetryEntry(ts: expected, values: ["temperature": 25.0])])
    }

    @Test("nested tsField: the last part of the path is searched for in nested objects")
    func nestedTsField() throws {
        let converter = #"{"timeseries": [{"key": "temp", "tsField": "${D1234.timestamp}", "type": "float", "value": "${D1234.temperature}"}]}"#
        let json = #"{"D1234": {"pw": 33.5, "temperature": 36, "timestamp": "2025-10-20T11:53:37.637Z"}, "device": "SD8501", "ts": 1763136908969}"#
        #expect(try apply(converter, json).telemetry == [TelemetryEntry(ts: 1_760_961_217_637, values: ["temp": 36.0])])
        let deeper = #"{"D1234": {"SN-003": {"updated_at": "2025-10-20T11:53:37.637Z"}, "t": 1}, "ts": 1763137728466}"#
        let converter2 = #"{"timeseries": [{"key": "t", "tsField": "${updated_at}", "type": "int", "value": "${D1234.t}"}]}"#
        #expect(try apply(converter2, deeper).telemetry.first?.ts == 1_760_961_217_637)
        #expect(JSONDatapointMapper.findField("updated_at", in: message(deeper)) == "2025-10-20T11:53:37.637Z")
    }

    @Test func tsFieldWithEpochNumbers() throws {
        let converter = #"{"timeseries": [{"key": "v", "tsField": "${time}", "type": "int", "value": "${v}"}]}"#
        #expect(try apply(converter, #"{"v": 1, "time": 1763136908969}"#).telemetry.first?.ts == 1_763_136_908_969)
        #expect(try apply(converter, #"{"v": 1, "time": 1763136908}"#).telemetry.first?.ts == 1_763_136_908_000)
        #expect(try apply(converter, #"{"v": 1, "time": "1763136908.5"}"#).telemetry.first?.ts == 1_763_136_908_500)
    }

    @Test("without tsField the message's ts (or timestamp) is used as milliseconds")
    func messageTimestamp() throws {
        let converter = #"{"timeseries": [{"type": "double", "key": "temperature", "value": "${temperature}"}]}"#
        #expect(try apply(converter, #"{"temperature": 25, "ts": 1763137728466}"#).telemetry.first?.ts == 1_763_137_728_466)
        #expect(try apply(converter, #"{"temperature": 25, "timestamp": 1763137728000}"#).telemetry.first?.ts == 1_763_137_728_000)
        #expect(try apply(converter, #"{"temperature": 25, "ts": "2025-10-20T11:53:37.637Z"}"#).telemetry.first?.ts == 1_760_961_217_637)
        #expect(try apply(converter, #"{"temperature": 25, "ts": "garbage"}"#).telemetry.first?.ts == receivedAt)
        #expect(try apply(converter, #"{"temperature": 25}"#).telemetry.first?.ts == receivedAt)
    }

    @Test("an unreadable tsField falls back to the message's ts")
    func unreadableTsField() throws {
        let converter = #"{"timeseries": [{"key": "v", "tsField": "${time}", "type": "int", "value": "${v}"}]}"#
        #expect(try apply(converter, #"{"v": 1, "time": "not a date", "ts": 1700000000000}"#).telemetry.first?.ts == 1_700_000_000_000)
        #expect(try apply(converter, #"{"v": 1, "ts": 1700000000000}"#).telemetry.first?.ts == 1_700_000_000_000)
    }

    @Test func useReceivedTsOverridesEverything() throws {
        let converter = #"{"timeseries": [{"key": "v", "tsField": "${time}", "type": "int", "value": "${v}"}, "*"]}"#
        let result = try apply(converter, #"{"v": 1, "time": 1763136908969, "ts": 5}"#, useReceivedTs: true)
        #expect(result.telemetry == [TelemetryEntry(ts: receivedAt, values: ["v": 1, "time": 1_763_136_908_969, "ts": 5])])
    }

    /// Any key can be named, also with characters the reference's placeholder pattern leaves out.
    @Test func placeholdersNameKeysWithAnyCharacters() throws {
        let converter = #"{"attributes": [{"key": "t", "type": "double", "value": "${Température}"},"#
            + #"{"key": "c", "type": "string", "value": "${temp(C)} °C"}]}"#
        let result = try apply(converter, #"{"Température": 21.5, "temp(C)": 20}"#)
        #expect(result.attributes == ["t": 21.5, "c": "20 °C"])
    }

    /// The reference's TelemetryEntry takes a message's own `{"ts", "values"}` over the received
    /// time it is given, so `useReceivedTs` does not restamp what `"*"` unpacks.
    @Test func aTsValuesMessageUnpackedByStarKeepsItsTsUnderUseReceivedTs() throws {
        let result = try apply(#"{"timeseries": "*"}"#, #"{"ts": 1763136908969, "values": {"v": 1}}"#, useReceivedTs: true)
        #expect(result.telemetry == [TelemetryEntry(ts: 1_763_136_908_969, values: ["v": 1])])
        let plain = try apply(#"{"timeseries": "*"}"#, #"{"v": 1, "ts": 1763136908969}"#, useReceivedTs: true)
        #expect(plain.telemetry == [TelemetryEntry(ts: receivedAt, values: ["v": 1, "ts": 1_763_136_908_969])])
    }

    @Test("telemetry is grouped by time in order of first appearance")
    func groupedByTime() throws {
        let converter = #"""
            {"timeseries": [{"key": "a", "type": "int", "value": "${a.v}", "tsField": "${a.t}"},
                            {"key": "b", "type": "int", "value": "${b.v}", "tsField": "${b.t}"},
                            {"key": "c", "type": "int", "value": "${c}"}]}
            """#
        let json = #"{"a": {"v": 1, "t": 2000000000000}, "b": {"v": 2, "t": 1000000000000}, "c": 3, "ts": 2000000000000}"#
        #expect(try apply(converter, json).telemetry == [
            TelemetryEntry(ts: 2_000_000_000_000, values: ["a": 1, "c": 3]),
            TelemetryEntry(ts: 1_000_000_000_000, values: ["b": 2]),
        ])
    }

    @Test("\"*\" telemetry unpacks {ts, values} like the reference's TelemetryEntry")
    func globWithTsAndValues() throws {
        let result = try apply(#"{"timeseries": "*"}"#, #"{"ts": 1700000000000, "values": {"a": 1, "b": 2}}"#)
        #expect(result.telemetry == [TelemetryEntry(ts: 1_700_000_000_000, values: ["a": 1, "b": 2])])
        let plain = try apply(#"{"timeseries": "*"}"#, #"{"ts": 1700000000000, "a": 1}"#)
        #expect(plain.telemetry == [TelemetryEntry(ts: receivedAt, values: ["ts": 1_700_000_000_000, "a": 1])])
    }

    // MARK: configuration errors name the key

    @Test("config errors name the key path", arguments: [
        (#"{"timeseries": [{"type": "double", "key": "t", "value": "${temp"}]}"#, "mapping[0].converter.timeseries[0].value",
         #"a valid value expression ("${" without a closing "}")"#, #""${temp""#),
        (#"{"timeseries": [{"type": "double", "value": "${t}"}]}"#, "mapping[0].converter.timeseries[0].key",
         "a string (expression)", nil),
        (#"{"attributes": [{"type": "double", "key": "t"}]}"#, "mapping[0].converter.attributes[0].value",
         "a string (expression)", nil),
        (#"{"timeseries": [{"type": "double", "key": "(", "keySource": "topic", "value": "${t}"}]}"#,
         "mapping[0].converter.timeseries[0].key", "a valid topic expression (not a valid regular expression)", #""(""#),
        (#"{"timeseries": [{"type": "double", "key": "t", "value": "${t}", "keySource": "payload"}]}"#,
         "mapping[0].converter.timeseries[0].keySource", #"one of "message", "topic""#, #""payload""#),
        (#"{"timeseries": "all"}"#, "mapping[0].converter.timeseries", #"a list of datapoint entries or "*""#, #""all""#),
        (#"{"timeseries": [{"type": "int", "key": "k", "value": "${v}"}, 5]}"#, "mapping[0].converter.timeseries[1]",
         "an object", "5"),
        (#"{"timeseries": [{"type": "int", "key": "k", "value": "${v}", "reportStrategy": {"type": "SOMETIMES"}}]}"#,
         "mapping[0].converter.timeseries[0].reportStrategy.type",
         #"one of "ON_RECEIVED", "ON_CHANGE", "ON_REPORT_PERIOD", "ON_CHANGE_OR_REPORT_PERIOD", "DISABLED""#, #""SOMETIMES""#),
        (#"{"timeseries": [{"type": "int", "key": "k", "value": "${v}", "tsField": "${t}", "dayfirst": "often"}]}"#,
         "mapping[0].converter.timeseries[0].dayfirst", "true or false", #""often""#),
    ] as [(String, String, String, String?)])
    func configErrors(_ testCase: (String, String, String, String?)) {
        #expect(throws: ConfigError(file: "mqtt.json", keyPath: testCase.1, expected: testCase.2, found: testCase.3)) {
            try mapper(testCase.0)
        }
    }

    @Test func absentListsMapNothing() throws {
        let result = try apply(#"{"type": "json"}"#, #"{"a": 1}"#)
        #expect(result.isEmpty)
    }
}
