import GatewayKit
import Testing
@testable import ThingsBoard

@Suite struct GatewayPayloadBuilderTests {
    let deviceA = ConvertedData(deviceName: "Dev A", deviceType: "thermometer",
                                telemetry: [TelemetryEntry(ts: 1_700_000_000_000, values: ["temperature": 21.5])],
                                attributes: ["model": "T1"])

    @Test func telemetryAndAttributesHaveTheReferenceShapes() {
        let messages = GatewayPayloadBuilder(maxPayloadBytes: 8196).messages(for: [deviceA])
        #expect(messages.map(\.topic) == ["v1/gateway/attributes", "v1/gateway/telemetry"])
        #expect(messages[0].text == #"{"Dev A":{"model":"T1"}}"#)
        #expect(messages[1].text == #"{"Dev A":[{"ts":1700000000000,"values":{"temperature":21.5}}]}"#)
        #expect(messages[1].datapoints == 1 && messages[0].datapoints == 1)
    }

    @Test func devicesShareMessagesAndKeepEntryOrder() {
        let batch = [
            ConvertedData(deviceName: "A", telemetry: [TelemetryEntry(ts: 1, values: ["v": 1])]),
            ConvertedData(deviceName: "B", telemetry: [TelemetryEntry(ts: 1, values: ["v": 2])]),
            ConvertedData(deviceName: "A", telemetry: [TelemetryEntry(ts: 1, values: ["v": 3])]),
        ]
        let messages = GatewayPayloadBuilder(maxPayloadBytes: 8196).messages(for: batch)
        #expect(messages.count == 1)
        // Same ts is NOT merged: both readings of A survive, in order.
        #expect(messages[0].text == #"{"A":[{"ts":1,"values":{"v":1}},{"ts":1,"values":{"v":3}}],"B":[{"ts":1,"values":{"v":2}}]}"#)
    }

    @Test func splitsUnderTheMaximumPayloadSizeWithoutLosingAnything() throws {
        var batch: [ConvertedData] = []
        for device in 0..<20 {
            for reading in 0..<50 {
                batch.append(ConvertedData(deviceName: "Device \(device)",
                                           telemetry: [TelemetryEntry(ts: Int64(reading), values: ["counter": .int(Int64(reading)), "t": 20.25])],
                                           attributes: reading == 0 ? ["model": .string("M-\(device)")] : [:]))
            }
        }
        for limit in [200, 512, 1000, 4096] {
            let messages = GatewayPayloadBuilder(maxPayloadBytes: limit).messages(for: batch)
            var readings: [String: [Int64]] = [:]
            var attributes: [String: String] = [:]
            for message in messages {
                #expect(message.payload.count <= limit, "message of \(message.payload.count) bytes over \(limit)")
                let document = try JSONValue.parse(message.payload)
                for (device, value) in try #require(document.objectValue) {
                    if message.topic == GatewayTopics.telemetry {
                        for entry in try #require(value.arrayValue) {
                            readings[device, default: []].append(try #require(entry["values"]?["counter"]?.intValue))
                        }
                    } else {
                        attributes[device] = value["model"]?.stringValue
                    }
                }
            }
            for device in 0..<20 {
                #expect(readings["Device \(device)"] == Array(0..<50), "limit \(limit)")
                #expect(attributes["Device \(device)"] == "M-\(device)")
            }
        }
    }

    @Test func anEntryTooLargeForOneMessageIsSplitKeepingItsTimestamp() throws {
        var values: JSONObject = [:]
        for key in 0..<100 { values["key\(key)"] = .int(Int64(key)) }
        let messages = GatewayPayloadBuilder(maxPayloadBytes: 300)
            .messages(for: [ConvertedData(deviceName: "Big", telemetry: [TelemetryEntry(ts: 42, values: values)])])
        #expect(messages.count > 1)
        var seen: JSONObject = [:]
        for message in messages {
            #expect(message.payload.count <= 300)
            for entry in try #require(try JSONValue.parse(message.payload)["Big"]?.arrayValue) {
                #expect(entry["ts"] == 42)
                seen.merge(try #require(entry["values"]?.objectValue)) { _, new in new }
            }
        }
        #expect(seen == values)
    }

    @Test func datapointLimitPerMessageIsHonoured() {
        let batch = (0..<10).map { ConvertedData(deviceName: "D", telemetry: [TelemetryEntry(ts: Int64($0), values: ["a": 1, "b": 2])]) }
        let messages = GatewayPayloadBuilder(maxPayloadBytes: 65536, maxDatapointsPerMessage: 5).messages(for: batch)
        #expect(messages.allSatisfy { $0.datapoints <= 5 })
        #expect(messages.reduce(0) { $0 + $1.datapoints } == 20)
    }

    /// ThingsBoard counts each device of a message as one message against the devices' limits:
    /// a message never carries more devices than the smallest telemetry-message window.
    @Test func deviceLimitPerMessageIsHonouredAndCounted() {
        let batch = (0..<7).map { ConvertedData(deviceName: "D\($0)", telemetry: [TelemetryEntry(ts: 1, values: ["v": 1])],
                                                attributes: ["fw": "1"]) }
        let messages = GatewayPayloadBuilder(maxPayloadBytes: 65536, maxDevicesPerMessage: 3).messages(for: batch)
        for topic in ["v1/gateway/attributes", "v1/gateway/telemetry"] {
            let ofTopic = messages.filter { $0.topic == topic }
            #expect(ofTopic.map(\.deviceSections) == [3, 3, 1], "\(topic)")
            #expect(ofTopic.reduce(0) { $0 + $1.datapoints } == 7)
        }
    }

    @Test func theGatewayItselfGoesToDeviceMeTopics() {
        let own = ConvertedData(deviceName: "currentThingsBoardGateway",
                                telemetry: [TelemetryEntry(ts: 5, values: ["cpu": 1.5])], attributes: ["Version": "0.1.0"])
        let messages = GatewayPayloadBuilder(maxPayloadBytes: 8196).messages(for: [own])
        #expect(messages.map(\.topic) == ["v1/devices/me/attributes", "v1/devices/me/telemetry"])
        #expect(messages[0].text == #"{"Version":"0.1.0"}"#)
        #expect(messages[1].text == #"[{"ts":5,"values":{"cpu":1.5}}]"#)
        #expect(messages.allSatisfy { !$0.forDevices })
    }

    @Test func namesAreEscaped() {
        let odd = ConvertedData(deviceName: "Quote \" and \\ slash", telemetry: [TelemetryEntry(ts: 1, values: ["k": "line\nbreak"])])
        let messages = GatewayPayloadBuilder(maxPayloadBytes: 8196).messages(for: [odd])
        #expect(messages[0].text == #"{"Quote \" and \\ slash":[{"ts":1,"values":{"k":"line\nbreak"}}]}"#)
    }

    @Test func connectAndDisconnectPayloads() {
        #expect(GatewayMessage.connect(device: "Dev A", type: "default").text == #"{"device":"Dev A","type":"default"}"#)
        #expect(GatewayMessage.disconnect(device: "Dev A").text == #"{"device":"Dev A"}"#)
    }
}
