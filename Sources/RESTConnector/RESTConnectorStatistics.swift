import GatewayKit
import Synchronization

/// Running totals of one REST connector, read by `/metrics` and statistics.
public final class RESTConnectorStatistics: Sendable {
    private let requests = Atomic<Int64>(0)
    private let bytes = Atomic<Int64>(0)
    private let failures = Atomic<Int64>(0)

    public init() {}

    /// A request that reached an endpoint (answered or not).
    func countRequest(bodyBytes: Int) {
        requests.add(1, ordering: .relaxed)
        bytes.add(Int64(bodyBytes), ordering: .relaxed)
    }

    /// A request answered with an error status (4xx, 5xx), or a failed downlink.
    func countError() {
        failures.add(1, ordering: .relaxed)
    }

    public var traffic: ConnectorTraffic {
        ConnectorTraffic(messagesIn: requests.load(ordering: .relaxed), bytesIn: bytes.load(ordering: .relaxed),
                         errors: failures.load(ordering: .relaxed))
    }
}
