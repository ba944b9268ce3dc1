import Foundation
import GatewayKit
import Testing
import TestSupport

/// Local edits of connector files hot-reload just the changed connector; a broken edit is refused
/// and the connector keeps running with its last good configuration.
@Suite(.serialized, .timeLimit(.minutes(3))) struct ConnectorReloadEndToEndTests {
    @Test func editingOneConnectorFileRestartsOnlyThatConnector() async throws {
        let broker = try Mosquitto()
        defer { broker.stop() }
        let responder = try await SessionLimitsResponder(port: broker.port)
        let observer = try BrokerObserver(port: broker.port, topics: ["v1/gateway/telemetry"])
        defer { observer.stop() }
        let gateway = try GatewayUnderTest(label: "reload")
        try gateway.writeMainConfig(
            port: broker.port, storage: #"{"type": "memory"}"#, extraThingsBoard: #", "checkConnectorsConfigurationInSeconds": 1"#,
            connectors: [#"{"type": "simulator", "name": "A", "configuration": "a.json"}"#,
                         #"{"type": "simulator", "name": "B", "configuration": "b.json"}"#])
        try gateway.write("a.json", GatewayUnderTest.counterSimulator(device: "Alpha"))
        try gateway.write("b.json", GatewayUnderTest.counterSimulator(device: "Beta"))
        try gateway.start()
        defer { gateway.stop() }
        let flowing = await waitUntil(timeout: 30) {
            readings(of: "Alpha", key: "counter", in: observer.messages()).count >= 5
                && readings(of: "Beta", key: "counter", in: observer.messages()).count >= 5
        }
        #expect(flowing, "gateway log:\n\(gateway.log())")

        // B's file changes: B restarts with its new device; A is untouched (a restarted simulator
        // would count from 0 again).
        try gateway.write("b.json", GatewayUnderTest.counterSimulator(device: "Gamma"))
        let reloaded = await waitUntil(timeout: 15) { readings(of: "Gamma", key: "counter", in: observer.messages()).count >= 3 }
        #expect(reloaded, "B not reloaded; gateway log:\n\(gateway.log())")
        try await Task.sleep(for: .seconds(1))
        let alpha = readings(of: "Alpha", key: "counter", in: observer.messages())
        #expect(alpha == Array(0..<Int64(alpha.count)), "A restarted or lost readings: \(alpha)")
        #expect(gateway.log().contains("connector configuration changed; restarting it"))

        // A broken edit is refused; B keeps delivering with its last good configuration.
        try gateway.write("b.json", #"{"devices": [ broken"#)
        let refused = await waitUntil(timeout: 10) { gateway.log().contains("the running configuration stays") }
        #expect(refused, "gateway log:\n\(gateway.log())")
        let before = readings(of: "Gamma", key: "counter", in: observer.messages()).count
        try await Task.sleep(for: .seconds(2))
        #expect(readings(of: "Gamma", key: "counter", in: observer.messages()).count > before + 5)
        await responder.stop()
    }
}
