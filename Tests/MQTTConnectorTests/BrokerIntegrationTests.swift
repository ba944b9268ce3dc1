import Foundation
import GatewayKit
import Logging
import MQTT
import NIOCore
import Testing
import TestSupport
@testable import MQTTConnector

/// The connector against a real mosquitto started per test (a missing mosquitto fails the test).
@Suite(.serialized) struct BrokerIntegrationTests {
    static let identity = ConnectorIdentity(name: "MQTT Broker", type: "mqtt", id: "mqtt-1")

    func connectorConfig(port: Int, mappings: [String] = [sensorMapping, messageNamedMapping, bytesMapping],
                         brokerKeys: String = "") -> String {
        #"{"broker": {"host": "127.0.0.1", "port": \#(port), "clientId": "gw-under-test", "version": 5, "keepAlive": 5\#(brokerKeys)},"#
            + #""mapping": ["# + mappings.joined(separator: ",") + "]}"
    }

    /// Starts the connector in a task and waits until it has subscribed `rounds` times.
    func start(_ text: String, context: RecordingContext) async throws -> (MQTTConnector, Task<Void, any Error>) {
        let configuration = try MQTTConnectorConfiguration.parse(try JSONValue.parse(text), file: "mqtt.json")
        let connector = try MQTTConnector(
            identity: Self.identity, configuration: configuration, configurationFile: "mqtt.json", context: context,
            logger: Logger(label: "mqtt-connector-test"),
            reconnectBackoff: ExponentialBackoff(initial: .milliseconds(100), maximum: .milliseconds(400)))
        let task = Task { try await connector.run() }
        try await waitForSubscriptions(connector, rounds: 1)
        return (connector, task)
    }

    func waitForSubscriptions(_ connector: MQTTConnector, rounds: Int) async throws {
        let subscribed = await waitUntil(timeout: 15) { connector.statistics.snapshot.subscribedConnections >= rounds }
        try #require(subscribed, "connector did not subscribe \(rounds) time(s): \(connector.statistics.snapshot)")
    }

    /// Publishes with our own client, as a device would (QoS 1: the broker has it when this returns).
    func publish(port: Int, _ messages: [(String, ByteBuffer)]) async throws {
        let client = MQTTClient(configuration: MQTTClientConfiguration(host: "127.0.0.1", port: port,
                                                                       clientID: "device-\(UUID().uuidString.prefix(8))"),
                                logger: Logger(label: "device"))
        _ = try await client.connect()
        for (topic, payload) in messages {
            let result = try await client.publish(MQTTMessage(topic: topic, payload: payload, qos: .atLeastOnce))
            #expect(result.isSuccess)
        }
        await client.shutdown()
    }

    func publish(port: Int, _ messages: [(String, String)]) async throws {
        try await publish(port: port, messages.map { ($0.0, ByteBuffer(string: $0.1)) })
    }

