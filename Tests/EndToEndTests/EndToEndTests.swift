import Foundation
import GatewayKit
import Testing
import TestSupport

/// The whole path as a user runs it: the `iot-gateway` binary with the simulator connector, a
/// real mosquitto in the role of ThingsBoard, and an independent `mosquitto_sub` watching what
/// reaches the broker. `.serialized`: each test runs gateways and brokers; running them one at a
/// time keeps the 2-core machine's timing honest.
@Suite(.serialized, .timeLimit(.minutes(3))) struct EndToEndTests {
    static let topics = ["v1/gateway/#", "v1/devices/me/#"]

    func simulatorConfig(device: String, periodMs: Int, maxReadings: Int? = nil) -> String {
        """
        {"devices": [{"name": "\(device)", "type": "boiler", "periodMs": \(periodMs)\(maxReadings.map { ", \"maxReadings\": \($0)" } ?? ""),
          "telemetry": [{"key": "counter", "kind": "counter", "start": 0, "step": 1},
                        {"key": "status", "kind": "constant", "value": "OK"}],
          "attributes": [{"key": "model", "value": "SIM-1"}]}]}
        """
    }

    @Test func connectTelemetryAndAttributesAreExactlyTheReferenceShapes() async throws {
        let broker = try Mosquitto()
        defer { broker.stop() }
        let responder = try await SessionLimitsResponder(port: broker.port)
        let observer = try BrokerObserver(port: broker.port, topics: Self.topics)
        defer { observer.stop() }
        let gateway = try GatewayUnderTest(label: "shapes")
        try gateway.writeMainConfig(port: broker.port, storage: #"{"type": "memory"}"#)
        try gateway.write("simulator.json", simulatorConfig(device: "Boiler 1", periodMs: 50))
        try gateway.start()
        defer { gateway.stop() }

        let arrived = await waitUntil(timeout: 30) { readings(of: "Boiler 1", key: "counter", in: observer.messages()).count >= 5 }
        await responder.stop()
        #expect(arrived, "telemetry did not arrive; gateway log:\n\(gateway.log())")

        let messages = observer.messages()
        let connect = try #require(messages.first { $0.topic == "v1/gateway/connect" })
        #expect(connect.payload == #"{"device":"Boiler 1","type":"boiler"}"#)
        // The connect comes before any data of the device.
        let firstData = try #require(messages.firstIndex { $0.topic.hasPrefix("v1/gateway/telemetry") || $0.topic == "v1/gateway/attributes" })
        #expect(messages.firstIndex(of: connect)! < firstData)

        // The device's own attributes, and on first sight its connector (reference §1.6).
        for message in messages where message.topic == "v1/gateway/attributes" {
            #expect(message.payload.hasPrefix(#"{"Boiler 1":{"#), "\(message.payload)")
        }
        let seen = attributes(of: "Boiler 1", in: messages)
        #expect(seen["model"] == "SIM-1" && seen["connectorType"] == "simulator" && seen["connectorName"] == "Simulator",
                "\(seen)")

        let telemetry = try #require(messages.first { $0.topic == "v1/gateway/telemetry" })
        let document = try JSONValue.parse(telemetry.payload)
        let entries = try #require(document["Boiler 1"]?.arrayValue)
        let first = try #require(entries.first)
        let ts = try #require(first["ts"]?.intValue)
        #expect(abs(ts - Int64(Date().timeIntervalSince1970 * 1000)) < 60_000)
        // Exactly the reference's bytes for an entry: {"ts":<ms>,"values":{...}} in that order.
        #expect(telemetry.payload.hasPrefix(#"{"Boiler 1":[{"ts":\#(ts),"values":{"counter":0,"status":"OK"}}"#))
        // No message is an echo the gateway answered to itself.
        #expect(!messages.contains { $0.topic == "v1/gateway/rpc" })
        let values = readings(of: "Boiler 1", key: "counter", in: messages)
        #expect(values == Array(0..<Int64(values.count)), "readings out of order or missing: \(values)")
    }

    @Test(arguments: ["sqlite", "file"])
    func brokerDownForSecondsThenBackDeliversEveryEvent(storageType: String) async throws {
        let persistence = try makeScratchDirectory("broker-persist")
        var broker = try Mosquitto(persistenceDirectory: persistence)
        let port = broker.port
        var responder = try await SessionLimitsResponder(port: port)
        let observer = try BrokerObserver(port: port, topics: ["v1/gateway/telemetry"])
        let gateway = try GatewayUnderTest(label: "restart-\(storageType)")
        try gateway.writeMainConfig(port: port, storage: storageSection(storageType, in: gateway))
        try gateway.write("simulator.json", simulatorConfig(device: "Boiler R", periodMs: 20))
        try gateway.start()
        defer { gateway.stop() }

        #expect(await waitUntil(timeout: 30) { readings(of: "Boiler R", key: "counter", in: observer.messages()).count >= 20 },
                "no data before the outage; gateway log:\n\(gateway.log())")
        await responder.stop()
        broker.stop()
        let seenBeforeOutage = readings(of: "Boiler R", key: "counter", in: observer.messages()).max() ?? 0
        try await Task.sleep(for: .seconds(5))
        broker = try Mosquitto(port: port, persistenceDirectory: persistence)
        defer { broker.stop() }
        responder = try await SessionLimitsResponder(port: port)
        try observer.start()

        // Readings produced during the outage (~250 at 20 ms) must all arrive after it.
        let target = seenBeforeOutage + 300
        let complete = await waitUntil(timeout: 60) {
            let values = Set(readings(of: "Boiler R", key: "counter", in: observer.messages()))
            return (values.max() ?? 0) >= target
        }
        await responder.stop()
        #expect(complete, "data did not resume after the broker restart; gateway log:\n\(gateway.log())")
        let values = readings(of: "Boiler R", key: "counter", in: observer.messages())
        let unique = Set(values)
        let maximum = unique.max() ?? 0
        let missing = (0...maximum).filter { !unique.contains($0) }
        #expect(missing.isEmpty, "lost \(missing.count) readings, e.g. \(missing.prefix(10))")
        print("broker restart (\(storageType)): \(unique.count) readings, \(values.count - unique.count) duplicates")
    }

    @Test(arguments: ["sqlite", "file"])
    func killDashNineWhileThingsBoardIsDownLosesNothing(storageType: String) async throws {
        // Phase 1: no ThingsBoard; the simulator produces exactly 400 readings into storage.
        let port = freeTCPPort()
        let gateway = try GatewayUnderTest(label: "kill-buffered-\(storageType)")
        try gateway.writeMainConfig(port: port, storage: storageSection(storageType, in: gateway))
        try gateway.write("simulator.json", simulatorConfig(device: "Boiler K", periodMs: 2, maxReadings: 400))
        try gateway.start()
        #expect(await waitUntil(timeout: 30) { gateway.log().contains("simulated device finished") },
                "the simulator did not finish; gateway log:\n\(gateway.log())")
        gateway.killHard()

        // Phase 2: ThingsBoard up, gateway restarted (the simulator now feeds another device).
        let broker = try Mosquitto(port: port)
        defer { broker.stop() }
        let responder = try await SessionLimitsResponder(port: port)
        let observer = try BrokerObserver(port: port, topics: ["v1/gateway/telemetry"])
        defer { observer.stop() }
        try gateway.write("simulator.json", simulatorConfig(device: "Boiler L", periodMs: 1000))
        try gateway.start()
        defer { gateway.stop() }
        let complete = await waitUntil(timeout: 60) { Set(readings(of: "Boiler K", key: "counter", in: observer.messages())).count >= 400 }
        await responder.stop()
        let values = readings(of: "Boiler K", key: "counter", in: observer.messages())
        #expect(complete && Set(values) == Set(0..<400), "missing after kill -9: \(Set(0..<Int64(400)).subtracting(values).sorted().prefix(20)); log:\n\(gateway.log())")
        print("kill -9 buffered (\(storageType)): \(values.count) delivered, \(values.count - Set(values).count) duplicates")
    }

    @Test(arguments: ["sqlite", "file"])
    func killDashNineMidStreamLeavesNoGaps(storageType: String) async throws {
        let broker = try Mosquitto()
        defer { broker.stop() }
        let responder = try await SessionLimitsResponder(port: broker.port)
        let observer = try BrokerObserver(port: broker.port, topics: ["v1/gateway/telemetry"])
        defer { observer.stop() }
        let gateway = try GatewayUnderTest(label: "kill-stream-\(storageType)")
        try gateway.writeMainConfig(port: broker.port, storage: storageSection(storageType, in: gateway))
        try gateway.write("simulator.json", simulatorConfig(device: "Boiler M", periodMs: 1))
        try gateway.start()
        #expect(await waitUntil(timeout: 30) { readings(of: "Boiler M", key: "counter", in: observer.messages()).count >= 300 },
                "no data; gateway log:\n\(gateway.log())")
        gateway.killHard()
        let seenBeforeKill = Set(readings(of: "Boiler M", key: "counter", in: observer.messages()))

        try gateway.write("simulator.json", simulatorConfig(device: "Boiler N", periodMs: 1000))
        try gateway.start()
        defer { gateway.stop() }
        // After the restart, whatever was stored but not acknowledged is delivered: no gaps.
        _ = await waitUntil(timeout: 20) { readings(of: "Boiler N", key: "counter", in: observer.messages()).count >= 2 }
        try await Task.sleep(for: .seconds(2))
        await responder.stop()
        let values = Set(readings(of: "Boiler M", key: "counter", in: observer.messages()))
        let maximum = values.max() ?? 0
        #expect(maximum >= seenBeforeKill.max() ?? 0)
        let missing = (0...maximum).filter { !values.contains($0) }
        #expect(missing.isEmpty, "gaps after kill -9: \(missing.prefix(20)); log:\n\(gateway.log())")
        print("kill -9 mid-stream (\(storageType)): \(values.count) readings, \(seenBeforeKill.count) seen before the kill")
    }

    /// Data under the gateway's own name goes to v1/devices/me/*; the gateway is never announced
    /// as one of its devices (ThingsBoard would create a device of that name).
    @Test func theGatewaysOwnDataIsNotAnnouncedAsADevice() async throws {
        let broker = try Mosquitto()
        defer { broker.stop() }
        let responder = try await SessionLimitsResponder(port: broker.port)
        let observer = try BrokerObserver(port: broker.port, topics: Self.topics)
        defer { observer.stop() }
        let gateway = try GatewayUnderTest(label: "own-data")
        try gateway.writeMainConfig(port: broker.port, storage: #"{"type": "memory"}"#)
        try gateway.write("simulator.json", simulatorConfig(device: "currentThingsBoardGateway", periodMs: 50, maxReadings: 5))
        try gateway.start()
        defer { gateway.stop() }
        let arrived = await waitUntil(timeout: 30) {
            observer.messages(on: "v1/devices/me/telemetry").contains { $0.payload.contains(#""counter":4"#) }
        }
        await responder.stop()
        #expect(arrived, "own telemetry did not arrive; gateway log:\n\(gateway.log())")
        #expect(!observer.messages(on: "v1/gateway/connect").contains { $0.payload.contains("currentThingsBoardGateway") },
                "\(observer.messages(on: "v1/gateway/connect"))")
    }

    @Test func gracefulStopFlushesAndExitsQuickly() async throws {
        let port = freeTCPPort()  // no broker: everything stays in storage
        let gateway = try GatewayUnderTest(label: "sigterm")
        try gateway.writeMainConfig(port: port, storage: storageSection("sqlite", in: gateway))
        try gateway.write("simulator.json", simulatorConfig(device: "Boiler S", periodMs: 5))
        try gateway.start()
        #expect(await waitUntil(timeout: 20) { gateway.log().contains("connector started") }, "log:\n\(gateway.log())")
        try await Task.sleep(for: .seconds(1))
        let started = Date()
        gateway.process?.process.terminate()
        gateway.process?.process.waitUntilExit()
        #expect(Date().timeIntervalSince(started) < 12)
        #expect(gateway.process?.process.terminationStatus == 0, "log:\n\(gateway.log())")
        #expect(gateway.log().contains("stopped"))
    }

    @Test func aGatewayWhoseOnlyConnectorIsRefusedKeepsRunning() async throws {
        let gateway = try GatewayUnderTest(label: "no-connectors")
        try gateway.writeMainConfig(port: freeTCPPort(), storage: #"{"type": "memory"}"#)
        try gateway.write("simulator.json", #"{"devices": [{"name": "X", "periodMs": -5}]}"#)
        try gateway.start()
        defer { gateway.stop() }
        #expect(await waitUntil(timeout: 20) { gateway.log().contains("connector not started") }, "log:\n\(gateway.log())")
        try await Task.sleep(for: .seconds(2))
        #expect(gateway.process?.isRunning == true, "the gateway stopped; log:\n\(gateway.log())")
        #expect(gateway.log().contains("simulator.json: devices[0].periodMs"))
    }

    func storageSection(_ type: String, in gateway: GatewayUnderTest) -> String {
        let data = gateway.directory.appendingPathComponent("data").path
        switch type {
        case "sqlite": return #"{"type": "sqlite", "data_file_path": "\#(data)/"}"#
        case "file": return #"{"type": "file", "data_folder_path": "\#(data)/", "max_records_per_file": 200}"#
        default: return #"{"type": "memory"}"#
        }
    }
}
