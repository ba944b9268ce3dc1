import Collections

/// A first-in first-out turn-taker for async work: one holder at a time, waiters resumed in the
/// order they arrived. A device's polls, writes and RPCs take turns through one gate, so a write
/// never lands between the requests of a poll and the device sees one request stream.
///
/// Used only from inside one actor (a Modbus device, the connector manager), which owns its state.
public struct SerialGate: Sendable {
    private var busy = false
    private var waiters: Deque<CheckedContinuation<Void, Never>> = []

    /// Whether the caller got the turn at once; otherwise it must `await` the continuation it is
    /// given through `enqueue`.
    public init() {}

    public mutating func tryEnter() -> Bool {
        if busy { return false }
        busy = true
        return true
    }

    public mutating func enqueue(_ waiter: CheckedContinuation<Void, Never>) {
        waiters.append(waiter)
    }

    /// Hands the turn to the next waiter, or frees the gate.
    public mutating func leave() {
        if let next = waiters.popFirst() {
            next.resume()  // The turn passes on: `busy` stays true.
        } else {
            busy = false
        }
    }
}
