import Foundation
import GatewayKit
import Testing
import TestSupport

/// The MQTT connector as a user migrating from the Python gateway runs it: the reference
/// `mqtt.json` unchanged except for the broker port, the real `iot-gateway` binary, one
/// mosquitto as the devices' broker and another in the role of ThingsBoard, `mosquitto_pub` as
/// the devices and `mosquitto_sub` watching what reaches ThingsBoard.
@Suite(.serialized, .timeLimit(.minutes(3))) struct MQTTConnectorEndToEndTests {
    @Test func referenceConfigDeliversJSONAndBytesMappingsToThingsBoard() async throws {
        let rig = try await MQTTConnectorRig(label: "mqtt-connector")
        defer { rig.stop() }
        let (devices, observer, gateway) = (rig.devices, rig.observer, rig.gateway)

        // The connector subscribes once it is connected; publish until a reading gets through.
        let firstArrived = await waitUntil(timeout: 30) {
            try? mosquittoPublish(port: devices.port, topic: "sensor/SN-001/data",
                                  payload: #"{"sensorModel": "T1000", "temp": 21.5, "hum": 40}"#)
            return observer.messages(on: "v1/gateway/telemetry").contains { $0.payload.contains("SN-001") }
        }
        #expect(firstArrived, "no telemetry from the MQTT connector; gateway log:\n\(gateway.log())")

        // Bytes converter: name = bytes [0:4], attribute rawData = all bytes, telemetry temp = [4:].
        try mosquittoPublish(port: devices.port, topic: "sensor/raw_data", payload: "AB1234.5")
        let bytesArrived = await waitUntil(timeout: 15) {
            observer.messages(on: "v1/gateway/telemetry").contains { $0.payload.contains(#""AB12""#) }
        }
        // An integer above 2^63 (a 64-bit EUI sent as a number) in the "integer" attribute
        // `frequency` reaches ThingsBoard with every digit, as the reference sends it.
        try mosquittoPublish(port: devices.port, topic: "data/",
                             payload: #"{"power": 1.5, "frequency": 12297829382473034410, "temperature": 20}"#)
        let bigIntegerArrived = await waitUntil(timeout: 15) {
            observer.messages(on: "v1/gateway/attributes").contains { $0.payload.contains("frequency") }
        }
        await rig.responder.stop()
        #expect(bytesArrived, "no telemetry from the bytes mapping; gateway log:\n\(gateway.log())")
        #expect(bigIntegerArrived, "no attributes from the data/ mapping; gateway log:\n\(gateway.log())")

        let messages = observer.messages()
        let connects = messages.filter { $0.topic == "v1/gateway/connect" }.map(\.payload)
        #expect(connects.contains(#"{"device":"SN-001","type":"Thermometer"}"#))
        #expect(attributes(of: "SN-001", in: messages)["model"] == "T1000")
        #expect(attributes(of: "SN-001", in: messages)["connectorType"] == "mqtt")

        let telemetry = try #require(messages.first { $0.topic == "v1/gateway/telemetry" && $0.payload.contains("SN-001") })
        let entry = try #require(JSONValue.parse(telemetry.payload)["SN-001"]?.arrayValue?.first)
        // "temperature" is typed double and "humidity" string in the reference mapping.
        #expect(entry["values"] == ["temperature": 21.5, "humidity": "40"])

        let raw = try #require(messages.first { $0.topic == "v1/gateway/telemetry" && $0.payload.contains(#""AB12""#) })
        #expect(try JSONValue.parse(raw.payload)["AB12"]?.arrayValue?.first?["values"] == ["temp": "34.5"])
        #expect(attributes(of: "AB12", in: messages)["rawData"] == "AB1234.5")

        let frequency = messages.filter { $0.topic == "v1/gateway/attributes" && $0.payload.contains("frequency") }.map(\.payload)
        #expect(frequency.count == 1 && frequency.allSatisfy { $0.contains(#""power":1.5,"frequency":12297829382473034410}"#) },
                "\(frequency)")
    }

    /// Over a link to ThingsBoard with a 100 ms round trip, a burst of new devices does not hold
    /// up the connector (one round trip each would take 3 s for 30 devices): the uplink announces
    /// them together, each before its telemetry.
    @Test func newDevicesOverASlowLinkAreAnnouncedTogetherBeforeTheirData() async throws {
        let rig = try await MQTTConnectorRig(label: "mqtt-slow-link", linkDelayMs: 50)
        defer { rig.stop() }
        let (devices, observer, gateway) = (rig.devices, rig.observer, rig.gateway)
        // Bytes mapping: the device name is the payload's first 4 bytes, temp the rest.
        let firstArrived = await waitUntil(timeout: 30) {
            try? mosquittoPublish(port: devices.port, topic: "sensor/raw_data", payload: "W00021.5")
            return observer.messages(on: "v1/gateway/telemetry").contains { $0.payload.contains(#""W000""#) }
        }
        #expect(firstArrived, "no telemetry from the MQTT connector; gateway log:\n\(gateway.log())")

        let names = (1...30).map { String(format: "N%03d", $0) }
        let started = ContinuousClock.now
        try mosquittoPublishLines(port: devices.port, topic: "sensor/raw_data", lines: names.map { "\($0)2\($0.suffix(1)).5" })
        let allArrived = await waitUntil(timeout: 30) {
            let telemetry = observer.messages(on: "v1/gateway/telemetry")
            return names.allSatisfy { name in telemetry.contains { $0.payload.contains("\"\(name)\"") } }
        }
        let took = ContinuousClock.now - started
        await rig.responder.stop()
        #expect(allArrived, "gateway log:\n\(gateway.log())")
        #expect(took < .seconds(2), "30 new devices took \(took) to reach ThingsBoard over a 100 ms round trip")

        let messages = observer.messages()
        for name in names {
            let connect = messages.firstIndex { $0.topic == "v1/gateway/connect" && $0.payload == #"{"device":"\#(name)","type":"default"}"# }
            let telemetry = messages.firstIndex { $0.topic == "v1/gateway/telemetry" && $0.payload.contains("\"\(name)\"") }
            #expect(connect != nil && telemetry != nil && connect! < telemetry!, "\(name): connect at \(String(describing: connect)), telemetry at \(String(describing: telemetry))")
        }
    }

    /// `broker.acknowledgeAfterStorage` with a persistent session and sqlite storage: a `kill -9`
    /// in the middle of a stream of device messages loses none of them. What the gateway had not
    /// written is still the broker's, which sends it again to the restarted gateway.
    @Test func aHardKillMidStreamLosesNothingWithAcknowledgeAfterStorage() async throws {
        let scratch = try makeScratchDirectory("e2e-mqtt-ack-data")
        let rig = try await MQTTConnectorRig(
            label: "mqtt-ack-after-storage",
            storage: #"{"type": "sqlite", "data_file_path": "\#(scratch.path)/"}"#,
            broker: ["version": 4, "cleanSession": false, "clientId": "gw-e2e-ack-after-storage",
                     "acknowledgeAfterStorage": true])
        defer { rig.stop() }
        let (devices, observer, gateway) = (rig.devices, rig.observer, rig.gateway)
        #expect(await rig.reportData("WARM-UP"), "no telemetry; gateway log:\n\(gateway.log())")

        let count = 3000
        let lines = (0..<count).map { #"{"temp": \#($0)}"# }
        let publisher = Task.detached {
            try mosquittoPublishLines(port: devices.port, topic: "sensor/SN-K/data", lines: lines)
        }
        let flowing = await waitUntil(timeout: 30, interval: 0.002) {
            !readings(of: "SN-K", key: "temperature", in: observer.messages()).isEmpty
        }
        #expect(flowing, "gateway log:\n\(gateway.log())")
        gateway.killHard()
        let seenBeforeKill = Set(readings(of: "SN-K", key: "temperature", in: observer.messages())).count
        try await publisher.value
        try gateway.start()

        let all = await waitUntil(timeout: 60) {
            Set(readings(of: "SN-K", key: "temperature", in: observer.messages())).count == count
        }
        await rig.responder.stop()
        let values = readings(of: "SN-K", key: "temperature", in: observer.messages())
        let missing = Set(0..<Int64(count)).subtracting(values).sorted()
        #expect(all, "lost \(missing.count) readings, e.g. \(missing.prefix(10)); gateway log:\n\(gateway.log())")
        print("kill -9 mid-stream with acknowledgeAfterStorage: \(seenBeforeKill) readings before the kill, "
              + "\(Set(values).count) after, \(values.count - Set(values).count) duplicates")
    }

    @Test func aMalformedPayloadIsSkippedAndTheNextOneArrives() async throws {
        let rig = try await MQTTConnectorRig(label: "mqtt-malformed", referenceLogs: true)
        defer { rig.stop() }
        let (devices, observer, gateway) = (rig.devices, rig.observer, rig.gateway)

        let ready = await waitUntil(timeout: 30) {
            try? mosquittoPublish(port: devices.port, topic: "sensor/warmup/data", payload: #"{"temp": 1}"#)
            return observer.messages(on: "v1/gateway/telemetry").contains { $0.payload.contains("warmup") }
        }
        #expect(ready, "the connector never delivered; gateway log:\n\(gateway.log())")

        try mosquittoPublish(port: devices.port, topic: "sensor/SN-9/data", payload: #"{"temp": 20.0, "#)
        try mosquittoPublish(port: devices.port, topic: "sensor/SN-9/data", payload: #"{"temp": 22.5}"#)
        let good = await waitUntil(timeout: 15) {
            observer.messages(on: "v1/gateway/telemetry").contains { $0.payload.contains("SN-9") }
        }
        await rig.responder.stop()
        #expect(good, "the good message after a malformed one did not arrive; gateway log:\n\(gateway.log())")
        let values = observer.messages(on: "v1/gateway/telemetry")
            .compactMap { try? JSONValue.parse($0.payload)["SN-9"]?.arrayValue }
            .flatMap { $0 }.compactMap { $0["values"]?["temperature"] }
        #expect(values == [22.5])
        // In the converter's own log file, as the reference's `<connector>_converter` logger.
        let converterLog = (try? String(contentsOf: gateway.directory.appendingPathComponent("logs/mqtt_broker_connector_converter.log"),
                                        encoding: .utf8)) ?? ""
        #expect(converterLog.contains("|WARNING|") && converterLog.contains("not (fully) converted") && converterLog.contains("sensor/SN-9/data"),
                "the malformed payload was not logged in the converter's file: \(converterLog)\ngateway log:\n\(gateway.log())")
    }

    /// ThingsBoard → gateway → device: shared attribute updates and RPCs (one-way and two-way)
    /// routed to the MQTT connector that owns the device, published on the devices' broker with
    /// the reference config's topics, replies back on `v1/gateway/rpc`; and a device's connect
    /// request announced to ThingsBoard.
    @Test func downlinkRoundTripsThroughTheReferenceConfig() async throws {
        let rig = try await MQTTConnectorRig(label: "mqtt-downlink", attributes: ["Demo Device": ["relayState": "on"]])
        defer { rig.stop() }
        let (devices, thingsBoard, observer, gateway) = (rig.devices, rig.thingsBoard, rig.observer, rig.gateway)
        let deviceSide = try BrokerObserver(port: devices.port, topics: ["sensor/#", "devices/#"])
        defer { deviceSide.stop() }

        // SN-001 becomes the MQTT connector's device by sending data.
        #expect(await rig.reportData("SN-001"), "the device never reported; gateway log:\n\(gateway.log())")

        // A connect request on the devices' broker is announced to ThingsBoard.
        try mosquittoPublish(port: devices.port, topic: "sensor/SN-7/connect", payload: "{}")
        let connected = await waitUntil(timeout: 10) {
            observer.messages(on: "v1/gateway/connect").contains { $0.payload == #"{"device":"SN-7","type":"default"}"# }
        }
        #expect(connected, "connect request not announced; gateway log:\n\(gateway.log())")

        // Shared attribute update → attributeUpdates entry "relay" → sensor/request/setRelay.
        try mosquittoPublish(port: thingsBoard.port, topic: "v1/gateway/attributes",
                             payload: #"{"device":"SN-001","data":{"relay":true}}"#)
        let updated = await waitUntil(timeout: 10) {
            deviceSide.messages(on: "sensor/request/setRelay").contains { $0.payload == "true" }
        }
        #expect(updated, "attribute update not published to the device; gateway log:\n\(gateway.log())")

        // One-way RPC: published to sensor/request/setRelay, answered with the text
        // {"success": true} as a JSON string, as the reference replies.
        try mosquittoPublish(port: thingsBoard.port, topic: "v1/gateway/rpc",
                             payload: #"{"device":"SN-001","data":{"id":41,"method":"setRelay","params":{"on":true}}}"#)
        func reply(_ id: Int64) -> JSONValue? {
            observer.messages(on: "v1/gateway/rpc").compactMap { try? JSONValue.parse($0.payload) }
                .first { $0["id"]?.intValue == id && $0["device"]?.stringValue == "SN-001" }
        }
        let oneWay = await waitUntil(timeout: 10) { reply(41) != nil }
        #expect(oneWay, "no one-way RPC reply; gateway log:\n\(gateway.log())")
        #expect(reply(41)?["data"] == #"{"success": true}"#)
        // The reply travels on the ThingsBoard broker and the request on the devices' broker: the
        // reply may arrive first, so wait for the request too.
        let oneWayRequested = await waitUntil(timeout: 5) {
            deviceSide.messages(on: "sensor/request/setRelay").contains { $0.payload == #"{"on":true}"# }
        }
        #expect(oneWayRequested, "one-way RPC not published to the device")

        // Two-way RPC: the device answers on the response topic; its answer is the reply's data.
        try mosquittoPublish(port: thingsBoard.port, topic: "v1/gateway/rpc",
                             payload: #"{"device":"SN-001","data":{"id":42,"method":"getRelay","params":{"which":1}}}"#)
        let requested = await waitUntil(timeout: 10) {
            !deviceSide.messages(on: "sensor/SN-001/request/getRelay/42").isEmpty
        }
        #expect(requested, "two-way RPC request not published; gateway log:\n\(gateway.log())")
        try mosquittoPublish(port: devices.port, topic: "sensor/SN-001/response/getRelay/42", payload: #"{"relay":"on"}"#)
        let twoWay = await waitUntil(timeout: 10) { reply(42) != nil }
        #expect(twoWay, "no two-way RPC reply; gateway log:\n\(gateway.log())")
        #expect(reply(42)?["data"] == ["relay": "on"])

        // Attribute request from a device: the attribute named by the message's "relay" field is
        // asked of ThingsBoard and the answer published on devices/<device>/attrs, JSON-encoded
        // as the reference does (a string arrives quoted).
        try mosquittoPublish(port: devices.port, topic: "v1/devices/me/attributes/request", payload: #"{"relay": "relayState"}"#)
        let answered = await waitUntil(timeout: 15) {
            deviceSide.messages(on: "devices/Demo Device/attrs").contains { $0.payload == #""on""# }
        }
        await rig.responder.stop()
        #expect(answered, "attribute request not answered on the devices' broker: \(deviceSide.messages()); gateway log:\n\(gateway.log())")
    }

    /// What the reference config promises beyond the happy path: `mqtt_<method>` sent to the
    /// gateway device runs the entry its params carry; a disconnect request reaches ThingsBoard;
    /// a two-way RPC waits the configured `responseTimeout` (10 s), not ThingsBoard's assumed 5 s.
    @Test func gatewayWideRPCDisconnectAndASlowTwoWayAnswer() async throws {
        let rig = try await MQTTConnectorRig(label: "mqtt-downlink-more")
        defer { rig.stop() }
        let (devices, thingsBoard, observer, gateway) = (rig.devices, rig.thingsBoard, rig.observer, rig.gateway)
        let deviceSide = try BrokerObserver(port: devices.port, topics: ["sensor/#", "lamps/#"])
        defer { deviceSide.stop() }
        #expect(await rig.reportData("SN-002"), "the device never reported; gateway log:\n\(gateway.log())")

        // Connector RPC to the gateway itself: the one MQTT connector's reply, as the reference's.
        let published = try await rig.gatewayRPC(
            21, method: "mqtt_publish",
            params: #"{"requestTopicExpression": "lamps/${params.group}", "valueExpression": "${params.level}", "group": "hall", "level": 70}"#)
        #expect(published == ["success": true], "gateway log:\n\(gateway.log())")
        #expect(await waitUntil(timeout: 5) { deviceSide.messages(on: "lamps/hall").contains { $0.payload == "70" } })

        // Connect and disconnect requests on the devices' broker (the reference config's
        // constant-name entries). As the reference, only a connected device is reported gone:
        // the first disconnect request, before the connect, sends nothing.
        try mosquittoPublish(port: devices.port, topic: "sensor/disconnect", payload: "{}")
        try mosquittoPublish(port: devices.port, topic: "sensor/connect", payload: "{}")
        let connected = await waitUntil(timeout: 10) {
            observer.messages(on: "v1/gateway/connect").contains { $0.payload == #"{"device":"Demo Device","type":"default"}"# }
        }
        #expect(connected, "connect request not announced; gateway log:\n\(gateway.log())")
        try mosquittoPublish(port: devices.port, topic: "sensor/disconnect", payload: "{}")
        let disconnected = await waitUntil(timeout: 10) {
            observer.messages(on: "v1/gateway/disconnect").contains { $0.payload == #"{"device":"Demo Device"}"# }
        }
        #expect(disconnected, "disconnect request not sent; gateway log:\n\(gateway.log())")
        try mosquittoPublish(port: devices.port, topic: "sensor/disconnect", payload: "{}")
        try await Task.sleep(for: .milliseconds(500))
        #expect(observer.messages(on: "v1/gateway/disconnect").count == 1)

        // Two-way RPC answered after 6 s: within getRelay's responseTimeout of 10 s.
        try mosquittoPublish(port: thingsBoard.port, topic: "v1/gateway/rpc",
                             payload: #"{"device":"SN-002","data":{"id":43,"method":"getRelay","params":{}}}"#)
        #expect(await waitUntil(timeout: 10) { !deviceSide.messages(on: "sensor/SN-002/request/getRelay/43").isEmpty })
        try await Task.sleep(for: .seconds(6))
        try mosquittoPublish(port: devices.port, topic: "sensor/SN-002/response/getRelay/43", payload: #"{"relay":"off"}"#)
        var reply: JSONValue?
        _ = await waitUntil(timeout: 10) {
            reply = observer.messages(on: "v1/gateway/rpc").compactMap { try? JSONValue.parse($0.payload) }
                .first { $0["id"]?.intValue == 43 && $0["device"]?.stringValue == "SN-002" }
            return reply != nil
        }
        #expect(reply?["data"] == ["relay": "off"], "gateway log:\n\(gateway.log())")
    }
}

/// The MQTT connector's test bench: a mosquitto for the devices, one in the role of ThingsBoard
/// (with a getSessionLimits responder and an observer), and the gateway running the reference
/// mqtt.json pointed at the devices' broker.
final class MQTTConnectorRig: Sendable {
    let devices: Mosquitto
    let thingsBoard: Mosquitto
    let responder: SessionLimitsResponder
    let observer: BrokerObserver
    let gateway: GatewayUnderTest
    /// Between the gateway and "ThingsBoard" when the link is slowed down.
    let linkDelay: PeerProcess?

    /// `attributes`: what "ThingsBoard" answers to attribute requests, by device.
    /// `linkDelayMs`: the gateway reaches "ThingsBoard" through a proxy delaying each direction.
    /// `referenceLogs`: the reference's logs.json, writing its files to `./logs` of the gateway's folder.
    /// `storage`: the `storage` section (by default memory); `broker`: keys set in the reference
    /// config's broker section.
    init(label: String, attributes: [String: JSONObject] = [:], linkDelayMs: Int? = nil,
         referenceLogs: Bool = false, storage: String = #"{"type": "memory"}"#, broker: JSONObject = [:]) async throws {
        devices = try Mosquitto()
        thingsBoard = try Mosquitto()
        responder = try await SessionLimitsResponder(port: thingsBoard.port, attributes: attributes)
        observer = try BrokerObserver(port: thingsBoard.port, topics: EndToEndTests.topics)
        gateway = try GatewayUnderTest(label: label)
        var thingsBoardPort = thingsBoard.port
        if let linkDelayMs {
            let proxy = try await DelayProxy.start(to: thingsBoard.port, delayMs: linkDelayMs,
                                                   logFile: gateway.directory.appendingPathComponent("delay-proxy.log"))
            (linkDelay, thingsBoardPort) = (proxy.process, proxy.port)
        } else {
            linkDelay = nil
        }
        try gateway.writeMainConfig(
            port: thingsBoardPort, storage: storage,
            connectors: [#"{"type": "mqtt", "name": "MQTT Broker Connector", "configuration": "mqtt.json"}"#])
        try gateway.write("mqtt.json", try Self.referenceConfig(brokerPort: devices.port, overrides: broker))
        if referenceLogs { try gateway.write("logs.json", referenceLogsJSON(folder: "./logs")) }
        try gateway.start()
    }

    /// Publishes readings of sensor `serial` until its telemetry reaches "ThingsBoard" (the
    /// device is then the connector's); false after 30 s.
    func reportData(_ serial: String) async -> Bool {
        await waitUntil(timeout: 30) {
            try? mosquittoPublish(port: self.devices.port, topic: "sensor/\(serial)/data", payload: #"{"temp": 20}"#)
            return self.observer.messages(on: "v1/gateway/telemetry").contains { $0.payload.contains(serial) }
        }
    }

    /// Sends an RPC to the gateway device and returns its reply.
    func gatewayRPC(_ id: Int, method: String, params: String = "{}") async throws -> JSONValue? {
        try await gatewayDeviceRPC(id, method: method, params: params, brokerPort: thingsBoard.port, observer: observer, timeout: 10)
    }

    func stop() {
        gateway.stop()
        linkDelay?.stop()
        observer.stop()
        thingsBoard.stop()
        devices.stop()
    }

    /// The compatibility corpus' mqtt.json with its broker moved to `port`.
    static func referenceConfig(brokerPort: Int, overrides: JSONObject = [:]) throws -> String {
        let url = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("shared/compat/reference-configs/mqtt.json")
        guard var document = try? JSONValue.parse(String(contentsOf: url, encoding: .utf8)) else {
            throw PeerUnavailable(what: "compatibility corpus", hint: "expected \(url.path) (../shared beside the project)")
        }
        guard case .object(var root) = document, case .object(var broker) = root["broker"] ?? .null else {
            throw PeerUnavailable(what: "mqtt.json", hint: "no broker section")
        }
        broker["port"] = .int(Int64(brokerPort))
        broker.merge(overrides) { _, override in override }
        root["broker"] = .object(broker)
        document = .object(root)
        return document.jsonString
    }
}

/// Publishes an RPC to the gateway device as ThingsBoard would and returns the reply the gateway
/// publishes on `v1/devices/me/rpc/response/<id>` (nil when none came within `timeout` seconds).
func gatewayDeviceRPC(_ id: Int, method: String, params: String, brokerPort: Int, observer: BrokerObserver,
                      timeout: Double) async throws -> JSONValue? {
    try mosquittoPublish(port: brokerPort, topic: "v1/devices/me/rpc/request/\(id)",
                         payload: #"{"method":"\#(method)","params":\#(params)}"#)
    var reply: JSONValue?
    _ = await waitUntil(timeout: timeout) {
        reply = observer.messages(on: "v1/devices/me/rpc/response/\(id)").last.flatMap { try? JSONValue.parse($0.payload) }
        return reply != nil
    }
    return reply
}
