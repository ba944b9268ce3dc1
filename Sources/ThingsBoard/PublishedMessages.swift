import MQTT
import NIOCore
import Synchronization

/// Messages `ThingsBoardClient.startPublishing` handed to the connection: `acknowledged()` waits
/// until the broker acknowledged every one of them.
public struct PublishedMessages: Sendable {
    let client: ThingsBoardClient
    let messages: [GatewayMessage]
    /// One future per run of messages handed over together, in message order.
    let parts: [EventLoopFuture<[Result<MQTTPublishResult, any Error>]>]

    /// Returns once every message was acknowledged (QoS 1) or written (QoS 0). Throws once every
    /// message has completed when any of them failed: the connection was lost, or the server
    /// rejected it (ThingsBoard's rate-limit answer, QUOTA_EXCEEDED then a closed session, also exhausts the client's token buckets).
    public func acknowledged() async throws {
        var outcomes: [Result<MQTTPublishResult, any Error>] = []
        outcomes.reserveCapacity(messages.count)
        for part in parts { outcomes += try await part.get() }
        var firstError: (any Error)?
        var published: [GatewayMessage] = []
        published.reserveCapacity(messages.count)
        var errors = 0
        var rejectionCodes: [UInt8] = []
        for (message, outcome) in zip(messages, outcomes) {
            switch outcome {
            case .success(let result) where result.isSuccess:
                published.append(message)
            case .success(let result):
                rejectionCodes.append(result.reasonCode.rawValue)
                firstError = firstError ?? ThingsBoardError.publishRejected(topic: message.topic,
                                                                          reasonCode: result.reasonCode.rawValue)
            case .failure(let error):
                errors += 1
                firstError = firstError ?? error
            }
        }
        await client.recordOutcome(published: published, errors: errors, rejectionCodes: rejectionCodes)
        if let firstError { throw firstError }
    }

    /// After `acknowledged()` threw: the messages ThingsBoard refused (answered with an error
    /// reason code), for telling which devices it does not accept, and how many got no answer
    /// at all (the connection was lost first).
    public func refusals() async -> (refused: [GatewayMessage], unanswered: Int) {
        var refused: [GatewayMessage] = []
        var unanswered = 0
        var index = 0
        for part in parts {
            guard let outcomes = try? await part.get() else { return (refused, messages.count - index) }
            for outcome in outcomes {
                switch outcome {
                case .success(let result) where !result.isSuccess:
                    if index < messages.count { refused.append(messages[index]) }
                case .success: break
                case .failure: unanswered += 1
                }
                index += 1
            }
        }
        return (refused, unanswered)
    }

    /// `acknowledged()`, giving up the wait after `timeout`: false when some message was neither
    /// acknowledged nor failed by then (it stays in flight on the connection). ThingsBoard
    /// withholds the PUBACK of a `v1/gateway/connect` for a device it cannot create (the
    /// tenant's device limit), so an unbounded wait there would stop all delivery.
    public func acknowledged(within timeout: Duration) async throws -> Bool {
        guard let loop = parts.first?.eventLoop else { return true }
        let all = EventLoopFuture.whenAllComplete(parts, on: loop)
        let (seconds, attoseconds) = timeout.components
        let settled = await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
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
        guard settled else { return false }
        try await acknowledged()
        return true
    }
}
