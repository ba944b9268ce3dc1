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
    }

    private let storage: any EventStorage
    private let client: ThingsBoardClient
    private let logger: Logger
    private let packSize: Int
    private let now: @Sendable () -> Int64
    private var stats = Statistics()

    public init(storage: any EventStorage, client: ThingsBoardClient, logger: Logger, packSize: Int = 1000,
                now: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) }) {
        self.storage = storage
        self.client = client
        self.logger = logger
        self.packSize = max(1, packSize)
        self.now = now
    }

    public func statistics() -> Statistics { stats }

    public func run() async {
        var failuresInARow = 0
        while !Task.isCancelled {
            do {
                try await client.waitUntilReady()
                guard let pack = try await storage.nextPack(maxEvents: packSize) else {
                    await storage.waitForEvents()
                    continue
                }
                try await deliver(pack)
                try await storage.acknowledge(pack)
                failuresInARow = 0
            } catch is CancellationError {
                break
            } catch {
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

    private func deliver(_ pack: EventPack) async throws {
        var batch: [ConvertedData] = []
        batch.reserveCapacity(pack.events.count)
        let timestamp = now()
        for event in pack.events {
            do {
                batch.append(try event.decode(now: timestamp))
            } catch {
                // Corrupt data cannot be delivered; it is counted and logged, the rest goes on.
                stats.unreadableEvents += 1
                logger.error("skipping an unreadable stored event", metadata: ["error": "\(error)"])
            }
        }
        var devices: [(name: String, type: String)] = []
        var seen: Set<String> = []
        for data in batch where seen.insert(data.deviceName).inserted {
            devices.append((data.deviceName, data.deviceType))
        }
        try await client.announce(devices)

        let limits = await client.limits
        let builder = GatewayPayloadBuilder(maxPayloadBytes: limits.maxPayloadBytes,
                                            maxDatapointsPerMessage: Self.maxDatapoints(limits))
        let messages = builder.messages(for: batch)
        let window = max(1, limits.maxInflightMessages)
        let client = self.client
        try await withThrowingTaskGroup(of: Void.self) { group in
            var inFlight = 0
            for message in messages {
                if inFlight >= window {
                    try await group.next()
                    inFlight -= 1
                }
                group.addTask { try await client.publish(message) }
                inFlight += 1
            }
            try await group.waitForAll()
        }
        stats.eventsDelivered += Int64(pack.events.count)
        stats.datapointsDelivered += Int64(batch.reduce(0) { $0 + $1.datapointCount })
    }

    /// A message never carries more datapoints than the smallest datapoint window allows, so it
    /// can always pass the rate limiter.
    static func maxDatapoints(_ limits: SessionLimits) -> Int {
        let windows = limits.gateway.telemetryDatapoints.windows + limits.devices.telemetryDatapoints.windows
        return windows.map(\.count).min() ?? .max
    }
}
