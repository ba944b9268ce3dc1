#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import GatewayKit

/// Continuations of tasks suspended in `waitForEvents()`, owned by the storage actor.
/// `append` resumes them all; a cancelled waiter is removed and resumed by its id.
struct WaiterList {
    private var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
    private var nextID: UInt64 = 0

    mutating func makeID() -> UInt64 {
        nextID &+= 1
        return nextID
    }

    mutating func add(_ id: UInt64, _ continuation: CheckedContinuation<Void, Never>) {
        waiters[id] = continuation
    }

    mutating func cancel(_ id: UInt64) {
        waiters.removeValue(forKey: id)?.resume()
    }

    mutating func resumeAll() {
        guard !waiters.isEmpty else { return }
        let all = waiters
        waiters.removeAll(keepingCapacity: true)
        for continuation in all.values { continuation.resume() }
    }
}

/// Shared `waitForEvents` logic: each storage actor supplies whether data is ready and its list.
protocol WaitableStorage: Actor {
    var waiters: WaiterList { get set }
    var hasEventsToHandOut: Bool { get }
    /// After `close()` waiting is pointless: return at once instead of hanging.
    var isClosed: Bool { get }
}

extension WaitableStorage {
    /// Suspends without polling until `append` resumes us or the task is cancelled. The closure
    /// bodies run on this actor (isolated `#isolation` parameters), so the check-then-add is atomic;
    /// the cancellation handler hops onto the actor, after the waiter is registered.
    func suspendUntilEvents() async {
        if hasEventsToHandOut || isClosed || Task.isCancelled { return }
        let id = waiters.makeID()
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                if hasEventsToHandOut || isClosed || Task.isCancelled {
                    continuation.resume()
                } else {
                    waiters.add(id, continuation)
                }
            }
        } onCancel: {
            Task { await self.cancelWaiter(id) }
        }
    }

    func cancelWaiter(_ id: UInt64) {
        waiters.cancel(id)
    }
}

/// Logs one line per burst of drops instead of one per event.
struct DropReporter {
    private var inBurst = false

    /// Returns true when a message should be logged (the first drop after a quiet period).
    mutating func noteDrops(_ count: Int) -> Bool {
        guard count > 0 else { return false }
        defer { inBurst = true }
        return !inBurst
    }

    /// Called when an append went through without drops: the burst is over.
    mutating func noteCalm() { inBurst = false }
}

/// Wall-clock epoch milliseconds (event timestamps, file names, TTL).
func currentMilliseconds() -> Int64 { WallClock.milliseconds() }
