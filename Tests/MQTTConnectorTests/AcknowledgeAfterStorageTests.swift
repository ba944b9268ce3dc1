import Foundation
import GatewayKit
import Logging
import Testing
import TestSupport
@testable import MQTTConnector

/// Stands in for the gateway's ingest: records readings and holds their "written" notice until the
/// test says storage wrote them (`storesAtOnce` false), as a slow disk or a crash before the write would.
actor StoringContext: GatewayContext {
    private(set) var received: [ConvertedData] = []
    private let storesAtOnce: Bool
    /// When set, each write completes this long after `submit` (a slow disk).
    var writeTakes: Duration?
    private var unwritten: [@Sendable (StoreNotice) -> Void] = []
    /// When set, the writes fail (a full disk): the notice says so.
    var failing: String?
    /// Readings written (told `.taken`).
    private(set) var stored = 0

    init(storesAtOnce: Bool) { self.storesAtOnce = storesAtOnce }

    func send(_ data: ConvertedData, from connector: ConnectorIdentity) async -> SendOutcome {
        received.append(data)
        return .accepted
    }

    func submit(_ data: ConvertedData, from connector: ConnectorIdentity,
                whenStored: @escaping @Sendable (StoreNotice) -> Void) async -> SendOutcome {
        received.append(data)
        if let failing {
            whenStored(.notStored(failing))
        } else if let writeTakes {
            Task {
                try? await Task.sleep(for: writeTakes)
                whenStored(.taken)
            }
        } else if storesAtOnce {
            stored += 1
            whenStored(.taken)
        } else {
            unwritten.append(whenStored)
        }
        return .accepted
    }

    func setFailing(_ reason: String?) { failing = reason }
    func setWriteTakes(_ duration: Duration?) { writeTakes = duration }

    var temperatures: [Double] { received.compactMap { $0.telemetry.first?.values["temperature"]?.doubleValue } }

    func connectDevice(_ name: String, type: String, from connector: ConnectorIdentity) async {}
    func disconnectDevice(_ name: String, from connector: ConnectorIdentity) async {}
    func requestAttributes(_ request: AttributeRequest, from connector: ConnectorIdentity) async throws(GatewayRequestError)
        -> JSONObject { throw .noAnswer }
}

/// `broker.acknowledgeAfterStorage`: with a persistent session, a message whose readings were not
/// written when the connector stopped (a crash, a restart) comes again; one that was written does not.
@Suite(.serialized) struct AcknowledgeAfterStorageTests {
    static let identity = ConnectorIdentity(name: "MQTT Broker", type: "mqtt", id: "mqtt-ack")

    func config(port: Int, acknowledgeAfterStorage: Bool) -> String {
        #"{"broker": {"host": "127.0.0.1", "port": \#(port), "clientId": "gw-ack-after-storage", "version": 4, "#
            + #""cleanSession": false, "acknowledgeAfterStorage": \#(acknowledgeAfterStorage)}, "#
            + #""mapping": [\#(sensorMapping)]}"#
    }

    func start(_ text: String, context: StoringContext) async throws -> (MQTTConnector, Task<Void, any Error>) {
        let configuration = try MQTTConnectorConfiguration.parse(try JSONValue.parse(text), file: "mqtt.json")
        let connector = try MQTTConnector(identity: Self.identity, configuration: configuration,
                                          configurationFile: "mqtt.json", context: context,
                                          logger: Logger(label: "mqtt-ack-after-storage-test"),
                                          reconnectBackoff: ExponentialBackoff(initial: .milliseconds(100),
                                                                               maximum: .milliseconds(400)))
        let task = Task { try await connector.run() }
        let subscribed = await waitUntil(timeout: 15) { connector.statistics.snapshot.subscribedConnections >= 1 }
        try #require(subscribed, "connector did not subscribe")
        return (connector, task)
    }

    func stop(_ task: Task<Void, any Error>) async {
        task.cancel()
        _ = await task.result
    }

    func publish(port: Int, _ payloads: [String]) async throws {
        try await BrokerIntegrationTests().publish(port: port, payloads.map { ("sensor/SN-7/data", $0) })
    }

