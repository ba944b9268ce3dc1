@testable import GatewayCore
import Foundation
import GatewayKit
import Logging
import Storage
import Testing
import TestSupport
import ThingsBoard

/// ThingsBoard keeping a session up but never acknowledging some data (what it does for a device
/// it cannot create, or when it is stuck) never stops delivery for good: the oldest pack is sent
/// again on a new session, and one whose acknowledgement is withheld while other messages are
/// acknowledged is set aside after the refused-pack policy, without taking the other devices of
/// its messages down with it. While ThingsBoard acknowledges nothing at all, nothing is given up.
@Suite(.timeLimit(.minutes(1))) struct UnacknowledgedPackTests {
    /// mosquitto standing in for ThingsBoard behind `puback_withholding_proxy.py`, with the
    /// gateway's session and uplink on the proxy; the observer reads mosquitto directly.
    struct Rig {
        let broker: Mosquitto
        let proxy: PeerProcess
        let observer: BrokerObserver
        let storage: MemoryEventStorage
        let client: ThingsBoardClient
        let uplink: Uplink
        let tasks: [Task<Void, Never>]

        init(withholding marker: String, onFirst connections: Int, action: PubackWithholdingProxy.Action = .withhold,
             policy: Uplink.RefusedPackPolicy = Uplink.RefusedPackPolicy(),
             deviceRateLimits: SessionLimits.RateLimits = .unlimited, packSize: Int = 1000) async throws {
            broker = try Mosquitto()
            let scratch = try makeScratchDirectory("unacknowledged-pack")
            let (proxy, proxyPort) = try await PubackWithholdingProxy.start(
                to: broker.port, marker: marker, connections: connections, action: action,
                logFile: scratch.appendingPathComponent("proxy.log"))
            self.proxy = proxy
            observer = try BrokerObserver(port: broker.port, topics: ["v1/gateway/telemetry"])
            let logger = Logger(label: "test")
            storage = MemoryEventStorage(configuration: StorageConfiguration.Memory(), logger: logger)
            client = ThingsBoardClient(configuration: ThingsBoardConnectionConfiguration(
                host: "127.0.0.1", port: proxyPort, credentials: .accessToken("T"), deviceRateLimits: deviceRateLimits,
                sessionLimitsTimeout: .milliseconds(200), reconnectBackoff: ExponentialBackoff(initial: .milliseconds(100), maximum: .milliseconds(400))),
                logger: logger)
            uplink = Uplink(storage: storage, client: client, logger: logger, packSize: packSize, refusedPackPolicy: policy,
                            acknowledgementTimeout: .milliseconds(600))
            let client = client, uplink = uplink
            tasks = [Task { await client.run() }, Task { await uplink.run() }]
        }

        func store(_ device: String, _ key: String, _ value: Int64) async throws {
            try await storage.append([StoredEvent(ConvertedData(
                deviceName: device, deviceType: "t", telemetry: [TelemetryEntry(ts: value, values: [key: .int(value)])]))])
        }

        /// One pack: A's reading carries the marker (ThingsBoard refuses it or leaves it
        /// unanswered), B's does not.
        func storeGhostAndB(_ value: Int64) async throws {
            try await storage.append([
                StoredEvent(ConvertedData(deviceName: "A", deviceType: "t", telemetry: [TelemetryEntry(ts: value, values: ["ghost": .int(value)])])),
                StoredEvent(ConvertedData(deviceName: "B", deviceType: "t", telemetry: [TelemetryEntry(ts: value, values: ["v": .int(value)])])),
            ])
        }

        func delivered(_ device: String) -> Bool {
            observer.messages(on: "v1/gateway/telemetry").contains { $0.payload.contains("\"\(device)\"") }
        }

        func stop() {
            for task in tasks { task.cancel() }
            observer.stop()
            proxy.stop()
            broker.stop()
        }
    }

    @Test func aPackAStalledSessionNeverAcknowledgesIsSentAgainOnANewSession() async throws {
        let rig = try await Rig(withholding: "stuck", onFirst: 1)
        defer { rig.stop() }
        try await rig.store("A", "stuck", 1)

        #expect(await waitUntil(timeout: 20) { rig.proxy.output().contains("withheld") }, "the proxy withheld nothing")
        #expect(await waitUntil(timeout: 20, checking: { await rig.storage.statistics().events == 0 }),
                "the pack was never acknowledged after a new session")
        let stats = await rig.uplink.statistics()
        #expect(stats.packsNotAcknowledgedInTime >= 1)
        #expect(stats.packsSetAsideAfterRefusals == 0)
        #expect(await rig.client.statistics().connects >= 2)
        #expect(rig.delivered("A"))
    }

    /// Data of a device ThingsBoard refuses with QUOTA_EXCEEDED on a session it keeps (4.2.1 and
    /// later), while it takes other data: the pack is set aside after the refused-pack policy, the
    /// device sharing its first message is delivered, and so is what comes after. (Sent again
    /// forever, as a rate limit is, a refused pack stopped all delivery.)
    @Test func dataThingsBoardRefusesIsSetAsideAndDeliveryGoesOn() async throws {
        let action = PubackWithholdingProxy.Action.refuse
        var policy = Uplink.RefusedPackPolicy()
        policy.minimumAttempts = 2
        policy.minimumDuration = .milliseconds(300)
        let rig = try await Rig(withholding: "ghost", onFirst: 0, action: action, policy: policy)
        defer { rig.stop() }
        // One pack, and at first one message, for both devices.
        try await rig.storeGhostAndB(1)
        #expect(await waitUntil(timeout: 30, checking: { await rig.uplink.statistics().packsSetAsideAfterRefusals == 1 }),
                "the pack was never set aside; proxy:\n\(rig.proxy.output())")
        #expect(rig.proxy.output().contains("refused"))
        #expect(rig.delivered("B"), "B, sharing A's first message, was lost with it")
        // Acknowledged to storage once the pack is settled, a moment after it was counted.
        #expect(await waitUntil(timeout: 5, checking: { await rig.storage.statistics().events == 0 }))

        try await rig.store("C", "v", 2)
        #expect(await waitUntil(timeout: 20) { rig.delivered("C") }, "delivery stopped behind the pack")
        #expect(await rig.uplink.statistics().packsSetAsideAfterRefusals == 1)
        #expect(await rig.client.statistics().connects == 1, "a refusal on a kept session restarted it")
    }

    /// Once a device ThingsBoard refuses (4.2.1 and later) or leaves unanswered (before 4.2.1) is
    /// found, its data goes apart: refused again, or unanswered while the rest of its pack is
    /// acknowledged, it is given up at once, and the packs it shares with other devices are not
    /// held back. Unanswered messages do
    /// not pile up in the session's in-flight window, and the session is not restarted for them.
    @Test(arguments: [PubackWithholdingProxy.Action.refuse, .withhold])
    func aRefusedDeviceNoLongerHoldsBackThePacksAfterIt(_ action: PubackWithholdingProxy.Action) async throws {
        var policy = Uplink.RefusedPackPolicy()
        policy.minimumAttempts = 2
        policy.minimumDuration = .seconds(20)  // longer than finding the device takes
        let rig = try await Rig(withholding: "ghost", onFirst: 0, action: action, policy: policy)
        defer { rig.stop() }
        // B shares A's first pack: ThingsBoard acknowledging B's data is what tells a device it
        // does not answer for from a ThingsBoard that answers nothing.
        try await rig.storeGhostAndB(1)
        // A is found by the attempt that sends one device per message; its data is given up and
        // the pack goes without the policy.
        #expect(await waitUntil(timeout: 15, checking: { await rig.uplink.statistics().eventsOfRefusedDevicesGivenUp == 1 }),
                "the device was never found; proxy:\n\(rig.proxy.output())")
        #expect(await waitUntil(timeout: 5, checking: { await rig.storage.statistics().events == 0 }))
        let firstPack = await rig.uplink.statistics()
        #expect(firstPack.packsSetAsideAfterRefusals == 0)
        try await rig.client.waitUntilReady()  // the session after the watchdog's restarts
        let connects = await rig.client.statistics().connects
        let started = ContinuousClock.now
        // A keeps sending, B's data in the same packs.
        for value in Int64(2)...6 {
            try await rig.storeGhostAndB(value)
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(await waitUntil(timeout: 20, checking: { await rig.storage.statistics().events == 0 }), "not delivered")
        #expect(await waitUntil(timeout: 5) {
            rig.observer.messages(on: "v1/gateway/telemetry").contains { $0.payload.contains(#""v":6"#) }
        }, "B's last reading did not arrive")
        // Five packs at most, each waiting a quarter of the acknowledgement timeout (150 ms) for A's part.
        #expect(.now - started < .seconds(5), "the packs were held back")
        let stats = await rig.uplink.statistics()
        #expect(stats.packsSetAsideAfterRefusals == 0, "a later pack went through the policy")
        #expect(stats.eventsOfRefusedDevicesGivenUp == 6)
        #expect(await rig.client.statistics().connects == connects, "the session was restarted; proxy:\n\(rig.proxy.output())")
        #expect(rig.client.publishesAwaitingAcknowledgement == 0, "unanswered messages still hold the in-flight window")
    }

    /// A device ThingsBoard cannot create, refused with QUOTA_EXCEEDED on a session it keeps (4.2.1
    /// and later) or left unanswered (before): found by the attempt that sends one device per
    /// message (for an unanswered one, the second watchdog round), not after the refused-pack
    /// policy's minute; its data is given up, the rest of the pack delivered, and so is what
    /// comes after.
    @Test(arguments: [PubackWithholdingProxy.Action.refuse, .withhold])
    func aDeviceThingsBoardCannotCreateIsFoundWithoutWaitingForThePolicy(_ action: PubackWithholdingProxy.Action) async throws {
        let rig = try await Rig(withholding: "ghost", onFirst: 0, action: action)  // the default policy: 5 attempts, 60 s
        defer { rig.stop() }
        let started = ContinuousClock.now
        try await rig.storeGhostAndB(1)
        #expect(await waitUntil(timeout: 30, checking: { await rig.storage.statistics().events == 0 }),
                "the pack was held back; proxy:\n\(rig.proxy.output())")
        #expect(.now - started < .seconds(10), "the device was found only by the refused-pack policy")
        #expect(rig.delivered("B"), "B, sharing A's first message, was lost with it")
        try await rig.store("C", "v", 2)
        #expect(await waitUntil(timeout: 20) { rig.delivered("C") }, "delivery stopped behind the pack")
        let stats = await rig.uplink.statistics()
        #expect(stats.packsSetAsideAfterRefusals == 0)
        #expect(stats.eventsOfRefusedDevicesGivenUp == 1)
    }

    /// QUOTA_EXCEEDED for everything from some message on, the session kept (a rate limit that
    /// did not close it at once): no device is taken for one ThingsBoard cannot create, so nothing
    /// is given up before the refused-pack policy.
    @Test func refusalsOfEverythingFromSomeMessageOnAreNotTakenForARefusedDevice() async throws {
        let rig = try await Rig(withholding: "v1/gateway/telemetry", onFirst: 0, action: .refuse)  // the default policy: 5 attempts, 60 s
        defer { rig.stop() }
        try await rig.storeGhostAndB(1)
        // Several attempts, one device per message from the second on.
        #expect(await waitUntil(timeout: 20) { rig.proxy.output().components(separatedBy: "refused").count - 1 >= 8 },
                "the data was not sent again; proxy:\n\(rig.proxy.output())")
        let stats = await rig.uplink.statistics()
        #expect(stats.eventsOfRefusedDevicesGivenUp == 0, "a device was taken for one ThingsBoard cannot create")
        #expect(stats.packsSetAsideAfterRefusals == 0)
        #expect(await rig.storage.statistics().events == 2)
    }

    /// The same answer followed by a closed session is ThingsBoard's rate limit: the data is sent
    /// again on the next session, however often, and never given up.
    @Test func quotaExceededThatClosesTheSessionIsARateLimitAndNothingIsGivenUp() async throws {
        var policy = Uplink.RefusedPackPolicy()
        policy.minimumAttempts = 1
        policy.minimumDuration = .zero
        let rig = try await Rig(withholding: "busy", onFirst: 3, action: .refuseAndClose, policy: policy)
        defer { rig.stop() }
        try await rig.store("A", "busy", 1)
        // Refused and disconnected on the first three sessions, accepted on the fourth.
        #expect(await waitUntil(timeout: 30, checking: { await rig.storage.statistics().events == 0 }),
                "not delivered after the rate limit passed; proxy:\n\(rig.proxy.output())")
        #expect(rig.proxy.output().components(separatedBy: "refused").count - 1 == 3)
        #expect(rig.delivered("A"))
        #expect(await rig.uplink.statistics().packsSetAsideAfterRefusals == 0)
    }

    /// A pack that takes longer than the timeout because the rate limits pace it (ThingsBoard
    /// acknowledging all along) is not a stalled session: no restart, nothing sent twice.
    @Test func aPackPacedByTheRateLimitsIsNotTakenForAStalledSession() async throws {
        let oneMessagePerSecond = SessionLimits.RateLimits(messages: .unlimited, telemetryMessages: try RateLimitSpec(parsing: "1:1", host: "h"),
                                                               telemetryDatapoints: .unlimited)
        // One event per pack: packs queue behind each other, the next one waiting for the limits
        // while the one before it was acknowledged long ago.
        let rig = try await Rig(withholding: "never-in-a-message", onFirst: 0, deviceRateLimits: oneMessagePerSecond, packSize: 1)
        defer { rig.stop() }
        try await rig.storage.append(["A", "B", "C", "D"].map {
            StoredEvent(ConvertedData(deviceName: $0, deviceType: "t", telemetry: [TelemetryEntry(ts: 1, values: ["v": 1])]))
        })
        #expect(await waitUntil(timeout: 20, checking: { await rig.storage.statistics().events == 0 }), "not delivered")
        #expect(["A", "B", "C", "D"].allSatisfy(rig.delivered))
        #expect(await rig.uplink.statistics().packsNotAcknowledgedInTime == 0)
        #expect(await rig.client.statistics().connects == 1, "the session was restarted")
    }

    @Test func nothingIsGivenUpWhileThingsBoardAcknowledgesNothing() async throws {
        var policy = Uplink.RefusedPackPolicy()
        policy.minimumAttempts = 1
        policy.minimumDuration = .zero
        let rig = try await Rig(withholding: "v1/gateway/telemetry", onFirst: 0, policy: policy)
        defer { rig.stop() }
        try await rig.store("A", "v", 1)

        #expect(await waitUntil(timeout: 30, checking: { await rig.uplink.statistics().packsNotAcknowledgedInTime >= 3 }),
                "the session was not restarted for the unacknowledged pack")
        #expect(await rig.uplink.statistics().packsSetAsideAfterRefusals == 0)
        #expect(await rig.storage.statistics().events == 1, "an event nothing acknowledged was given up")
    }
}

