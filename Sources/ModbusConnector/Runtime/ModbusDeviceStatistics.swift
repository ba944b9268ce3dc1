import GatewayKit
import Modbus
import Synchronization

/// Counters of one device, read by the metrics and status endpoints while it runs.
final class ModbusDeviceStatistics: Sendable {
    struct Snapshot: Sendable, Equatable {
        var responses: Int64 = 0
        /// Payload bytes of the responses (2 per register, 1 per 8 bits).
        var responseBytes: Int64 = 0
        var failedRequests: Int64 = 0
        var datapoints: Int64 = 0
        var skippedPolls: Int64 = 0
    }

    private let counters = Mutex(Snapshot())

    var snapshot: Snapshot { counters.withLock { $0 } }

    func countResponse(_ response: ModbusResponse) {
        let bytes: Int
        switch response {
        case .registers(let registers): bytes = registers.count * 2
        case .bits(let bits): bytes = (bits.count + 7) / 8
        case .writeAcknowledged: bytes = 0
        }
        counters.withLock {
            $0.responses += 1
            $0.responseBytes += Int64(bytes)
        }
    }

    func countFailedRequest() { counters.withLock { $0.failedRequests += 1 } }
    func countDatapoints(_ count: Int) { counters.withLock { $0.datapoints += Int64(count) } }
    func countSkippedPolls(_ count: Int) { counters.withLock { $0.skippedPolls += Int64(count) } }
}
