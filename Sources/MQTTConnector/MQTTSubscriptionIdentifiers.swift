import MQTT
import Synchronization

/// Whether the current broker connection gave each subscription its MQTT 5 identifier: then a
/// message's identifiers say which subscriptions (and so which mappings) it was delivered for.
/// Set by the connection task at each subscribe, read by the message consumer.
final class MQTTSubscriptionIdentifiers: Sendable {
    private let inUse = Atomic<Bool>(false)

    var areInUse: Bool { inUse.load(ordering: .acquiring) }

    /// MQTT 5, and the broker did not say it lacks them (CONNACK property absent means available).
    func decide(version: MQTTVersion, connAck: MQTTConnAck) -> Bool {
        let usable = version == .v5 && connAck.subscriptionIdentifiersAvailable != false
        inUse.store(usable, ordering: .releasing)
        return usable
    }

    /// A filter the broker refused or left unanswered: a message its mappings should take could
    /// arrive only as another subscription's copy, so every copy goes to everything that applies
    /// (duplicates, as without identifiers, rather than a loss).
    func stopUsing() { inUse.store(false, ordering: .releasing) }
}
