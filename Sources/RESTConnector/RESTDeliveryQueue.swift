import GatewayKit
import NIOCore
import Synchronization

/// Uplink requests on their way to the gateway, gathered: the connections' event loops add
/// their converted readings, and one task hands everything gathered so far to the gateway in
/// one `sendAll`, then completes each request's answer. At load this is one hop to the gateway
/// (and, with file or sqlite storage, one wait for the write) per batch instead of one task per
/// request. Bounded without a limit of its own: each connection has at most one request in
/// flight, so there are never more deliveries than open connections.
final class RESTDeliveryQueue: Sendable {
    /// What became of one request's readings.
    enum Outcome: Sendable {
        case accepted
        /// The first reading the gateway refused; nothing after it is known to be lost.
        case rejected(device: String, reason: String)
        /// The connector stopped before the readings could be handed over.
        case stopping
    }

    struct Delivery: Sendable {
        /// Not empty, each with datapoints.
        var readings: [ConvertedData]
        var answer: @Sendable (Outcome) -> RESTReply
        var promise: EventLoopPromise<RESTReply>
    }

    private struct State {
        var deliveries: [Delivery] = []
        var idle: CheckedContinuation<Void, Never>?
        var closed = false
    }

    private let state = Mutex(State())

    /// Queues a request's readings; answered at once with `.stopping` after `close()`.
    func add(_ delivery: Delivery) {
        let (accepted, wake): (Bool, CheckedContinuation<Void, Never>?) = state.withLock { state in
            guard !state.closed else { return (false, nil) }
            state.deliveries.append(delivery)
            defer { state.idle = nil }
            return (true, state.idle)
        }
        if accepted {
            wake?.resume()
        } else {
            delivery.promise.succeed(delivery.answer(.stopping))
        }
    }

    /// No more deliveries; `run` returns once those queued are handed over.
    func close() {
        let wake = state.withLock { state in
            state.closed = true
            defer { state.idle = nil }
            return state.idle
        }
        wake?.resume()
    }

    /// Hands deliveries to the gateway until `close()` and the queue is empty.
    func run(context: any GatewayContext, identity: ConnectorIdentity) async {
        while let batch = await next() {
            let outcomes = await context.sendAll(batch.flatMap(\.readings), from: identity)
            var position = 0
            for delivery in batch {
                var outcome = Outcome.accepted
                for reading in delivery.readings {
                    // A context that answers for fewer readings than it got has not taken the rest.
                    let readingOutcome = position < outcomes.count ? outcomes[position] : .rejected("no outcome from the gateway")
                    if case .accepted = outcome, case .rejected(let reason) = readingOutcome {
                        outcome = .rejected(device: reading.deviceName, reason: reason)
                    }
                    position += 1
                }
                delivery.promise.succeed(delivery.answer(outcome))
            }
        }
    }

    /// Everything queued, waiting while there is nothing; nil once closed and empty.
    private func next() async -> [Delivery]? {
        while true {
            enum Step { case batch([Delivery]), finished, wait }
            let step: Step = state.withLock { state in
                if !state.deliveries.isEmpty {
                    var taken: [Delivery] = []
                    swap(&taken, &state.deliveries)
                    return .batch(taken)
                }
                return state.closed ? .finished : .wait
            }
            switch step {
            case .batch(let batch): return batch
            case .finished: return nil
            case .wait:
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    let resumeNow = state.withLock { state in
                        guard state.deliveries.isEmpty, !state.closed else { return true }
                        state.idle = continuation
                        return false
                    }
                    if resumeNow { continuation.resume() }
                }
            }
        }
    }
}
