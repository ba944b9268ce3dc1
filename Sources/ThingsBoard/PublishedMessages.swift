import MQTT
import NIOCore
import Synchronization

/// Messages `ThingsBoardClient.startPublishing` handed to the connection: `acknowledged()` waits
/// until the broker acknowledged every one of them.
public struct PublishedMessages: Sendable {
    let client: ThingsBoardClient
    public let messages: [GatewayMessage]
    /// One per run of messages handed over together, in message order.
    let parts: [MQTTPublishing]

    /// What became of one message.
    public enum Answer: Sendable {
        case acknowledged
        /// The broker answered with an error reason code.
        case refused(ThingsBoardError)
        /// No answer: the connection was lost first, or the client refused to send it.
        case lost(any Error)
        /// Never sent: the connection went away while it waited for a slot of the window.
        case unsent(any Error)
        /// No answer within the wait of `answers(within:)`; the message was abandoned.
        case withheld
    }

    /// Returns once every message was acknowledged (QoS 1) or written (QoS 0). Throws once every
    /// message has completed when any of them failed: the connection was lost, or the server
    /// rejected it (ThingsBoard's rate-limit answer, QUOTA_EXCEEDED then a closed session, also exhausts the client's token buckets).
    public func acknowledged() async throws {
        let outcomes = await outcomes()
        await record(outcomes)
        if let error = firstError(outcomes) { throw error }
    }

    /// Each message's answer, in order, recorded as `acknowledged()` records them. Waits for every
    /// answer, or (`timeout` not nil) that long after the message was sent: messages sent and still
    /// unanswered then are abandoned (`MQTTClient.abandon`: they no longer hold the connection's
    /// in-flight window) and come back `.withheld`; those that were waiting for a slot of the window
    /// go out in the freed slots and get the same wait. ThingsBoard before 4.2.1 never
    /// acknowledges the data of a device it cannot create while it acknowledges everything else.
    public func answers(within timeout: Duration?) async -> [Answer] {
        if let timeout {
            while await !settled(within: timeout) { client.abandon(parts, sentAgo: timeout) }
        }
        let outcomes = await outcomes()
        await record(outcomes)
        return zip(messages, outcomes).map { message, outcome in
            switch outcome {
            case .success(let result) where result.isSuccess: .acknowledged
            case .success(let result): .refused(.publishRejected(topic: message.topic, reasonCode: result.reasonCode.rawValue))
            case .failure(MQTTError.abandoned): .withheld
            case .failure(let error as MQTTError) where error == .notConnected: .unsent(error)
            case .failure(let error): .lost(error)
            }
        }
    }

    /// After `acknowledged()` threw (a refusal, or the watchdog's restart): the messages
    /// ThingsBoard refused (answered with an error reason code), for telling which devices it does
    /// not accept (`answeredPast`: it acknowledged a message sent after it, so the refusal was not
    /// for everything from there on, as a rate limit's is), and those it left unanswered until the
    /// connection was lost although it acknowledged a message sent after them: it got them and
    /// answered past them. (Not those still waiting for a slot of the window then, which
    /// it never saw, nor the unanswered tail of a ThingsBoard that simply stopped answering.)
    public func refusals() async
        -> (refused: [(message: GatewayMessage, refusal: ThingsBoardError, answeredPast: Bool)], unanswered: [GatewayMessage])
    {
        let outcomes = await outcomes()
        let lastAcknowledged = outcomes.lastIndex { outcome in
            if case .success(let result) = outcome { result.isSuccess } else { false }
        } ?? -1
        var refused: [(message: GatewayMessage, refusal: ThingsBoardError, answeredPast: Bool)] = []
        var unanswered: [GatewayMessage] = []
        for (index, (message, outcome)) in zip(messages, outcomes).enumerated() {
            switch outcome {
            case .success(let result) where !result.isSuccess:
                refused.append((message, .publishRejected(topic: message.topic, reasonCode: result.reasonCode.rawValue),
                                index < lastAcknowledged))
            case .failure(MQTTError.connectionLost) where index < lastAcknowledged: unanswered.append(message)
            case .success, .failure: break
            }
        }
        return (refused, unanswered)
    }

    /// `acknowledged()`, giving up the wait after `timeout`: false when some message was neither
    /// acknowledged nor failed by then; it is abandoned (see `answers(within:)`), and so are those
    /// still waiting for a slot of the window, which are never sent. ThingsBoard
    /// withholds the PUBACK of a `v1/gateway/connect` for a device it cannot create (the
    /// tenant's device limit), so an unbounded wait there would stop all delivery.
    public func acknowledged(within timeout: Duration) async throws -> Bool {
        guard await settled(within: timeout) else {
            client.abandon(parts, includingQueued: true)
            return false
        }
        try await acknowledged()
        return true
    }

    /// Stops waiting for the messages still unanswered, and never sends those still waiting for a
    /// slot of the window (see `answers(within:)`): for messages sent again anyway (their pack is
    /// rewound), so they neither hold the window nor go out twice.
    public func abandon() { client.abandon(parts, includingQueued: true) }

    /// Every message's outcome, in order, once all completed. (A part's future never fails; if
    /// one did, its messages and those after it would count as lost.)
    private func outcomes() async -> [Result<MQTTPublishResult, any Error>] {
        var outcomes: [Result<MQTTPublishResult, any Error>] = []
        outcomes.reserveCapacity(messages.count)
        for part in parts {
            do {
                outcomes += try await part.outcomes.get()
            } catch {
                outcomes += Array(repeating: .failure(error), count: max(0, messages.count - outcomes.count))
                break
            }
        }
        return outcomes
    }

    /// Whether every message completed within `timeout`.
    private func settled(within timeout: Duration) async -> Bool {
        guard let loop = parts.first?.outcomes.eventLoop else { return true }
        let all = EventLoopFuture.whenAllComplete(parts.map(\.outcomes), on: loop)
        let (seconds, attoseconds) = timeout.components
        return await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            let resumed = Mutex(false)
            let finish: @Sendable (Bool) -> Void = { settled in
                let first = resumed.withLock { done in
                    defer { done = true }
                    return !done
                }
                if first { continuation.resume(returning: settled) }
            }
            let timer = loop.scheduleTask(in: .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)) {
                finish(false)
            }
            all.whenComplete { _ in
                timer.cancel()
                finish(true)
            }
        }
    }

    private func record(_ outcomes: [Result<MQTTPublishResult, any Error>]) async {
        var published: [GatewayMessage] = []
        published.reserveCapacity(messages.count)
        var errors = 0
        var rejectionCodes: [UInt8] = []
        for (message, outcome) in zip(messages, outcomes) {
            switch outcome {
            case .success(let result) where result.isSuccess: published.append(message)
            case .success(let result): rejectionCodes.append(result.reasonCode.rawValue)
            case .failure: errors += 1
            }
        }
        await client.recordOutcome(published: published, errors: errors, rejectionCodes: rejectionCodes)
    }

    private func firstError(_ outcomes: [Result<MQTTPublishResult, any Error>]) -> (any Error)? {
        for (message, outcome) in zip(messages, outcomes) {
            switch outcome {
            case .success(let result) where !result.isSuccess:
                return ThingsBoardError.publishRejected(topic: message.topic, reasonCode: result.reasonCode.rawValue)
            case .failure(let error): return error
            case .success: continue
            }
        }
        return nil
    }
}
