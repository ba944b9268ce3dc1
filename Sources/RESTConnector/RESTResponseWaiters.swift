import GatewayKit
import Synchronization

/// HTTP replies held for `responseExpected` endpoints, per device, oldest first. ThingsBoard's
/// answer (a shared attribute or RPC named `responseAttribute`) releases the oldest waiting
/// request of that device; a timeout or a stopping connector releases it with nothing.
///
/// The reference keeps one queue for all endpoints and devices, so an answer for one device can
/// release another device's request; here answers go to the device they are for.
final class RESTResponseWaiters: Sendable {
    /// More held requests than this are refused (503) rather than piling up without bound.
    let capacity: Int

    enum Outcome: Sendable, Equatable {
        case answered(JSONValue)
        case timedOut
        /// The connector is stopping, or too many requests are already held.
        case unavailable
    }

    private struct Waiter {
        var id: UInt64
        var continuation: CheckedContinuation<Outcome, Never>
    }

    private struct State {
        var nextID: UInt64 = 0
        /// Admitted and not finished yet.
        var active: Set<UInt64> = []
        var byDevice: [String: [Waiter]] = [:]
        /// Released (timeout, cancellation) before their continuation was registered.
        var releasedEarly: [UInt64: Outcome] = [:]
        var closed = false
    }

    private let state = Mutex(State())

    init(capacity: Int = 1024) {
        self.capacity = capacity
    }

    var heldCount: Int { state.withLock { $0.active.count } }

    /// Waits for an answer for `device`, at most `timeout`.
    func wait(for device: String, timeout: Duration) async -> Outcome {
        let admitted: UInt64? = state.withLock { state in
            guard !state.closed, state.active.count < capacity else { return nil }
            state.nextID += 1
            state.active.insert(state.nextID)
            return state.nextID
        }
        guard let id = admitted else { return .unavailable }
        let outcome = await withTaskGroup(of: Void.self) { group in
            group.addTask {
                try? await Task.sleep(for: timeout)
                if !Task.isCancelled { self.release(id: id, device: device, with: .timedOut) }
            }
            let outcome = await withTaskCancellationHandler {
                await withCheckedContinuation { continuation in
                    self.register(id: id, device: device, continuation: continuation)
                }
            } onCancel: {
                self.release(id: id, device: device, with: .unavailable)
            }
            group.cancelAll()
            return outcome
        }
        state.withLock { state in
            state.active.remove(id)
            state.releasedEarly[id] = nil
        }
        return outcome
    }

    /// Hands `value` to the oldest request waiting for `device`; false when none waits.
    @discardableResult
    func answer(device: String, with value: JSONValue) -> Bool {
        let waiter: Waiter? = state.withLock { state in
            guard var list = state.byDevice[device], !list.isEmpty else { return nil }
            let first = list.removeFirst()
            state.byDevice[device] = list.isEmpty ? nil : list
            return first
        }
        waiter?.continuation.resume(returning: .answered(value))
        return waiter != nil
    }

    func hasWaiter(for device: String) -> Bool {
        state.withLock { !($0.byDevice[device]?.isEmpty ?? true) }
    }

    /// Releases every held request (answered 503) and refuses new ones: the connector stops.
    func close() {
        let all: [Waiter] = state.withLock { state in
            state.closed = true
            let all = state.byDevice.values.flatMap { $0 }
            state.byDevice = [:]
            return all
        }
        for waiter in all { waiter.continuation.resume(returning: .unavailable) }
    }

    private func register(id: UInt64, device: String, continuation: CheckedContinuation<Outcome, Never>) {
        let early: Outcome? = state.withLock { state in
            if let outcome = state.releasedEarly.removeValue(forKey: id) { return outcome }
            if state.closed { return .unavailable }
            state.byDevice[device, default: []].append(Waiter(id: id, continuation: continuation))
            return nil
        }
        if let early { continuation.resume(returning: early) }
    }

    private func release(id: UInt64, device: String, with outcome: Outcome) {
        let waiter: Waiter? = state.withLock { state in
            if var list = state.byDevice[device], let index = list.firstIndex(where: { $0.id == id }) {
                let waiter = list.remove(at: index)
                state.byDevice[device] = list.isEmpty ? nil : list
                return waiter
            }
            // Not registered yet (or already answered): remember it for `register`, while the
            // wait is still active; `wait` forgets it when it finishes.
            if state.active.contains(id), state.releasedEarly[id] == nil { state.releasedEarly[id] = outcome }
            return nil
        }
        waiter?.continuation.resume(returning: outcome)
    }
}
