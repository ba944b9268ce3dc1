import NIOCore

/// Who learns how one outbound publish ended: a caller of `publish` waiting on its continuation,
/// or a batch of `publishAll` (one wake-up of the caller for the whole batch instead of one per
/// message). Lives in the client core, on its event loop.
enum MQTTPublishCompletion {
    case caller(CheckedContinuation<MQTTPublishResult, any Error>)
    case batch(MQTTPublishBatch, index: Int)

    func succeed(_ result: MQTTPublishResult) {
        switch self {
        case .caller(let continuation): continuation.resume(returning: result)
        case .batch(let batch, let index): batch.complete(index, with: .success(result))
        }
    }

    func fail(_ error: any Error) {
        switch self {
        case .caller(let continuation): continuation.resume(throwing: error)
        case .batch(let batch, let index): batch.complete(index, with: .failure(error))
        }
    }

    /// The `publishAll` call this publish belongs to (see `MQTTClient.abandon`).
    var batchID: Int? {
        if case .batch(let batch, _) = self { batch.id } else { nil }
    }
}

/// The publishes of one `publishAll` call. Its promise is fulfilled once every message completed,
/// with each one's outcome in order: the caller sees every failure, and no message of the batch
/// is still pending when it hears of one.
///
/// Not `Sendable`: created, stored and completed only on the client core's event loop.
final class MQTTPublishBatch {
    let id: Int
    private var outcomes: [Result<MQTTPublishResult, any Error>]
    private var remaining: Int
    private let promise: EventLoopPromise<[Result<MQTTPublishResult, any Error>]>

    init(id: Int, count: Int, promise: EventLoopPromise<[Result<MQTTPublishResult, any Error>]>) {
        self.id = id
        outcomes = Array(repeating: .failure(MQTTError.connectionLost), count: count)
        remaining = count
        self.promise = promise
        if count == 0 { promise.succeed([]) }
    }

    func complete(_ index: Int, with outcome: Result<MQTTPublishResult, any Error>) {
        outcomes[index] = outcome
        remaining -= 1
        if remaining == 0 { promise.succeed(outcomes) }
    }
}

/// The publishes of one `MQTTClient.publishAll` call: each one's outcome, in order, once all have
/// completed; `MQTTClient.abandon` stops waiting for those still unanswered.
public struct MQTTPublishing: Sendable {
    public let outcomes: EventLoopFuture<[Result<MQTTPublishResult, any Error>]>
    let batch: Int
}
