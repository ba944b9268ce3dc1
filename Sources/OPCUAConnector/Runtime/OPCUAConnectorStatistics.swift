import GatewayKit
import Synchronization

/// Running totals for `traffic()`: values received from the server and failures.
final class OPCUAConnectorStatistics: Sendable {
    private let values = Atomic<Int64>(0)
    private let errors = Atomic<Int64>(0)

    func received(_ count: Int) { values.add(Int64(count), ordering: .relaxed) }
    func failed(_ count: Int) { errors.add(Int64(count), ordering: .relaxed) }

    var traffic: ConnectorTraffic {
        ConnectorTraffic(messagesIn: values.load(ordering: .relaxed), bytesIn: 0, errors: errors.load(ordering: .relaxed))
    }
}
