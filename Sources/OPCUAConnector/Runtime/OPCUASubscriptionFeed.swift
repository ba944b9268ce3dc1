import DequeModule
import GatewayKit
import Logging
import OPCUA
import Synchronization

/// Subscription mode (`enableSubscriptions`): one subscription for the connector whose
/// monitored items follow the mapping, and a feed that turns the server's data changes into
/// ConvertedData in batches (collected for `subDataMinBatchCreationTimeMs`, at most
/// `subDataMaxBatchSize` changes each). The client re-creates the subscription and its items
/// after a reconnect with the same handles, so the feed keeps mapping across server restarts.
final class OPCUASubscriptionFeed: Sendable {
    let settings: OPCUAServerSettings
    let monitored = OPCUAMonitoredNodes()
    /// The connector's subscription, once created (the client keeps its id across reconnects).
    let subscription = Mutex<OPCUASubscriptionID?>(nil)
    let sink: OPCUADataSink
    let logger: Logger

    init(settings: OPCUAServerSettings, sink: OPCUADataSink, logger: Logger) {
        self.settings = settings
        self.sink = sink
        self.logger = logger
    }

    /// Makes the server monitor exactly the nodes of `snapshot`.
    func sync(_ snapshot: OPCUAMappingSnapshot, client: OPCUAClient) async throws {
        let id: OPCUASubscriptionID
        if let existing = subscription.withLock({ $0 }) {
            id = existing
        } else {
            id = try await client.createSubscription(parameters)
            subscription.withLock { $0 = id }
            monitored.reset()
        }
        let (add, remove) = monitored.plan(for: snapshot.nodes)
        if !remove.isEmpty {
            try await client.stopMonitoring(clientHandles: remove, in: id)
            monitored.committed(added: [], removed: remove)
        }
        guard !add.isEmpty else { return }
        var refused = 0
        let batchSize = max(1, settings.subscriptionProcessBatchSize)
        for start in stride(from: 0, to: add.count, by: batchSize) {
            let batch = Array(add[start..<min(start + batchSize, add.count)])
            let results = try await client.monitor(batch, in: id)
            monitored.committed(added: batch.map(\.clientHandle), removed: [])
            for result in results where !result.status.isGood {
                refused += 1
                if let node = monitored.node(forHandle: result.clientHandle) {
                    // One bad node never stops the others; its datapoint reports the error.
                    logger.warning("OPC-UA server refused to monitor a node",
                                   metadata: ["node": "\(node)", "status": "\(result.status)"])
                    let error = DataValue(status: result.status)
                    await sink.deliver([OPCUAMappingSnapshot.NodeValue(node: node, value: error,
                                                                        receivedAt: WallClock.milliseconds())])
                }
            }
        }
        logger.info("OPC-UA nodes monitored", metadata: ["added": "\(add.count)", "refused": "\(refused)",
                                                         "removed": "\(remove.count)"])
    }

    /// The subscription asked of the server: publishing every `subCheckPeriodInMillis`, a
    /// keep-alive about every 5 s, and a lifetime of six keep-alives.
    var parameters: OPCUASubscriptionParameters {
        let interval = max(settings.subscriptionPublishingInterval, .milliseconds(1))
        let keepAlive = UInt32(min(max(1, (Duration.seconds(5) / interval).rounded()), 10_000))
        return OPCUASubscriptionParameters(publishingInterval: interval, lifetimeCount: keepAlive * 6,
                                           maxKeepAliveCount: keepAlive)
    }

    /// Runs until cancelled (or the client's stream ends): reads data changes and sends batches.
    func consume(_ changes: AsyncStream<[OPCUADataChange]>) async {
        let buffer = OPCUAChangeBuffer(capacity: max(settings.subscriptionDataMaxBatchSize * 100, 100_000))
        let settings = self.settings, monitored = self.monitored, sink = self.sink, logger = self.logger
        await withDiscardingTaskGroup { group in
            group.addTask {
                for await batch in changes {
                    buffer.append(contentsOf: batch, receivedAt: WallClock.milliseconds())
                }
                buffer.finish()
            }
            group.addTask {
                for await _ in buffer.signals {
                    // Let a burst of changes gather into one batch per device.
                    try? await Task.sleep(for: settings.subscriptionBatchCollectionTime)
                    while true {
                        let batch = buffer.take(max: settings.subscriptionDataMaxBatchSize)
                        if batch.isEmpty { break }
                        let values = batch.compactMap { item -> OPCUAMappingSnapshot.NodeValue? in
                            guard let node = monitored.node(forHandle: item.change.clientHandle) else { return nil }
                            return OPCUAMappingSnapshot.NodeValue(node: node, value: item.change.value,
                                                                  receivedAt: item.receivedAt)
                        }
                        await sink.deliver(values)
                    }
                    if buffer.dropped > 0 {
                        logger.warning("OPC-UA data changes dropped: the gateway fell behind",
                                       metadata: ["dropped": "\(buffer.takeDropped())"])
                    }
                }
            }
        }
    }
}

/// Data changes waiting to be converted. Bounded: when full the oldest are dropped (fresh values
/// matter more than stale ones) and counted. A signal stream wakes the converter; signals
/// coalesce, so a burst costs one wake-up, and a notification message is appended at once.
final class OPCUAChangeBuffer: Sendable {
    struct Item: Sendable {
        var change: OPCUADataChange
        var receivedAt: Int64
    }

    private struct State {
        var items = Deque<Item>()
        var dropped = 0
    }

    private let state = Mutex(State())
    private let capacity: Int
    let signals: AsyncStream<Void>
    private let signal: AsyncStream<Void>.Continuation

    init(capacity: Int) {
        self.capacity = capacity
        (signals, signal) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    func append(contentsOf changes: [OPCUADataChange], receivedAt: Int64) {
        guard !changes.isEmpty else { return }
        state.withLock { state in
            state.items.append(contentsOf: changes.lazy.map { Item(change: $0, receivedAt: receivedAt) })
            let excess = state.items.count - capacity
            if excess > 0 {
                state.items.removeFirst(excess)
                state.dropped += excess
            }
        }
        signal.yield()
    }

    func take(max count: Int) -> [Item] {
        state.withLock { state in
            let taken = min(count, state.items.count)
            let batch = Array(state.items.prefix(taken))
            state.items.removeFirst(taken)
            return batch
        }
    }

    var dropped: Int { state.withLock { $0.dropped } }

    func takeDropped() -> Int {
        state.withLock { state in
            defer { state.dropped = 0 }
            return state.dropped
        }
    }

    func finish() { signal.finish() }
}
