import GatewayKit
import MQTT
import Synchronization

/// `broker.acknowledgeAfterStorage`: acknowledges one broker message once every reading it became
/// has been written to storage (or settled without a write), so the broker keeps, in a persistent
/// session, any message a crash of the gateway could still lose. A reading that could not be
/// written (storage error, full storage) leaves the message unacknowledged and closes the
/// connection, so the broker sends it again on the next one.
final class MQTTStoredAcknowledgement: Sendable {
    private let client: MQTTClient
    private let acknowledgement: MQTTInboundAcknowledgement
    private let pieces: Atomic<Int>
    private let lost = Atomic<Bool>(false)
    private let outstanding: Outstanding

    /// `pieces`: how many times `pieceDone` will be called before the message is acknowledged.
    init(client: MQTTClient, acknowledgement: MQTTInboundAcknowledgement, pieces: Int, outstanding: Outstanding) {
        self.client = client
        self.acknowledgement = acknowledgement
        self.pieces = Atomic(pieces)
        self.outstanding = outstanding
        outstanding.count.add(1, ordering: .relaxed)
    }

    func pieceDone(_ notice: StoreNotice = .taken) {
        if case .notStored = notice, !lost.exchange(true, ordering: .acquiringAndReleasing) {
            client.refuse(acknowledgement)
        }
        guard pieces.subtract(1, ordering: .acquiringAndReleasing).newValue == 0 else { return }
        if !lost.load(ordering: .acquiring) { client.acknowledge(acknowledgement) }
        outstanding.count.subtract(1, ordering: .releasing)
    }

    /// How many of a connector's messages still wait for storage.
    final class Outstanding: Sendable {
        fileprivate let count = Atomic<Int>(0)

        /// A stopping connector gives the writes of its last messages a moment, so their
        /// acknowledgements go out before the DISCONNECT and the broker does not send stored
        /// messages again. Polls: it runs once per stop, in a task of its own, since the stopping
        /// connector's task is cancelled (its sleeps would return at once).
        func settle(within limit: Duration) async {
            guard count.load(ordering: .acquiring) > 0 else { return }
            let deadline = ContinuousClock.now + limit
            await Task {
                while self.count.load(ordering: .acquiring) > 0, ContinuousClock.now < deadline {
                    try? await Task.sleep(for: .milliseconds(10))
                }
            }.value
        }
    }
}
