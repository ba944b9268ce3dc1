import MQTT
import Synchronization

/// The broker client of the running connector, for the downlink calls (attribute updates, RPCs)
/// that the gateway makes from its own tasks. Empty while the connector is not running.
final class MQTTClientSlot: Sendable {
    private let client = Mutex<MQTTClient?>(nil)

    init() {}

    var current: MQTTClient? { client.withLock { $0 } }

    func attach(_ newClient: MQTTClient) { client.withLock { $0 = newClient } }

    func detach() { client.withLock { $0 = nil } }
}
