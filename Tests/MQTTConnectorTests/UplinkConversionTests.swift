import GatewayKit
import Logging
import NIOCore
import Testing
@testable import MQTTConnector

let receivedAt: Int64 = 1_700_000_000_000

func router(_ text: String) throws -> MQTTUplinkRouter {
    try MQTTUplinkRouter(configuration: try parse(text), file: "mqtt.json", logger: Logger(label: "test"))
}

func message(_ topic: String, _ payload: String) -> MQTTUplinkMessage {
    MQTTUplinkMessage(topic: topic, payload: ByteBuffer(string: payload), receivedAt: receivedAt)
}

let sensorMapping = """
    {"topicFilter": "sensor/+/data", "subscriptionQos": 1, "converter": {"type": "json",
      "deviceInfo": {"deviceNameExpressionSource": "topic", "deviceNameExpression": "(?<=sensor/)(.*?)(?=/data)",
                     "deviceProfileExpressionSource": "constant", "deviceProfileExpression": "Thermometer"},
      "attributes": [{"type": "string", "key": "model", "value": "${sensorModel}"}],
      "timeseries": [{"type": "double", "key": "temperature", "value": "${temp}"},
                     {"type": "string", "key": "humidity", "value": "${hum}"}]}}
    """

let messageNamedMapping = """
    {"topicFilter": "batch", "converter": {"type": "json",
      "deviceInfo": {"deviceNameExpressionSource": "message", "deviceNameExpression": "${serial}",
                     "deviceProfileExpressionSource": "message", "deviceProfileExpression": "${kind}"},
      "timeseries": [{"type": "integer", "key": "count", "value": "${n}",
                      "reportStrategy": {"type": "ON_CHANGE"}}]}}
    """

let bytesMapping = """
    {"topicFilter": "sensor/raw_data", "converter": {"type": "bytes",
      "deviceInfo": {"deviceNameExpressionSource": "message", "deviceNameExpression": "[0:4]",
                     "deviceProfileExpressionSource": "constant", "deviceProfileExpression": "default"},
      "attributes": [{"type": "raw", "key": "rawData", "value": "[:]"},
                     {"type": "raw", "key": "head", "value": "[0:2]", "hexMode": true}],
      "timeseries": [{"type": "raw", "key": "temp", "value": "[4:]"},
                     {"type": "double", "key": "tempNumber", "value": "[4:]"}]}}
    """

func config(mappings: [String], requests: String = "{}", extra: String = "") -> String {
    #"{"broker": {"host": "127.0.0.1"}, "mapping": ["# + mappings.joined(separator: ",") + #"], "requestsMapping": "#
        + requests + extra + "}"
}

