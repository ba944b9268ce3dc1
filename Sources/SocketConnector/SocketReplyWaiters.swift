import Synchronization

/// Two-way RPCs waiting for their device's next message. A waiter is registered before the RPC
/// is written (so a fast answer is not missed), takes the first message of that device that
/// arrives after, and gives up after its deadline. Several RPCs to one device are answered in
/// the order they were sent.
final class SocketReplyWaiters: Sendable {
    private enum Slot {
        case waiting(CheckedContinuation<[UInt8]?, Never>?)
        case answered([UInt8])
        case abandoned
    }

    private struct State {
        var nextID: UInt64 = 0
        /// Per device, waiter ids in registration order.
        var queues: [String: [UInt64]] = [:]
        var slots: [UInt64: Slot] = [:]
    }

    private let state = Mutex(State())

    func register(device: String) -> UInt64 {
        state.withLock { state in
            state.nextID += 1
            state.queues[device, default: []].append(state.nextID)
            state.slots[state.nextID] = .waiting(nil)
            return state.nextID
        }
    }

    /// Hands `message` to the oldest waiter of `device`; false when none waits (the message is
    /// then a normal reading).
    func offer(_ message: [UInt8], device: String) -> Bool {
        let continuation: CheckedContinuation<[UInt8]?, Never>?? = state.withLock { state in
            guard var queue = state.queues[device], !queue.isEmpty else { return nil }
            let id = queue.removeFirst()
            state.queues[device] = queue.isEmpty ? nil : queue
            guard case .waiting(let continuation)? = state.slots[id] else { return nil }
            if let continuation {
                state.slots[id] = nil
                return .some(continuation)
            }
            state.slots[id] = .answered(message)
            return .some(nil)
        }
        guard let continuation else { return false }
        continuation?.resume(returning: message)
        return true
    }

    /// The message that answered waiter `id`, or nil when none came within `timeout`.
    func wait(_ id: UInt64, timeout: Duration) async -> [UInt8]? {
        await withTaskGroup(of: [UInt8]?.self) { group in
            group.addTask { await self.answer(id) }
            group.addTask {
                try? await Task.sleep(for: timeout)
                self.abandon(id)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            if first == nil { self.abandon(id) }
            return first
        }
    }

    private func answer(_ id: UInt64) async -> [UInt8]? {
        await withCheckedContinuation { (continuation: CheckedContinuation<[UInt8]?, Never>) in
            let immediate: [UInt8]?? = state.withLock { state in
                switch state.slots[id] {
                case .waiting?:
                    state.slots[id] = .waiting(continuation)
                    return .none
                case .answered(let message)?:
                    state.slots[id] = nil
                    return .some(message)
                case .abandoned?, nil:
                    state.slots[id] = nil
                    return .some(nil)
                }
            }
            if let immediate { continuation.resume(returning: immediate) }
        }
    }

    /// Gives up waiter `id`: it leaves its device's queue and a suspended `answer` returns nil.
    private func abandon(_ id: UInt64) {
        let continuation: CheckedContinuation<[UInt8]?, Never>? = state.withLock { state in
            for (device, queue) in state.queues where queue.contains(id) {
                let rest = queue.filter { $0 != id }
                state.queues[device] = rest.isEmpty ? nil : rest
            }
            switch state.slots[id] {
            case .waiting(let continuation?)?:
                state.slots[id] = nil
                return continuation
            case .waiting(nil)?:
                state.slots[id] = .abandoned
                return nil
            default:
                return nil
            }
        }
        continuation?.resume(returning: nil)
    }
}