    @Test func jsonArrayAndBytesMessagesArriveAsDeviceReadings() async throws {
        let broker = try await startBroker()
        let context = RecordingContext()
        let (connector, task) = try await start(connectorConfig(port: broker.port), context: context)
        defer { task.cancel() }

        try await publish(port: broker.port, [
            ("sensor/SN-001/data", #"{"sensorModel": "T1000", "temp": 25.5, "hum": 40}"#),
            ("batch", #"[{"serial": "A", "kind": "meter", "n": 1, "ts": 1700000000100}, {"serial": "B", "kind": "meter", "n": 2, "ts": 1700000000100}]"#),
            ("sensor/raw_data", "SN0125.5"),
        ])
        let all = await context.waitFor { $0.received.count >= 4 }
        let soFar = await context.received
        #expect(all, "received: \(soFar)")

        let sensor = try #require(await context.received(device: "SN-001").first)
        #expect(sensor.deviceType == "Thermometer")
        #expect(sensor.attributes == ["model": "T1000"])
        #expect(sensor.telemetry.map(\.values) == [["temperature": 25.5, "humidity": "40"]])
        #expect(await context.received(device: "A").first?.telemetry == [TelemetryEntry(ts: 1_700_000_000_100, values: ["count": 1])])
        #expect(await context.received(device: "B").first?.deviceType == "meter")
        let bytes = try #require(await context.received(device: "SN01").first)
        #expect(bytes.attributes["rawData"] == "SN0125.5")
        #expect(bytes.telemetry.first?.values["temp"] == "25.5")

        let stats = connector.statistics.snapshot
        #expect(stats.messagesReceived == 3)
        #expect(stats.devicesSent == 4)
        #expect(stats.malformedMessages == 0)
        #expect(await context.received.count == 4)
        task.cancel()
        await stopBroker(broker)
    }

    /// `readBatchingMs`: a burst and then a trickle all arrive, in order, on one connection.
    @Test func withReadBatchingEveryMessageArrivesInOrder() async throws {
        let broker = try await startBroker()
        let context = RecordingContext()
        let text = connectorConfig(port: broker.port, mappings: [sensorMapping], brokerKeys: #", "readBatchingMs": 100"#)
        let (connector, task) = try await start(text, context: context)
        defer { task.cancel() }

        try await publish(port: broker.port, (0..<300).map { ("sensor/SN-1/data", #"{"temp": \#($0)}"#) })
        for index in 300..<310 {
            try await publish(port: broker.port, [("sensor/SN-1/data", #"{"temp": \#(index)}"#)])
            try await Task.sleep(for: .milliseconds(30))
        }
        try await publish(port: broker.port, [("sensor/SN-1/data", #"{"temp": 310}"#)])
        let all = await context.waitFor { $0.received.count >= 311 }
        let count = await context.received.count
        #expect(all, "received \(count) of 311")
        let temperatures = await context.received(device: "SN-1").flatMap(\.telemetry).compactMap { $0.values["temperature"] }
        #expect(temperatures == (0...310).map { JSONValue.double(Double($0)) })
        #expect(connector.statistics.snapshot.connections == 1, "the connection was not dropped")
        task.cancel()
        await stopBroker(broker)
    }

    /// Mappings with overlapping filters: mosquitto delivers an MQTT 5 client the message once
    /// per matching subscription, each copy with its subscription's identifier, so each mapping
    /// converts it once (not once per copy); a 3.1.1 client gets one copy.
    @Test(arguments: [5, 4])
    func overlappingMappingsConvertAMessageOncePerMapping(version: Int) async throws {
        let broker = try await startBroker()
        let context = RecordingContext()
        func mapping(_ filter: String, key: String) -> String {
            #"{"topicFilter": "\#(filter)", "subscriptionQos": 1, "converter": {"type": "json", "deviceInfo": "#
                + #"{"deviceNameExpressionSource": "constant", "deviceNameExpression": "Overlap"},"#
                + #""timeseries": [{"type": "integer", "key": "\#(key)", "value": "${n}"}]}}"#
        }
        let text = connectorConfig(port: broker.port, mappings: [mapping("plant/+/data", key: "specific"),
                                                                  mapping("plant/#", key: "catchAll")])
            .replacingOccurrences(of: #""version": 5"#, with: #""version": \#(version)"#)
        let (connector, task) = try await start(text, context: context)
        defer { task.cancel() }

        try await publish(port: broker.port, [("plant/line1/data", #"{"n": 7}"#), ("plant/line1/status", #"{"n": 8}"#)])
        _ = await context.waitFor { $0.received.count >= 3 }
        try await Task.sleep(for: .milliseconds(300))  // any further copies
        let keys = await context.received(device: "Overlap").flatMap { $0.telemetry.flatMap { $0.values.keys } }.sorted()
        #expect(keys == ["catchAll", "catchAll", "specific"], "one conversion per mapping (MQTT version \(version))")
        // mosquitto sends a 3.1.1 client one copy, an MQTT 5 client one per subscription.
        #expect(connector.statistics.snapshot.messagesReceived == (version == 5 ? 3 : 2))
        task.cancel()
        await stopBroker(broker)
    }

    @Test func aMalformedPayloadIsCountedAndTheNextOneStillArrives() async throws {
        let broker = try await startBroker()
        let context = RecordingContext()
        let (connector, task) = try await start(connectorConfig(port: broker.port), context: context)
        defer { task.cancel() }

        try await publish(port: broker.port, [
            ("sensor/SN-002/data", #"{"temp": 21.0, "hum""#),            // cut off: not JSON
            ("batch", #"{"n": 5}"#),                                        // no device name
            ("sensor/SN-002/data", #"{"temp": 22.5, "hum": 50}"#),
        ])
        let arrived = await context.waitFor { !$0.received(device: "SN-002").isEmpty }
        #expect(arrived)
        let readings = await context.received
        #expect(readings.map(\.deviceName) == ["SN-002"])
        #expect(readings.first?.telemetry.first?.values == ["temperature": 22.5, "humidity": "50"])
        #expect(connector.statistics.snapshot.malformedMessages == 2)
        task.cancel()
        await stopBroker(broker)
    }

    @Test func afterABrokerRestartTheConnectorResubscribesAndDataFlowsAgain() async throws {
        let port = freeTCPPort()
        let first = try await startBroker(port: port)
        let context = RecordingContext()
        let (connector, task) = try await start(connectorConfig(port: port), context: context)
        defer { task.cancel() }

        try await publish(port: port, [("sensor/before/data", #"{"temp": 1}"#)])
        #expect(await context.waitFor { !$0.received(device: "before").isEmpty })

        await stopBroker(first)
        // Down for a while: several reconnect attempts fail, none blocks the connector.
        let failing = await waitUntil(timeout: 10) { connector.statistics.snapshot.failedConnectionAttempts >= 2 }
        #expect(failing)
        let second = try await startBroker(port: port)  // a fresh broker: no session, so subscriptions must be made again
        try await waitForSubscriptions(connector, rounds: 2)

        try await publish(port: port, [("sensor/after/data", #"{"temp": 2}"#)])
        #expect(await context.waitFor { !$0.received(device: "after").isEmpty })
        #expect(connector.statistics.snapshot.connections == 2)
        await stopBroker(second)
    }

    @Test func stoppingTheTaskEndsRunWithoutError() async throws {
        let broker = try await startBroker()
        let (_, task) = try await start(connectorConfig(port: broker.port), context: RecordingContext())
        task.cancel()
        try await task.value
        await stopBroker(broker)
    }

    /// Another client with the same client id takes the session over again and again (a Python
    /// gateway left running beside this one, a copied connector file): the connector waits at
    /// least a second before each reconnect instead of fighting flat out.
    @Test func aClientIDTakenOverAgainAndAgainIsNotReconnectedFlatOut() async throws {
        let broker = try await startBroker()
        let context = RecordingContext()
        let (connector, task) = try await start(connectorConfig(port: broker.port), context: context)
        defer { task.cancel() }
        let rival = Task {
            while !Task.isCancelled {
                let client = MQTTClient(configuration: MQTTClientConfiguration(host: "127.0.0.1", port: broker.port,
                                                                               clientID: "gw-under-test"),
                                        logger: Logger(label: "rival"))
                _ = try? await client.connect()
                var events = client.connectionEvents.makeAsyncIterator()
                while let event = await events.next() {
                    if case .disconnected = event { break }
                }
                await client.shutdown()
            }
        }
        try await Task.sleep(for: .seconds(4))
        rival.cancel()
        let connections = connector.statistics.snapshot.connections
        #expect(connections >= 2, "the takeover never happened")
        #expect(connections <= 6, "\(connections) connections in 4 s: reconnected without a pause")
    }

    @Test func anUnreachableBrokerIsRetriedUntilStopped() async throws {
        let port = freeTCPPort()  // nobody listens here
        let context = RecordingContext()
        let configuration = try MQTTConnectorConfiguration.parse(try JSONValue.parse(connectorConfig(port: port)),
                                                                 file: "mqtt.json")
        let connector = try MQTTConnector(
            identity: Self.identity, configuration: configuration, configurationFile: "mqtt.json", context: context,
            logger: Logger(label: "mqtt-connector-test"),
            reconnectBackoff: ExponentialBackoff(initial: .milliseconds(50), maximum: .milliseconds(100)))
        let task = Task { try await connector.run() }
        let retried = await waitUntil(timeout: 10) { connector.statistics.snapshot.failedConnectionAttempts >= 3 }
        #expect(retried)
        task.cancel()
        try await task.value
    }
}

/// Starting and stopping mosquitto block (polling for the port, waiting for the exit): done on a
/// Dispatch thread so they never hold one of the two cooperative threads the connector needs.
func startBroker(port: Int? = nil) async throws -> Mosquitto {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(with: Result { try Mosquitto(port: port) }) }
    }
}

func stopBroker(_ broker: Mosquitto) async {
    await withCheckedContinuation { continuation in
        DispatchQueue.global().async {
            broker.stop()
            continuation.resume()
        }
    }
}