@Suite struct UplinkConversionTests {
    @Test func jsonWithTheDeviceNameFromTheTopic() throws {
        let result = try router(config(mappings: [sensorMapping]))
            .route(message("sensor/SN-001/data", #"{"sensorModel": "T1000", "temp": 25.5, "hum": 40}"#))
        #expect(result.problems.isEmpty)
        #expect(result.data == [ConvertedData(
            deviceName: "SN-001", deviceType: "Thermometer",
            telemetry: [TelemetryEntry(ts: receivedAt, values: ["temperature": 25.5, "humidity": "40"])],
            attributes: ["model": "T1000"])])
    }

    /// `extension` names the converter class as in the reference, and the built-in classes'
    /// names select the built-in converters whatever `type` says.
    @Test func theBuiltInConverterClassNamesSelectTheBuiltInConverters() throws {
        let mappings = [
            #"{"topicFilter": "j", "converter": {"type": "custom", "extension": "JsonMqttUplinkConverter", "#
                + #""deviceInfo": {"deviceNameExpressionSource": "constant", "deviceNameExpression": "J"}, "#
                + #""attributes": [{"type": "string", "key": "model", "value": "${model}"}]}}"#,
            #"{"topicFilter": "b", "converter": {"type": "json", "extension": "BytesMqttUplinkConverter", "#
                + #""deviceInfo": {"deviceNameExpression": "[0:2]", "deviceProfileExpression": "default"}, "#
                + #""attributes": [{"type": "raw", "key": "r", "value": "[:]"}]}}"#,
        ]
        let routing = try router(config(mappings: mappings))
        #expect(routing.route(message("j", #"{"model": "M"}"#)).data
                == [ConvertedData(deviceName: "J", attributes: ["model": "M"])])
        #expect(routing.route(message("b", "AB12")).data
                == [ConvertedData(deviceName: "AB", attributes: ["r": "AB12"])])
    }

    @Test func aJSONArrayGivesOneRecordPerElementMergedPerDevice() throws {
        let payload = """
            [{"serial": "A", "kind": "counter", "n": 1, "ts": 1700000000100},
             {"serial": "B", "kind": "counter", "n": 7, "ts": 1700000000100},
             {"serial": "A", "kind": "counter", "n": 2, "ts": 1700000000200}]
            """
        let result = try router(config(mappings: [messageNamedMapping])).route(message("batch", payload))
        #expect(result.problems.isEmpty)
        #expect(result.data.map(\.deviceName) == ["A", "B"])
        #expect(result.data.map(\.deviceType) == ["counter", "counter"])
        #expect(result.data[0].telemetry == [TelemetryEntry(ts: 1_700_000_000_100, values: ["count": 1]),
                                             TelemetryEntry(ts: 1_700_000_000_200, values: ["count": 2])])
        #expect(result.data[1].telemetry == [TelemetryEntry(ts: 1_700_000_000_100, values: ["count": 7])])
        #expect(result.data[0].keyReportStrategies == ["count": ReportStrategy(kind: .onChange)])
    }

    /// As the reference (`decode("utf-8", "ignore")`): a byte that is not UTF-8, such as a
    /// Latin-1 degree sign, is dropped instead of losing the reading.
    @Test func jsonWithAStrayNonUTF8ByteKeepsTheReading() throws {
        var payload = ByteBuffer(string: #"{"sensorModel": "T1000", "temp": 21.5, "hum": "4"#)
        payload.writeBytes([0xB0, 0x43])  // "°C" in Latin-1
        payload.writeString(#""}"#)
        let result = try router(config(mappings: [sensorMapping]))
            .route(MQTTUplinkMessage(topic: "sensor/SN-001/data", payload: payload, receivedAt: receivedAt))
        #expect(result.problems.isEmpty, "\(result.problems)")
        #expect(result.data.first?.telemetry == [TelemetryEntry(ts: receivedAt, values: ["temperature": 21.5, "humidity": "4C"])])
    }

    /// A name found as an object or a float is written as Python's `str()` writes it.
    @Test func aDeviceNameFromAnObjectOrAFloatIsPythonText() throws {
        let mapping = """
            {"topicFilter": "named", "converter": {"type": "json",
              "deviceInfo": {"deviceNameExpressionSource": "message", "deviceNameExpression": "${id}"},
              "timeseries": [{"type": "integer", "key": "n", "value": "${n}"}]}}
            """
        let converter = try router(config(mappings: [mapping]))
        #expect(converter.route(message("named", #"{"id": {"sn": "N1"}, "n": 1}"#)).data.first?.deviceName == "{'sn': 'N1'}")
        #expect(converter.route(message("named", #"{"id": 1e16, "n": 1}"#)).data.first?.deviceName == "1e+16")
        // A 64-bit EUI sent as a number names the device by its digits, as Python's str(int).
        let eui = converter.route(message("named", #"{"id": 12297829382473034410, "n": 18446744073709551615}"#)).data.first
        #expect(eui?.deviceName == "12297829382473034410")
        #expect(eui?.telemetry.first?.values == ["n": .uint(.max)])
    }

    /// With hexMode, an integer or float type reads the hex digits in base 16.
    @Test func hexModeNumbersAreReadInBase16() throws {
        let mapping = """
            {"topicFilter": "hex", "converter": {"type": "bytes",
              "deviceInfo": {"deviceNameExpressionSource": "constant", "deviceNameExpression": "H"},
              "timeseries": [{"type": "int", "key": "i", "value": "[0:2]", "hexMode": true},
                             {"type": "double", "key": "d", "value": "[0:2]", "hexMode": true},
                             {"type": "raw", "key": "r", "value": "[0:2]", "hexMode": true}]}}
            """
        var payload = ByteBuffer()
        payload.writeBytes([0x1E, 0x05])
        let result = try router(config(mappings: [mapping]))
            .route(MQTTUplinkMessage(topic: "hex", payload: payload, receivedAt: receivedAt))
        #expect(result.data.first?.telemetry.first?.values == ["i": 7685, "d": 7685.0, "r": "1e05"])

        // Eight bytes (a LoRa EUI): every digit up to 2^64 − 1, as Python's int(text, 16).
        let eui = try router(config(mappings: [mapping.replacingOccurrences(of: "[0:2]", with: "[0:8]")]))
            .route(MQTTUplinkMessage(topic: "hex", payload: ByteBuffer(bytes: [0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xFF, 0x00, 0x11]),
                                     receivedAt: receivedAt))
        #expect(eui.data.first?.telemetry.first.map { JSONValue.object($0.values).jsonString }
                == #"{"i":12302652060662169617,"d":1.230265206066217e+19,"r":"aabbccddeeff0011"}"#)
    }

    @Test func bytesConverterSlicesThePayload() throws {
        let result = try router(config(mappings: [bytesMapping])).route(message("sensor/raw_data", "SN0125.5"))
        #expect(result.problems.isEmpty)
        #expect(result.data == [ConvertedData(
            deviceName: "SN01", deviceType: "default",
            telemetry: [TelemetryEntry(ts: receivedAt, values: ["temp": "25.5", "tempNumber": 25.5])],
            attributes: ["rawData": "SN0125.5", "head": "534e"])])
    }

    @Test func badJSONIsAProblemAndSendsNothing() throws {
        let route = try router(config(mappings: [sensorMapping]))
        let result = route.route(message("sensor/SN-001/data", #"{"temp": 25.5"#))
        #expect(result.matched)
        #expect(result.data.isEmpty)
        #expect(result.problems.count == 1)
        #expect(result.problems.first?.contains("not JSON") == true)
        let scalar = route.route(message("sensor/SN-001/data", "42"))
        #expect(scalar.data.isEmpty && scalar.problems.count == 1)
    }

    @Test func aMissingDeviceNameIsAProblemButTheGoodElementsArrive() throws {
        let payload = #"[{"serial": "A", "n": 1}, {"n": 2}, 5]"#
        let result = try router(config(mappings: [messageNamedMapping])).route(message("batch", payload))
        #expect(result.data.map(\.deviceName) == ["A"])
        #expect(result.problems.count == 1)
        #expect(result.problems.first?.contains("2 of 3") == true)
        // An unresolved profile falls back to "default" (the reference would use "${kind}").
        #expect(result.data.first?.deviceType == "default")
    }

    @Test func aTopicProfileThatDoesNotMatchFallsBackToTheExpression() throws {
        let mapping = """
            {"topicFilter": "t/+", "converter": {"type": "json", "deviceNameTopicExpression": "[^/]+$",
              "deviceTypeTopicExpression": "Thermometer", "timeseries": [{"type": "double", "key": "v", "value": "${v}"}]}}
            """
        let result = try router(config(mappings: [mapping])).route(message("t/dev7", #"{"v": 1}"#))
        #expect(result.data.map(\.deviceName) == ["dev7"])
        #expect(result.data.map(\.deviceType) == ["Thermometer"])
    }

    @Test func nothingMappedIsNotAProblem() throws {
        let result = try router(config(mappings: [sensorMapping])).route(message("sensor/SN-001/data", #"{"other": 1}"#))
        #expect(result.matched)
        #expect(result.data.isEmpty && result.problems.isEmpty)
    }

    @Test func reportStrategiesFallBackFromMappingToConnector() throws {
        let withOwn = sensorMapping.replacingOccurrences(
            of: #""subscriptionQos": 1,"#, with: #""subscriptionQos": 1, "reportStrategy": {"type": "ON_CHANGE"},"#)
        let text = config(mappings: [withOwn, messageNamedMapping],
                          extra: #", "reportStrategy": {"type": "ON_REPORT_PERIOD", "reportPeriod": 3000}"#)
        let route = try router(text)
        let own = route.route(message("sensor/A/data", #"{"temp": 1}"#))
        #expect(own.data.first?.reportStrategy == ReportStrategy(kind: .onChange))
        let inherited = route.route(message("batch", #"{"serial": "B", "n": 1}"#))
        #expect(inherited.data.first?.reportStrategy == ReportStrategy(kind: .onReportPeriod, reportPeriodMs: 3000))
    }

    @Test func everyMatchingMappingConverts() throws {
        let second = """
            {"topicFilter": "sensor/#", "converter": {"type": "json", "deviceInfo": {"deviceNameExpressionSource": "constant",
              "deviceNameExpression": "All sensors"}, "timeseries": [{"type": "double", "key": "t", "value": "${temp}"}]}}
            """
        let route = try router(config(mappings: [sensorMapping, second]))
        let result = route.route(message("sensor/A/data", #"{"temp": 3}"#))
        #expect(result.data.map(\.deviceName) == ["A", "All sensors"])
        #expect(route.subscriptions.map(\.filter) == ["sensor/+/data", "sensor/#"])
    }

    /// The reference fills `${...}` of a `constant` source from the message, as for `message`.
    @Test func aConstantDeviceNameWithAPlaceholderIsFilledFromTheMessage() throws {
        let mapping = """
            {"topicFilter": "plant/line", "converter": {"type": "json",
              "deviceInfo": {"deviceNameExpressionSource": "constant", "deviceNameExpression": "Line-${id}",
                             "deviceProfileExpressionSource": "constant", "deviceProfileExpression": "Conveyor"},
              "timeseries": [{"type": "integer", "key": "speed", "value": "${speed}"}]}}
            """
        let result = try router(config(mappings: [mapping])).route(message("plant/line", #"{"id": 7, "speed": 3}"#))
        #expect(result.data.map(\.deviceName) == ["Line-7"])
        #expect(result.data.map(\.deviceType) == ["Conveyor"])
    }

    @Test func sharedSubscriptionsRouteOnTheTopicPart() throws {
        let shared = sensorMapping.replacingOccurrences(of: #""sensor/+/data""#, with: #""$share/gw/sensor/+/data""#)
        let route = try router(config(mappings: [shared]))
        #expect(route.subscriptions.map(\.filter) == ["$share/gw/sensor/+/data"])
        #expect(route.route(message("sensor/Z/data", #"{"temp": 1}"#)).data.map(\.deviceName) == ["Z"])
    }

    @Test func connectAndDisconnectRequestsNameTheDevice() throws {
        let requests = """
            {"connectRequests": [{"topicFilter": "sensor/+/connect", "deviceInfo": {"deviceNameExpressionSource": "topic",
                "deviceNameExpression": "(?<=sensor/)(.*?)(?=/connect)", "deviceProfileExpressionSource": "constant",
                "deviceProfileExpression": "Thermometer"}}],
             "disconnectRequests": [{"topicFilter": "sensor/disconnect", "deviceNameJsonExpression": "${serialNumber}"}]}
            """
        let route = try router(config(mappings: [sensorMapping], requests: requests))
        #expect(route.route(message("sensor/SN-7/connect", "")).deviceEvents
                == [.connect(deviceName: "SN-7", profile: "Thermometer")])
        #expect(route.route(message("sensor/disconnect", #"{"serialNumber": "SN-7"}"#)).deviceEvents
                == [.disconnect(deviceName: "SN-7")])
        let bad = route.route(message("sensor/disconnect", "not json"))
        #expect(bad.matched && bad.deviceEvents.isEmpty && bad.problems.count == 1)
        #expect(Set(route.subscriptions.map(\.filter)) == ["sensor/+/data", "sensor/+/connect", "sensor/disconnect"])
    }

    @Test func unmatchedTopicsAreReportedAsSuch() throws {
        let result = try router(config(mappings: [sensorMapping])).route(message("other/topic", "{}"))
        #expect(!result.matched)
    }

    @Test func customConvertersAreFoundByName() throws {
        MQTTCustomConverters.register("TestFixedConverter") { setup in
            FixedConverter(scale: setup.extensionConfig?["scale"]?.intValue ?? 1)
        }
        defer { MQTTCustomConverters.unregister("TestFixedConverter") }
        let custom = """
            {"topicFilter": "custom/+", "converter": {"type": "custom", "extension": "TestFixedConverter",
              "extensionConfig": {"scale": 10}}}
            """
        let missing = """
            {"topicFilter": "missing/+", "converter": {"type": "custom", "extension": "NobodyRegisteredThis"}}
            """
        let route = try router(config(mappings: [custom, missing]))
        #expect(route.skipped.count == 1)
        #expect(route.subscriptions.map(\.filter) == ["custom/+"])
        let result = route.route(message("custom/x", "abc"))
        #expect(result.data == [ConvertedData(deviceName: "custom/x", telemetry: [TelemetryEntry(values: ["length": 30])])])
    }
}

/// A custom converter as a user would write one: the payload length times a configured scale.
struct FixedConverter: MQTTUplinkConverter {
    let scale: Int64
    func convert(_ message: MQTTUplinkMessage) throws(MQTTConversionError) -> [ConvertedData] {
        [ConvertedData(deviceName: message.topic,
                       telemetry: [TelemetryEntry(values: ["length": .int(Int64(message.payload.readableBytes) * scale)])])]
    }
}
