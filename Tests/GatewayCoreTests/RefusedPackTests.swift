@testable import GatewayCore
import Foundation
import GatewayKit
import Logging
import Storage
import Testing
import TestSupport
import ThingsBoard

/// ThingsBoard refusing messages (here mosquitto's ACL answers "not authorized", 0x87) never
/// stops delivery: a pack it keeps refusing is retried for a while, then set aside (what it
/// refused is lost, what it accepted was delivered, everything stored after it goes out), and a
/// refused connect does not hold the device's data back.
@Suite(.timeLimit(.minutes(1))) struct RefusedPackTests {
    /// A mosquitto standing in for ThingsBoard whose ACL allows only `allowed` topics to the
    /// gateway (`pattern` lines apply to every client), with the gateway's session and uplink on it.
    struct Rig {
        let broker: Mosquitto
        let observer: BrokerObserver
        let storage: MemoryEventStorage
        let uplink: Uplink
        let tasks: [Task<Void, Never>]

        init(allowed: [String], policy: Uplink.RefusedPackPolicy = Uplink.RefusedPackPolicy()) throws {
            let acl = try makeScratchDirectory("refused-pack").appendingPathComponent("acl")
            try (allowed.map { "pattern readwrite \($0)" } + ["pattern read v1/gateway/#"]).joined(separator: "\n")
                .write(to: acl, atomically: true, encoding: .utf8)
            broker = try Mosquitto(extraConfig: ["acl_file \(acl.path)"])
            observer = try BrokerObserver(port: broker.port, topics: ["v1/gateway/telemetry"])
            let logger = Logger(label: "test")
            storage = MemoryEventStorage(configuration: StorageConfiguration.Memory(), logger: logger)
            let client = ThingsBoardClient(configuration: ThingsBoardConnectionConfiguration(
                host: "127.0.0.1", port: broker.port, credentials: .accessToken("T"), sessionLimitsTimeout: .milliseconds(200)),
                logger: logger)
            let uplink = Uplink(storage: storage, client: client, logger: logger, refusedPackPolicy: policy)
            self.uplink = uplink
            tasks = [Task { await client.run() }, Task { await uplink.run() }]
        }

        func stop() {
            for task in tasks { task.cancel() }
            observer.stop()
            broker.stop()
        }
    }

    /// Refused connects do not hold the data back (ThingsBoard's answer for a device it cannot
    /// create is no answer at all, handled by a timeout; an explicit refusal is handled the same).
    @Test func aRefusedConnectDoesNotHoldTheDataBack() async throws {
        let rig = try Rig(allowed: ["v1/gateway/telemetry", "v1/devices/me/#"])
        defer { rig.stop() }
        try await rig.storage.append([StoredEvent(ConvertedData(
            deviceName: "C", deviceType: "t", telemetry: [TelemetryEntry(ts: 1, values: ["v": 1])]))])
        let delivered = await waitUntil(timeout: 20) {
            rig.observer.messages(on: "v1/gateway/telemetry").contains { $0.payload.contains(#""C""#) }
        }
        #expect(delivered, "the refused connect held the data back")
    }

    @Test func aPackThingsBoardKeepsRefusingIsSetAsideAndDeliveryGoesOn() async throws {
        var policy = Uplink.RefusedPackPolicy()
        policy.minimumAttempts = 3
        policy.minimumDuration = .milliseconds(500)
        let rig = try Rig(allowed: ["v1/gateway/telemetry", "v1/gateway/connect", "v1/devices/me/#"], policy: policy)
        defer { rig.stop() }
        let storage = rig.storage, uplink = rig.uplink, observer = rig.observer

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
        // Acknowledged to storage once the pack is settled, a moment after it was counted.
        #expect(await waitUntil(timeout: 5, checking: { await storage.statistics().events == 0 }))
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
