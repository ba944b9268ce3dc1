import MQTT
import Synchronization

/// `broker.acknowledgeAfterStorage`: acknowledges one broker message once every reading it became
/// has been written to storage (or settled without a write), so the broker keeps, in a persistent
/// session, any message a crash of the gateway could still lose.
final class MQTTStoredAcknowledgement: Sendable {
    private let client: MQTTClient
    private let acknowledgement: MQTTInboundAcknowledgement
    private let outstanding: Atomic<Int>

    /// `pieces`: how many times `pieceDone` will be called before the message is acknowledged.
    init(client: MQTTClient, acknowledgement: MQTTInboundAcknowledgement, pieces: Int) {
        self.client = client
        self.acknowledgement = acknowledgement
        self.outstanding = Atomic(pieces)
    }

    func pieceDone() {
        if outstanding.subtract(1, ordering: .acquiringAndReleasing).newValue == 0 {
            client.acknowledge(acknowledgement)
        }
    }
}
