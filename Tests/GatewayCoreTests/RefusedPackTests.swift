@testable import GatewayCore
import Foundation
import GatewayKit
import Logging
import Storage
import Testing
import TestSupport
import ThingsBoard

/// A pack ThingsBoard keeps refusing (here mosquitto's ACL answers "not authorized", 0x87, to the
/// gateway's attribute messages; `pattern` lines apply to every client) is retried for a while, then set aside: what it refused is
/// lost, what it accepted was delivered, and everything stored after it goes out.
@Suite(.timeLimit(.minutes(1))) struct RefusedPackTests {
    @Test func aPackThingsBoardKeepsRefusingIsSetAsideAndDeliveryGoesOn() async throws {
        let scratch = try makeScratchDirectory("refused-pack")
        let acl = scratch.appendingPathComponent("acl")
        try """
            pattern readwrite v1/gateway/telemetry
            pattern readwrite v1/gateway/connect
            pattern readwrite v1/devices/me/#
            pattern read v1/gateway/#
            """.write(to: acl, atomically: true, encoding: .utf8)
        let broker = try Mosquitto(extraConfig: ["acl_file \(acl.path)"])
        defer { broker.stop() }
        let observer = try BrokerObserver(port: broker.port, topics: ["v1/gateway/telemetry"])
        defer { observer.stop() }

        let logger = Logger(label: "test")
        let storage = MemoryEventStorage(configuration: StorageConfiguration.Memory(), logger: logger)
        let client = ThingsBoardClient(configuration: ThingsBoardConnectionConfiguration(
            host: "127.0.0.1", port: broker.port, credentials: .accessToken("T"), sessionLimitsTimeout: .milliseconds(200)),
            logger: logger)
        var policy = Uplink.RefusedPackPolicy()
        policy.minimumAttempts = 3
        policy.minimumDuration = .milliseconds(500)
        let uplink = Uplink(storage: storage, client: client, logger: logger, refusedPackPolicy: policy)
        let session = Task { await client.run() }
        let delivery = Task { await uplink.run() }
        defer {
            delivery.cancel()
            session.cancel()
        }

        // The attributes of A are refused every time; its telemetry is accepted.
        try await storage.append([StoredEvent(ConvertedData(
            deviceName: "A", deviceType: "t", telemetry: [TelemetryEntry(ts: 1, values: ["v": 1])], attributes: ["fw": "1.0"]))])
        let started = ContinuousClock.now
        var setAside = false
        while !setAside, ContinuousClock.now - started < .seconds(20) {
            setAside = await uplink.statistics().packsSetAsideAfterRefusals == 1
            if !setAside { try await Task.sleep(for: .milliseconds(20)) }
        }
        #expect(setAside, "the refused pack was never set aside")
        #expect(ContinuousClock.now - started >= .milliseconds(500), "set aside before the policy's minimum duration")
        #expect(await storage.statistics().events == 0)
        #expect(observer.messages(on: "v1/gateway/telemetry").contains { $0.payload.contains(#""A""#) })

        // Stored after it: delivered and acknowledged, nothing else set aside.
        try await storage.append([StoredEvent(ConvertedData(
            deviceName: "B", deviceType: "t", telemetry: [TelemetryEntry(ts: 2, values: ["v": 2])]))])
        let delivered = await waitUntil(timeout: 20) {
            observer.messages(on: "v1/gateway/telemetry").contains { $0.payload.contains(#""B""#) }
        }
        #expect(delivered, "delivery stopped behind the refused pack")
        #expect(await uplink.statistics().packsSetAsideAfterRefusals == 1)
    }
}
