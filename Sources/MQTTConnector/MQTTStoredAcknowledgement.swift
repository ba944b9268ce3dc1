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
    private let outstanding: Atomic<Int>
    private let lost = Atomic<Bool>(false)

    /// `pieces`: how many times `pieceDone` will be called before the message is acknowledged.
    init(client: MQTTClient, acknowledgement: MQTTInboundAcknowledgement, pieces: Int) {
        self.client = client
        self.acknowledgement = acknowledgement
        self.outstanding = Atomic(pieces)
    }

    func pieceDone(_ notice: StoreNotice = .taken) {
        if case .notStored = notice, !lost.exchange(true, ordering: .acquiringAndReleasing) {
            client.refuse(acknowledgement)
        }
        if outstanding.subtract(1, ordering: .acquiringAndReleasing).newValue == 0,
           !lost.load(ordering: .acquiring) {
            client.acknowledge(acknowledgement)
        }
    }
}
