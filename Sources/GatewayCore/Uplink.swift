import Collections
import Foundation
import GatewayKit
import Logging
import Storage
import ThingsBoard

/// Moves events from storage to ThingsBoard: reads a pack, announces new devices, builds the
/// gateway API messages, publishes them (up to the session's in-flight limit at once) and
/// acknowledges the pack to storage only when every message of it was acknowledged by the
/// broker. Any failure rewinds storage so the same events are sent again: at-least-once.
public actor Uplink {
    public struct Statistics: Sendable, Equatable {
        public var eventsDelivered: Int64 = 0
        public var datapointsDelivered: Int64 = 0
        public var packsRetried: Int64 = 0
        public var unreadableEvents: Int64 = 0
        /// Packs acknowledged to storage although ThingsBoard kept refusing some of their
        /// messages, or kept withholding their acknowledgement (see `refusedPackPolicy`).
        public var packsSetAsideAfterRefusals: Int64 = 0
        /// Times publishes waited `acknowledgementTimeout` without any acknowledgement coming,
        /// each followed by a new session and the oldest pack sent again.
        public var packsNotAcknowledgedInTime: Int64 = 0
        /// Events of devices ThingsBoard does not accept (see `RefusedDevices`), sent apart and
        /// refused again, or left unanswered while the rest of their pack was answered: given up
        /// without holding the pack back.
        public var eventsOfRefusedDevicesGivenUp: Int64 = 0
        /// Packs published and not yet acknowledged.
        public var packsInFlight = 0
        /// From a pack's publishing start to the broker's acknowledgement of its last message.
        public var packLatency = LatencyHistogram()
    }

    private let storage: any EventStorage
    private let client: ThingsBoardClient
    private let logger: Logger
    private let packSize: Int
    /// Packs published at once; the session's in-flight window (`maxInflightMessages`, kept by the
    /// connection) bounds their messages on the wire.
    private let maxPacksInFlight = 4
    private let now: @Sendable () -> Int64
    private var stats = Statistics()
    /// A pack ThingsBoard refuses for good (a permanent reason code: a payload it cannot take,
    /// a topic it does not allow) would otherwise be re-sent forever and hold back everything
    /// stored after it. It is retried while the refusals last less than `minimumDuration` or
    /// number fewer than `minimumAttempts`; then it is acknowledged (its accepted messages were
    /// delivered, the refused ones are logged as lost) and delivery goes on. The reference
    /// acknowledges such packs at once. A pack whose acknowledgement ThingsBoard withholds while
    /// it acknowledges other messages (what it does with the data of a device it cannot create)
    /// counts as refused too; one it withholds while acknowledging nothing at all does not: that
    /// is a stalled ThingsBoard, and the pack is sent again on new sessions until it is taken.
    public struct RefusedPackPolicy: Sendable {
        public var minimumAttempts = 5
        public var minimumDuration: Duration = .seconds(60)
        public init() {}
    }
    private let refusedPackPolicy: RefusedPackPolicy
    /// Refusals of the oldest pack in a row, and when the first of them came.
    private var refusals: (count: Int, since: ContinuousClock.Instant)?
    /// How long publishes may wait while no acknowledgement at all comes from ThingsBoard. A
    /// session on which they stopped (the connection and its keep-alive still up) would otherwise
    /// hold every later event back until the connection drops; the pack is sent again on a new
    /// session instead. Generous: a new session re-sends everything in flight.
    private let acknowledgementTimeout: Duration
    /// How long the data of remembered refused devices, sent apart, may stay unanswered after it
    /// was sent (checked once the rest of its pack was answered): then it is taken as withheld
    /// (what ThingsBoard before 4.2.1 does with the data of a device it cannot create) and given
    /// up. A pack carrying such data can wait this long, so it is short; a late acknowledgement
    /// only means the data was counted as given up although it arrived.
    private let apartAcknowledgementWait: Duration
    /// After a pack went unacknowledged, packs carry one device per message until one is
    /// acknowledged, so a device ThingsBoard withholds the acknowledgement for does not take the
    /// other devices of its message down with it.
    private var oneDevicePerMessage = false
    /// Devices ThingsBoard refused, or left unanswered while it answered others: sent apart from now on.
    private var refusedDevices = RefusedDevices()
    private var lastRefusedDevicesLog: ContinuousClock.Instant?
    private var nextPackID = 0
    /// The oldest pack in flight, which the watchdog times.
    private var oldestInFlight: OldestPack?
    /// The pack the watchdog last gave up on, and how many other messages ThingsBoard
    /// acknowledged while that pack waited.
    private var overdue: (pack: Int, othersAcknowledged: Int)?

    public init(storage: any EventStorage, client: ThingsBoardClient, logger: Logger, packSize: Int = 1000,
                refusedPackPolicy: RefusedPackPolicy = RefusedPackPolicy(),
                acknowledgementTimeout: Duration = .seconds(30),
                now: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) }) {
        self.refusedPackPolicy = refusedPackPolicy
        self.acknowledgementTimeout = acknowledgementTimeout
        // Well below the watchdog's timeout, which would otherwise take the wait for a stalled session.
        apartAcknowledgementWait = min(acknowledgementTimeout / 4, .seconds(1))
        self.storage = storage
        self.client = client
        self.logger = logger
        self.packSize = max(1, packSize)
        self.now = now
    }

    public func statistics() -> Statistics { stats }

    public func run() async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.watchAcknowledgements() }
            await deliver()
            group.cancelAll()
        }
    }

    private func deliver() async {
        var failuresInARow = 0
        while !Task.isCancelled {
            do {
                try await client.waitUntilReady()
                try await pump { failuresInARow = 0 }
            } catch is CancellationError {
                break
            } catch {
                watch(nil)
                await storage.rewind()
                stats.packsRetried += 1
                failuresInARow += 1
                if failuresInARow == 1 || failuresInARow % 50 == 0 {
                    logger.warning("delivery to ThingsBoard failed; the events stay in storage and are sent again",
                                   metadata: ["error": "\(error)", "failures": "\(failuresInARow)"])
                }
                // A short pause so a rejected pack is not hammered; reconnects have their own back-off.
                try? await Task.sleep(for: .milliseconds(min(2000, 50 * failuresInARow)))
            }
        }
    }

    /// Keeps up to `maxPacksInFlight` packs on the wire at once, so the next pack is read,
    /// decoded and built while the broker acknowledges the previous ones (a single pack at a
    /// time is bound by the round trip of its last message). Packs are acknowledged to storage
    /// strictly in the order storage handed them out, each once every message of it was
    /// acknowledged. Returns only by throwing: any failure ends the whole pipeline and the caller
    /// rewinds storage, so nothing unacknowledged is lost.
    ///
    /// No task per pack or per message: a pack's messages are handed to the connection in one go
    /// and the pump waits for the oldest pack's acknowledgements, which the connection reports
    /// in order.
    private func pump(onProgress: () -> Void) async throws {
        var inFlight = Deque<PackInFlight>()
        do {
            try await pump(&inFlight, onProgress: onProgress)
        } catch {
            // Everything in flight is sent again after the rewind: the copies on the wire no
            // longer hold the in-flight window (a session that stays up would keep those
            // ThingsBoard never answers there until it ends).
            for pack in inFlight {
                pack.publishing.abandon()
                pack.apart?.publishing.abandon()
            }
            throw error
        }
    }

    private func pump(_ inFlight: inout Deque<PackInFlight>, onProgress: () -> Void) async throws {
        var lastPackWasFull = false
        while true {
            try Task.checkCancellation()
            // Another pack goes out beside those in flight only when storage has a backlog
            // (the last pack was full): while the uplink keeps up, events gather during a
            // round trip and go out as one pack instead of many tiny ones, each costing a
            // storage read, an acknowledge and a publish.
            if inFlight.count < maxPacksInFlight, inFlight.isEmpty || lastPackWasFull,
               let pack = try await storage.nextPack(maxEvents: packSize) {
                lastPackWasFull = pack.events.count >= packSize
                inFlight.append(try await publish(pack))
                if inFlight.count == 1 { watch(inFlight.first) }
                stats.packsInFlight = inFlight.count
                continue
            }
            guard let oldest = inFlight.first else {
                await storage.waitForEvents()
                continue
            }
            do {
                try await oldest.publishing.acknowledged()
                refusals = nil
                oneDevicePerMessage = false
            } catch let refusal as ThingsBoardError where refusal.isPermanent {
                oneDevicePerMessage = true
                try setAsideIfRefusedLongEnough(oldest, refusal)
                await rememberDevices(of: oldest) { _ in true }
            } catch let refusal as ThingsBoardError where refusal.isQuotaExceeded && overdue?.pack != oldest.id {
                // A rate limit (ThingsBoard closes the session right after) is waited out and the
                // pack sent again however long it lasts. The same answer on a session that stays
                // up is for a device ThingsBoard cannot create (4.2.1 and later, at the tenant's
                // device limit): sent again that would stop all delivery, so the pack goes one
                // device per message (the others' data passes). A device refused in a one-device
                // message while ThingsBoard took a message sent after it (a rate limit refuses
                // everything from there on) is remembered at once: sent again, its data goes apart
                // (given up when refused again) and no longer holds the pack back for the policy's minute.
                guard await client.sessionSurvives(.seconds(1)) else { throw refusal }
                oneDevicePerMessage = true
                await rememberDevices(of: oldest) { $0.refusal.isQuotaExceeded && $0.answeredPast }
                try setAsideIfRefusedLongEnough(oldest, refusal)
            } catch let lost where overdue?.pack == oldest.id {
                // The watchdog gave up on this pack and restarted the session. The devices of its
                // one-device messages ThingsBoard left unanswered while it acknowledged others
                // are remembered at once (what ThingsBoard before 4.2.1 does with the data of a
                // device it cannot create): sent again, their data goes apart and no longer
                // holds the pack back for the refused-pack policy's minutes.
                if (overdue?.othersAcknowledged ?? 0) > 0 { await rememberUnansweredDevices(of: oldest) }
                try setAsideIfOthersWereAcknowledged(oldest, overdue?.othersAcknowledged ?? 0, lost)
            }
            // Delivered or set aside, the pack is acknowledged only once its apart part is settled.
            if let apart = oldest.apart { try await settle(apart, of: oldest) }
            inFlight.removeFirst()
            watch(inFlight.first)
            stats.packLatency.observe(.now - oldest.started)
            stats.eventsDelivered += Int64(oldest.pack.events.count)
            stats.datapointsDelivered += Int64(oldest.datapoints)
            stats.packsInFlight = inFlight.count
            try await storage.acknowledge(oldest.pack)
            onProgress()
        }
    }

    private func watch(_ oldest: PackInFlight?) {
        oldestInFlight = oldest.map { OldestPack(id: $0.id, acknowledgedBefore: $0.acknowledgedBefore,
                                                events: $0.pack.events.count, devices: $0.devices) }
    }

    /// Wakes every few seconds (not once per pack: a timer per pack would cost the event loop a
    /// wake-up per pack) and restarts the session when publishes have been waiting for their
    /// acknowledgement while none came for `acknowledgementTimeout`: a stalled session, not a
    /// slow one (acknowledgements still coming reset the wait) nor a rate-limited one (nothing
    /// waits on the wire while the uplink waits for the limits). The restart fails everything in
    /// flight, so the pump rewinds storage and sends it all again on the next session.
    private func watchAcknowledgements() async {
        let interval = min(.seconds(5), acknowledgementTimeout / 4)
        var acknowledged = client.publishesAcknowledged
        var lastProgress = ContinuousClock.now
        while !Task.isCancelled {
            do { try await Task.sleep(for: interval) } catch { return }
            let now = client.publishesAcknowledged
            guard now == acknowledged, client.publishesAwaitingAcknowledgement > 0, let oldest = oldestInFlight,
                  overdue?.pack != oldest.id else {
                acknowledged = now
                lastProgress = .now
                continue
            }
            guard ContinuousClock.now - lastProgress >= acknowledgementTimeout else { continue }
            let others = now - oldest.acknowledgedBefore
            let devices = Set(oldest.devices).sorted().prefix(10).joined(separator: ", ")
            let reason = UplinkError.notAcknowledged(after: acknowledgementTimeout, othersAcknowledged: others)
            // Marked before the restart: the pump sees the pack fail while the restart is under way.
            let previous = overdue
            overdue = (oldest.id, others)
            guard await client.restartSession(reason: "\(reason) (events: \(oldest.events), devices: \(devices))") else {
                overdue = previous  // no session to restart: the pack is timed again
                continue
            }
            stats.packsNotAcknowledgedInTime += 1
            oneDevicePerMessage = true
            lastProgress = .now
        }
    }

    /// The data of remembered refused devices, sent apart, one device per message; what each
    /// message's answer does to its device:
    /// - acknowledged: ThingsBoard takes the device's data again; it is forgotten;
    /// - refused on a session that stays up, or (checked once the rest of the pack was answered)
    ///   not answered within `apartAcknowledgementWait` of being sent (the message is abandoned, so
    ///   it does not hold a slot of the in-flight window), or lost after the watchdog gave up on
    ///   the pack while ThingsBoard acknowledged other messages: its data is given up and counted,
    ///   the device stays remembered;
    /// - lost with the connection, never sent, refused by a rate limit, or refused for another
    ///   reason: throws, and the whole pack is sent again.
    /// When the pack holds nothing but apart data the wait is unbounded: ThingsBoard may be
    /// answering nothing at all, which is the watchdog's to tell.
    private func settle(_ apart: ApartPart, of pack: PackInFlight) async throws {
        let wait = pack.publishing.messages.isEmpty ? nil : apartAcknowledgementWait
        let answers = await apart.publishing.answers(within: wait)
        let watchdogGaveUp = overdue?.pack == pack.id && (overdue?.othersAcknowledged ?? 0) > 0
        var accepted = Set<String>(), givenUp = Set<String>()
        var reason: String?
        var quotaRefusal: ThingsBoardError?
        for (message, answer) in zip(apart.publishing.messages, answers) {
            let device = RefusedDevices.device(of: message)
            switch answer {
            case .acknowledged:
                if let device { accepted.insert(device) }
                continue
            case .refused(let refusal) where refusal.isPermanent || refusal.isQuotaExceeded:
                if refusal.isQuotaExceeded { quotaRefusal = refusal }
                reason = reason ?? "\(refusal)"
            case .refused(let refusal):
                throw refusal
            case .withheld:
                reason = reason ?? "not acknowledged within \(apartAcknowledgementWait) while ThingsBoard acknowledged the rest of the pack"
            case .unsent(let error):
                throw error  // ThingsBoard never saw it: sent again
            case .lost(let error):
                guard watchdogGaveUp else { throw error }  // lost with the connection: sent again
                reason = reason ?? "not acknowledged while ThingsBoard acknowledged other messages"
            }
            if let device { givenUp.insert(device) }
        }
        // A rate limit closes the session right after its refusal; the data waits it out.
        if let quotaRefusal, await !client.sessionSurvives(.milliseconds(200)) { throw quotaRefusal }
        refusedDevices.forget(accepted.subtracting(givenUp))
        guard let reason else { return }
        refusedDevices.remember(givenUp)
        countGivenUp(givenUp.reduce(0) { $0 + (apart.events[$1] ?? 0) }, devices: givenUp, reason: reason)
    }

    private func countGivenUp(_ events: Int, devices: Set<String>, reason: String) {
        stats.eventsOfRefusedDevicesGivenUp += Int64(events)
        guard lastRefusedDevicesLog.map({ .now - $0 >= .seconds(60) }) ?? true else { return }
        lastRefusedDevicesLog = .now
        logger.error("ThingsBoard keeps refusing the data of devices it does not accept (e.g. at the tenant's device limit); their data is given up, the other devices' is delivered",
                     metadata: ["devices": "\(devices.sorted().prefix(10).joined(separator: ", "))",
                                "reason": "\(reason)", "eventsGivenUp": "\(stats.eventsOfRefusedDevicesGivenUp)"])
    }

    /// The devices of a pack's one-device messages ThingsBoard refused, those `matching`.
    private func rememberDevices(
        of pack: PackInFlight,
        matching: ((message: GatewayMessage, refusal: ThingsBoardError, answeredPast: Bool)) -> Bool
    ) async {
        let refused = await pack.publishing.refusals().refused.filter(matching)
        refusedDevices.remember(refused.map(\.message).compactMap(RefusedDevices.device(of:)))
    }

    /// After the watchdog gave up on a pack: the devices of its one-device messages ThingsBoard
    /// left unanswered while it acknowledged a message sent after them.
    private func rememberUnansweredDevices(of pack: PackInFlight) async {
        refusedDevices.remember(await pack.publishing.refusals().unanswered.compactMap(RefusedDevices.device(of:)))
    }

    /// A pack the watchdog gave up on counts as refused when ThingsBoard acknowledged other
    /// messages while it waited; otherwise ThingsBoard answered nothing at all, and the pack is
    /// sent again however long that lasts. Throws unless `refusedPackPolicy` lets the pack go.
    private func setAsideIfOthersWereAcknowledged(_ pack: PackInFlight, _ othersAcknowledged: Int, _ lost: any Error) throws {
        guard othersAcknowledged > 0 else { throw lost }
        try setAsideIfRefusedLongEnough(pack, UplinkError.notAcknowledged(after: acknowledgementTimeout,
                                                                          othersAcknowledged: othersAcknowledged))
    }

    /// Throws the refusal (the pack is sent again) until `refusedPackPolicy` lets the pack go.
    private func setAsideIfRefusedLongEnough(_ pack: PackInFlight, _ refusal: any Error) throws {
        let count = (refusals?.count ?? 0) + 1
        let since = refusals?.since ?? .now
        refusals = (count, since)
        guard count >= refusedPackPolicy.minimumAttempts, .now - since >= refusedPackPolicy.minimumDuration else {
            throw refusal
        }
        refusals = nil
        stats.packsSetAsideAfterRefusals += 1
        let devices = Set(pack.devices).sorted().prefix(10).joined(separator: ", ")
        logger.error("ThingsBoard refused part of a pack \(count) times over \(since.duration(to: .now)); its accepted messages were delivered, the refused ones are lost and delivery goes on",
                     metadata: ["refusal": "\(refusal)", "events": "\(pack.pack.events.count)", "devices": "\(devices)"])
    }

    /// Decodes a pack, announces its new devices, builds its messages and hands them to the
    /// connection.
    private func publish(_ pack: EventPack) async throws -> PackInFlight {
        var batch: [UplinkEvent] = []
        batch.reserveCapacity(pack.events.count)
        let timestamp = now()
        for event in pack.events {
            do {
                batch.append(try event.uplinkEvent(now: timestamp))
            } catch {
                // Corrupt data cannot be delivered; it is counted and logged, the rest goes on.
                stats.unreadableEvents += 1
                logger.error("skipping an unreadable stored event", metadata: ["error": "\(error)"])
            }
        }
        let limits = await client.limits
        let builder = GatewayPayloadBuilder(maxPayloadBytes: limits.maxPayloadBytes,
                                            maxDatapointsPerMessage: Self.maxDatapoints(limits),
                                            maxDevicesPerMessage: oneDevicePerMessage ? 1 : Self.maxDevices(limits))
        // The gateway's own data (published to v1/devices/me/*) is not a device to announce.
        var devices: [(name: String, type: String)] = []
        var seen = builder.selfDeviceNames
        for data in batch where seen.insert(data.deviceName).inserted {
            devices.append((data.deviceName, data.deviceType))
        }
        try await client.announce(devices)

        let started = ContinuousClock.now
        let acknowledgedBefore = client.publishesAcknowledged
        var regular = batch
        var refused: [UplinkEvent] = []
        if !refusedDevices.isEmpty {
            let now = ContinuousClock.now
            (regular, refused) = batch.reduce(into: ([UplinkEvent](), [UplinkEvent]())) { parts, event in
                if refusedDevices.contains(event.deviceName, now: now) { parts.1.append(event) } else { parts.0.append(event) }
            }
        }
        // The other devices' data first: it takes the in-flight window before the apart part,
        // whose messages ThingsBoard may never answer.
        let publishing = try await client.startPublishing(builder.messages(for: regular))
        var apart: ApartPart?
        if !refused.isEmpty {
            var single = builder
            single.maxDevicesPerMessage = 1
            let events = refused.reduce(into: [String: Int]()) { $0[$1.deviceName, default: 0] += 1 }
            apart = ApartPart(publishing: try await client.startPublishing(single.messages(for: refused), separately: true),
                              events: events)
        }
        nextPackID += 1
        return PackInFlight(id: nextPackID, pack: pack, publishing: publishing, apart: apart,
                            datapoints: batch.reduce(0) { $0 + $1.datapointCount }, started: started,
                            devices: devices.map(\.name), acknowledgedBefore: acknowledgedBefore)
    }

    /// A message never carries more devices than the smallest telemetry-message window of the
    /// devices' limits allows (ThingsBoard counts each device of a message as one message).
    static func maxDevices(_ limits: SessionLimits) -> Int {
        limits.devices.telemetryMessages.windows.map(\.count).min() ?? .max
    }

    /// A message never carries more datapoints than the smallest datapoint window allows, so it
    /// can always pass the rate limiter.
    static func maxDatapoints(_ limits: SessionLimits) -> Int {
        let windows = limits.gateway.telemetryDatapoints.windows + limits.devices.telemetryDatapoints.windows
        return windows.map(\.count).min() ?? .max
    }
}

/// A pack handed to the connection, waiting for its acknowledgements.
private struct PackInFlight: Sendable {
    var id: Int
    var pack: EventPack
    var publishing: PublishedMessages
    /// The data of remembered refused devices, sent apart.
    var apart: ApartPart?
    var datapoints: Int
    var started: ContinuousClock.Instant
    var devices: [String]
    /// `ThingsBoardClient.publishesAcknowledged` before the pack was handed over.
    var acknowledgedBefore: Int
}

/// Data of devices ThingsBoard refused before, one device per message, and the events per device.
private struct ApartPart: Sendable {
    var publishing: PublishedMessages
    var events: [String: Int]
}

private struct OldestPack: Sendable {
    var id: Int
    var acknowledgedBefore: Int
    var events: Int
    var devices: [String]
}

enum UplinkError: Error, CustomStringConvertible {
    case notAcknowledged(after: Duration, othersAcknowledged: Int)

    var description: String {
        switch self {
        case .notAcknowledged(let timeout, let others):
            "ThingsBoard did not acknowledge a pack within \(timeout)"
                + (others > 0 ? " while it acknowledged \(others) other messages" : ", nor anything else meanwhile")
        }
    }
}
