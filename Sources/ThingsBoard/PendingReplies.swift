import GatewayKit

/// Requests to ThingsBoard waiting for their reply, keyed by request id. A reply can arrive
/// before its requester starts waiting (the request's PUBACK is awaited first), so replies to
/// issued requests are kept until they are collected. Owned by the client actor.
struct PendingReplies {
    private var issued: Set<String> = []
    private var waiters: [String: CheckedContinuation<JSONValue?, Never>] = [:]
    private var early: [String: JSONValue] = [:]

    mutating func issue(_ id: String) { issued.insert(id) }

    /// Hands `reply` (nil: timed out) to the request `id`; false when no such request was issued,
    /// i.e. the message is not a reply of ours.
    mutating func resolve(_ id: String, with reply: JSONValue?) -> Bool {
        guard issued.contains(id) else { return false }
        if let waiter = waiters.removeValue(forKey: id) {
            issued.remove(id)
            waiter.resume(returning: reply)
        } else if let reply {
            early[id] = reply
        } else {
            issued.remove(id)
            early.removeValue(forKey: id)
        }
        return true
    }

    /// Parks `continuation` until the reply of `id` arrives, or resumes it at once with an early
    /// reply, or with nil when the request is no longer pending (it timed out, the session ended).
    mutating func wait(for id: String, _ continuation: CheckedContinuation<JSONValue?, Never>) {
        if let reply = early.removeValue(forKey: id) {
            issued.remove(id)
            continuation.resume(returning: reply)
        } else if issued.contains(id) {
            waiters[id] = continuation
        } else {
            continuation.resume(returning: nil)
        }
    }

    /// The session ended: every waiting request gets nil.
    mutating func failAll() {
        for waiter in waiters.values { waiter.resume(returning: nil) }
        waiters.removeAll()
        early.removeAll()
        issued.removeAll()
    }
}
