import Synchronization

/// Request handles of one client (echoed in every response header; unique per session is enough).
/// A lock-free counter so the session opener, which runs outside the actor, can take handles too.
final class OPCUARequestHandles: Sendable {
    private let counter = Atomic<UInt32>(0)

    func next() -> UInt32 {
        let (value, _) = counter.wrappingAdd(1, ordering: .relaxed)
        return value == 0 ? next() : value
    }
}
