import NIOCore
import Synchronization

/// Who learns how one outbound publish ended: a caller of `publish` waiting on its continuation,
/// or a batch of `publishAll` (one wake-up of the caller for the whole batch instead of one per
/// message). Lives in the client core, on its event loop.
enum MQTTPublishCompletion {
    case caller(CheckedContinuation<MQTTPublishResult, any Error>, MQTTPublishCancellation)
    case batch(MQTTPublishBatch, index: Int)
    /// The caller stopped waiting (its task was cancelled) once the message was on the wire: the
    /// exchange goes on (PUBACK or PUBCOMP frees the slot, a reconnect re-sends it) unheard.
    case discarded

    func succeed(_ result: MQTTPublishResult) {
        switch self {
        case .caller(let continuation, _): continuation.resume(returning: result)
        case .batch(let batch, let index): batch.complete(index, with: .success(result))
        case .discarded: break
        }
    }

    func fail(_ error: any Error) {
        switch self {
        case .caller(let continuation, _): continuation.resume(throwing: error)
        case .batch(let batch, let index): batch.complete(index, with: .failure(error))
        case .discarded: break
        }
    }

    /// The `publishAll` call this publish belongs to (see `MQTTClient.abandon`).
    var batchID: Int? {
        if case .batch(let batch, _) = self { batch.id } else { nil }
    }

    /// Whether this is the `publish` call that `cancellation` belongs to.
    func isCall(of cancellation: MQTTPublishCancellation) -> Bool {
        if case .caller(_, let own) = self { own === cancellation } else { false }
    }

    /// A caller whose task was cancelled before its publish reached the client core.
    var callerCancelled: Bool {
        if case .caller(_, let cancellation) = self { cancellation.isCancelled } else { false }
    }
}

/// Lets the task of a `publish` call stop waiting when it is cancelled. The flag covers a
/// cancellation that comes before the publish reaches the event loop (it is then never sent);
/// after that, the core finds the call by this object's identity (`MQTTClientCore.cancelPublish`).
final class MQTTPublishCancellation: Sendable {
    private let cancelled = Atomic<Bool>(false)

    /// Any thread (the task's cancellation handler).
    func cancel() { cancelled.store(true, ordering: .releasing) }

    var isCancelled: Bool { cancelled.load(ordering: .acquiring) }
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
