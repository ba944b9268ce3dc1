import MQTT
import NIOCore

/// Messages `ThingsBoardClient.startPublishing` handed to the connection: `acknowledged()` waits
/// until the broker acknowledged every one of them.
public struct PublishedMessages: Sendable {
    let client: ThingsBoardClient
    let messages: [GatewayMessage]
    /// One future per run of messages handed over together, in message order.
    let parts: [EventLoopFuture<[Result<MQTTPublishResult, any Error>]>]

    /// Returns once every message was acknowledged (QoS 1) or written (QoS 0). Throws once every
    /// message has completed when any of them failed: the connection was lost, or the server
    /// rejected it (ThingsBoard's rate-limit answer also exhausts the client's token buckets).
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
}