/// A device reported disconnected while a new session is still announcing it (its connect not
/// acknowledged yet) ends up disconnected on ThingsBoard, not shown connected for the session.
@Suite(.timeLimit(.minutes(1))) struct DisconnectDuringSessionSetupTests {
    @Test func aDisconnectWhileTheSessionAnnouncesTheDeviceIsSentAfterTheAnnouncement() async throws {
        let broker = try Mosquitto()
        defer { broker.stop() }
        let scratch = try makeScratchDirectory("disconnect-during-setup")
        // The first session's connect acknowledgements are withheld: its set-up waits 10 s.
        let (proxy, proxyPort) = try await PubackWithholdingProxy.start(
            to: broker.port, marker: "v1/gateway/connect", connections: 1, logFile: scratch.appendingPathComponent("proxy.log"))
        defer { proxy.stop() }
        let observer = try BrokerObserver(port: broker.port, topics: ["v1/gateway/connect", "v1/gateway/disconnect"])
        defer { observer.stop() }
        let client = ThingsBoardClient(configuration: ThingsBoardConnectionConfiguration(
            host: "127.0.0.1", port: proxyPort, credentials: .accessToken("T"), sessionLimitsTimeout: .milliseconds(200)),
            logger: Logger(label: "test"))
        try? await client.announce([(name: "Pump 3", type: "pump")])  // known, not sent: no session yet
        let run = Task { await client.run() }
        defer { run.cancel() }
        #expect(await waitUntil(timeout: 10) { proxy.output().contains("withheld") }, "the announcement was not withheld")
        #expect(await client.state == .connecting)
        try await client.disconnectDevice("Pump 3")
        let disconnected = await waitUntil(timeout: 20) {
            observer.messages(on: "v1/gateway/disconnect").contains { $0.payload.contains("Pump 3") }
        }
        #expect(disconnected, "the device stayed connected on ThingsBoard")
    }
}
