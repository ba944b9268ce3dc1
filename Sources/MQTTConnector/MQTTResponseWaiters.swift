import GatewayKit
import MQTT
import Synchronization

/// Two-way RPCs waiting for their device's answer. The client's message stream has one consumer
/// (the connector's message loop); it offers every message here first, and the oldest waiter
/// whose response topic matches takes it. Waiting never blocks that loop: a waiter is a
/// one-element stream its RPC task awaits (with its timeout).
///
/// Bounded: a waiter lives only as long as its RPC, which ThingsBoard's timeout limits.
final class MQTTResponseWaiters: Sendable {
    struct Waiter: Sendable {
        let id: UInt64
        let filter: MQTTTopicFilter
        let continuation: AsyncStream<MQTTMessage>.Continuation
    }

    private struct State {
        var nextID: UInt64 = 0
        var waiters: [Waiter] = []
    }

    private let state = Mutex(State())

    init() {}

    /// Registers a waiter; the stream yields the first matching message, then ends.
    func register(_ filter: MQTTTopicFilter) -> (id: UInt64, answer: AsyncStream<MQTTMessage>) {
        let (stream, continuation) = AsyncStream.makeStream(of: MQTTMessage.self, bufferingPolicy: .bufferingNewest(1))
        let id = state.withLock { state in
            state.nextID += 1
            state.waiters.append(Waiter(id: state.nextID, filter: filter, continuation: continuation))
            return state.nextID
        }
        return (id, stream)
    }

    /// Hands `message` to the oldest matching waiter; false when nobody waits for it.
    func deliver(_ message: MQTTMessage) -> Bool {
        let taken: Waiter? = state.withLock { state in
            guard !state.waiters.isEmpty else { return nil }
            guard let index = state.waiters.firstIndex(where: { $0.filter.matches(message.topic) }) else { return nil }
            return state.waiters.remove(at: index)
        }
        guard let taken else { return false }
        taken.continuation.yield(message)
        taken.continuation.finish()
        return true
    }

    /// Forgets a waiter (answered, timed out or cancelled). Returns true when no other waiter
    /// uses the same filter, i.e. it may be unsubscribed.
    @discardableResult
    func release(_ id: UInt64, filter: MQTTTopicFilter) -> Bool {
        let (removed, lastUser): (Waiter?, Bool) = state.withLock { state in
            let removed = state.waiters.firstIndex(where: { $0.id == id }).map { state.waiters.remove(at: $0) }
            return (removed, !state.waiters.contains { $0.filter.filter == filter.filter })
        }
        removed?.continuation.finish()
        return lastUser
    }

    /// Filters of pending waiters, to subscribe again after a reconnect.
    var filters: [String] {
        state.withLock { state in
            var seen = Set<String>()
            return state.waiters.compactMap { seen.insert($0.filter.filter).inserted ? $0.filter.filter : nil }
        }
    }

    var count: Int { state.withLock { $0.waiters.count } }

    /// The first message of `answer`, or nil after `timeout` (or when cancelled).
    static func first(of answer: AsyncStream<MQTTMessage>, within timeout: Duration) async -> MQTTMessage? {
        await withTimeout(timeout) { () -> MQTTMessage? in
            for await message in answer { return message }
            return nil
        } ?? nil
    }
}
