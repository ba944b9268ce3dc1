import MQTT
import NIOCore
import Synchronization

/// Counters shared by every publisher of one `mqtt-load` run. Atomics, because closed-loop workers
/// on several threads bump them per message; nothing else is shared.
final class MQTTLoadCounters: Sendable {
    /// Next global message index to hand out (closed loop).
    let nextIndex = Atomic<Int>(0)
    /// Publishes the client reported complete and successful (QoS 1: PUBACK received).
    let acknowledged = Atomic<Int>(0)
    /// Publishes handed to a client and not yet completed (open loop's window).
    let outstanding = Atomic<Int>(0)
    let failures = Atomic<Int>(0)
    /// Set by the first publisher that hits the hard stop or an error: the others stop too.
    let stop = Atomic<Bool>(false)
    private let firstErrorText = Mutex<String?>(nil)

    func recordFailure(_ error: any Error) {
        failures.wrappingAdd(1, ordering: .relaxed)
        firstErrorText.withLock { if $0 == nil { $0 = "\(error)" } }
        stop.store(true, ordering: .relaxed)
    }

    var firstError: String? { firstErrorText.withLock { $0 } }
}

/// What one publisher did.
struct MQTTLoadPublisherResult: Sendable {
    var sent = 0
    var lastPublishMicroseconds: Int64 = 0
    var records = MQTTLoadSendRecords()
}

/// Settings every publisher needs.
struct MQTTLoadPlan: Sendable {
    let total: Int
    let messages: MQTTLoadMessages
    let clients: [MQTTClient]
    /// executors[i] runs on the event loop of clients[i] (publishers run where their client lives);
    /// nil: publishers run on Swift's global executor.
    let executors: [MQTTLoadLoopExecutor]?
    let hardStop: NIODeadline
    let logSends: Bool
}

/// Closed loop: `workers` tasks per connection, each publishing the next unclaimed message and
/// awaiting its completion (QoS 0: written to the socket, QoS 1: PUBACK). The number of workers is
/// the window of unfinished publishes; a client's event loop writes whatever its workers handed it
/// in one tick and flushes once, so the socket sees large writes without any per-message syscall.
enum MQTTLoadClosedLoop {
    static func run(_ plan: MQTTLoadPlan, window: Int, counters: MQTTLoadCounters) async -> [MQTTLoadPublisherResult] {
        await withTaskGroup(of: MQTTLoadPublisherResult.self) { group in
            for worker in 0..<window {
                let connection = worker % plan.clients.count
                let client = plan.clients[connection]
                group.addTask(executorPreference: plan.executors?[connection]) {
                    await work(plan, client: client, counters: counters, expected: plan.total / window + 1)
                }
            }
            var results: [MQTTLoadPublisherResult] = []
            for await result in group { results.append(result) }
            return results
        }
    }

    private static func work(_ plan: MQTTLoadPlan, client: MQTTClient, counters: MQTTLoadCounters,
                             expected: Int) async -> MQTTLoadPublisherResult {
        var result = MQTTLoadPublisherResult()
        if plan.logSends { result.records = MQTTLoadSendRecords(reserving: expected) }
        let qos1 = plan.messages.qos != .atMostOnce
        while !counters.stop.load(ordering: .relaxed) {
            let index = counters.nextIndex.wrappingAdd(1, ordering: .relaxed).oldValue
            guard index < plan.total else { break }
            // The clock is read once per 64 messages only for the hard stop (always when logging).
            if result.sent & 63 == 0, NIODeadline.now() > plan.hardStop {
                counters.stop.store(true, ordering: .relaxed)
                break
            }
            let message = plan.messages.message(index)
            let microseconds = wallClockMicroseconds()
            if plan.logSends { result.records.append(sequence: plan.messages.sequenceNumber(index), microseconds: microseconds) }
            result.sent += 1
            result.lastPublishMicroseconds = microseconds
            do {
                let outcome = try await client.publish(message)
                if qos1 && outcome.isSuccess { counters.acknowledged.wrappingAdd(1, ordering: .relaxed) }
            } catch {
                counters.recordFailure(error)
                break
            }
        }
        return result
    }
}

/// Open loop: one pacer keeps cumulative sent == rate × elapsed. It sleeps on an event-loop timer
/// until the next message's slot (k / rate after the start), then hands every message that is due
/// to its own child task, so a slow acknowledgement never delays the next slot; when it woke late
/// it sends the backlog at once (batching when behind). At most `window` publishes are unfinished;
/// beyond that it waits 1 ms and catches up, like loadgen.py.
enum MQTTLoadOpenLoop {
    static func run(_ plan: MQTTLoadPlan, rate: Double, window: Int, timerLoop: any EventLoop,
                    counters: MQTTLoadCounters) async -> MQTTLoadPublisherResult {
        var result = MQTTLoadPublisherResult()
        if plan.logSends { result.records = MQTTLoadSendRecords(reserving: plan.total) }
        let qos1 = plan.messages.qos != .atMostOnce
        let start = NIODeadline.now()
        await withDiscardingTaskGroup { group in
            while result.sent < plan.total, !counters.stop.load(ordering: .relaxed) {
                let now = NIODeadline.now()
                if now > plan.hardStop { break }
                let elapsed = Double((now - start).nanoseconds) / 1e9
                let due = min(plan.total, Int(elapsed * rate) + 1)
                var blocked = false
                while result.sent < due {
                    if counters.outstanding.load(ordering: .relaxed) >= window {
                        blocked = true
                        break
                    }
                    let index = result.sent
                    let microseconds = wallClockMicroseconds()
                    if plan.logSends {
                        result.records.append(sequence: plan.messages.sequenceNumber(index), microseconds: microseconds)
                    }
                    result.sent += 1
                    result.lastPublishMicroseconds = microseconds
                    counters.outstanding.wrappingAdd(1, ordering: .relaxed)
                    let connection = index % plan.clients.count
                    let client = plan.clients[connection]
                    let messages = plan.messages
                    group.addTask(executorPreference: plan.executors?[connection]) {
                        do {
                            let outcome = try await client.publish(messages.message(index))
                            if qos1 && outcome.isSuccess { counters.acknowledged.wrappingAdd(1, ordering: .relaxed) }
                        } catch {
                            counters.recordFailure(error)
                        }
                        counters.outstanding.wrappingSubtract(1, ordering: .relaxed)
                    }
                }
                guard result.sent < plan.total else { break }
                let nextSlot = start + .nanoseconds(Int64((Double(result.sent) / rate * 1e9).rounded(.up)))
                let wake = blocked ? NIODeadline.now() + .milliseconds(1) : nextSlot
                do {
                    try await timerLoop.scheduleTask(deadline: min(wake, plan.hardStop)) {}.futureResult.get()
                } catch {
                    break  // the event loop shut down: nothing more can be published
                }
            }
            // Leaving the group awaits every child: all publishes are written (QoS 0) or acknowledged.
        }
        return result
    }
}