    @Test(arguments: [true, false])
    func unwrittenMessagesComeAgainAfterARestartOnlyWithTheOption(acknowledgeAfterStorage: Bool) async throws {
        let broker = try await startBroker()
        defer { broker.stop() }
        let text = config(port: broker.port, acknowledgeAfterStorage: acknowledgeAfterStorage)

        // Received and converted, never written: the connector stops before storage confirms.
        let first = StoringContext(storesAtOnce: false)
        var (_, task) = try await start(text, context: first)
        try await publish(port: broker.port, [#"{"temp": 1}"#, #"{"temp": 2}"#])
        #expect(await waitUntil(timeout: 10, checking: { await first.temperatures == [1, 2] }))
        await stop(task)

        let second = StoringContext(storesAtOnce: true)
        (_, task) = try await start(text, context: second)
        if acknowledgeAfterStorage {
            let cameAgain = await waitUntil(timeout: 10, checking: { await second.temperatures == [1, 2] })
            let temperatures = await second.temperatures
            #expect(cameAgain, "both come again: \(temperatures)")
        } else {
            // Acknowledged on receipt (the reference's way): the broker has nothing to send again.
            try await Task.sleep(for: .milliseconds(500))
            #expect(await second.temperatures == [])
        }
        // Written this time; a payload that converts to nothing is acknowledged too.
        try await publish(port: broker.port, ["not json", #"{"temp": 3}"#])
        #expect(await waitUntil(timeout: 10, checking: { await second.temperatures.last == 3 }))
        await stop(task)

        let third = StoringContext(storesAtOnce: true)
        let connector: MQTTConnector
        (connector, task) = try await start(text, context: third)
        try await publish(port: broker.port, [#"{"temp": 4}"#])
        #expect(await waitUntil(timeout: 10, checking: { await third.temperatures == [4] }))
        try await Task.sleep(for: .milliseconds(300))
        #expect(await third.temperatures == [4], "nothing written comes again")
        #expect(connector.statistics.snapshot.malformedMessages == 0)
        await stop(task)
    }

    /// With a clean session the broker keeps nothing: the option is ignored, and said so when the
    /// connector starts and by `check-config`.
    @Test func aCleanSessionMakesTheOptionAWarning() throws {
        func warnings(_ broker: String) throws -> [String] {
            let text = #"{"broker": {"host": "127.0.0.1", "acknowledgeAfterStorage": true, "# + broker + #"}, "mapping": []}"#
            let configuration = try MQTTConnectorConfiguration.parse(try JSONValue.parse(text), file: "mqtt.json")
            return try MQTTConnector(identity: Self.identity, configuration: configuration, configurationFile: "mqtt.json",
                                     context: StoringContext(storesAtOnce: true), logger: Logger(label: "test"))
                .configurationWarnings
        }
        #expect(try warnings(#""version": 4"#).map { $0.hasPrefix("broker.acknowledgeAfterStorage is ignored") } == [true])
        #expect(try warnings(#""version": 4, "cleanSession": false"#).isEmpty)
    }

    /// A stopping connector waits (briefly) for the writes of what it took, so a restart does not
    /// bring back messages that were stored.
    @Test func aStopWaitsForTheLastWritesBeforeDisconnecting() async throws {
        let broker = try await startBroker()
        defer { broker.stop() }
        let text = config(port: broker.port, acknowledgeAfterStorage: true)
        let slow = StoringContext(storesAtOnce: true)
        await slow.setWriteTakes(.milliseconds(300))
        var (_, task) = try await start(text, context: slow)
        try await publish(port: broker.port, [#"{"temp": 6}"#])
        #expect(await waitUntil(timeout: 10, checking: { await slow.temperatures == [6] }))
        await stop(task)  // while the write is still going on

        let next = StoringContext(storesAtOnce: true)
        (_, task) = try await start(text, context: next)
        try await publish(port: broker.port, [#"{"temp": 7}"#])
        #expect(await waitUntil(timeout: 10, checking: { await next.temperatures == [7] }))
        try await Task.sleep(for: .milliseconds(300))
        #expect(await next.temperatures == [7], "the stored message did not come again")
        await stop(task)
    }

    /// A reading storage could not write leaves its message with the broker: the connection is
    /// closed, and the message comes again until it can be written.
    @Test func aMessageWhoseReadingsCannotBeWrittenComesAgainUntilTheyAre() async throws {
        let broker = try await startBroker()
        defer { broker.stop() }
        let context = StoringContext(storesAtOnce: true)
        await context.setFailing("storage error: disk full")
        let (connector, task) = try await start(config(port: broker.port, acknowledgeAfterStorage: true), context: context)
        defer { task.cancel() }
        try await publish(port: broker.port, [#"{"temp": 5}"#])
        // Refused, reconnected, sent again while the writes fail.
        #expect(await waitUntil(timeout: 10, checking: { await context.temperatures.count >= 2 }))
        #expect(await waitUntil(timeout: 10) { connector.statistics.snapshot.connections >= 2 })
        #expect(await context.stored == 0)
        await context.setFailing(nil)
        // A copy is written and acknowledged; then no more reconnections, no more copies.
        #expect(await waitUntil(timeout: 10, checking: { await context.stored == 1 }))
        try await Task.sleep(for: .milliseconds(500))
        let copies = await context.temperatures.count
        let connections = connector.statistics.snapshot.connections
        try await Task.sleep(for: .milliseconds(1_500))
        #expect(await context.temperatures.count == copies)
        #expect(connector.statistics.snapshot.connections == connections)
        #expect(await context.stored == 1)
        #expect(await context.temperatures.allSatisfy { $0 == 5 })
        await stop(task)
    }
}
