import Synchronization

/// Lets a cancelled caller of `subscribe` / `unsubscribe` stop waiting: the event loop records the
/// packet id it sent, the cancellation handler (any thread) takes it to fail that request. A
/// cancellation that comes first keeps the request from being sent at all.
final class MQTTRequestCancellation: Sendable {
    private enum State { case pending, sent(UInt16), cancelled }
    private let state = Mutex(State.pending)

    /// On the event loop, before sending: false when the caller already cancelled.
    func markSent(_ id: UInt16) -> Bool {
        state.withLock { state in
            guard case .pending = state else { return false }
            state = .sent(id)
            return true
        }
    }

    /// The packet id to fail, when the request went out.
    func cancel() -> UInt16? {
        state.withLock { state in
            defer { state = .cancelled }
            if case .sent(let id) = state { return id }
            return nil
        }
    }
}
