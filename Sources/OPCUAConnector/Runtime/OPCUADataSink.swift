import GatewayKit
import Logging

/// Where converted readings go: one ConvertedData per device to the gateway.
struct OPCUADataSink: Sendable {
    let runtime: OPCUAConnectorRuntime
    let context: any GatewayContext
    let identity: ConnectorIdentity
    let logger: Logger
    let statistics: OPCUAConnectorStatistics

    func deliver(_ values: [OPCUAMappingSnapshot.NodeValue]) async {
        guard !values.isEmpty else { return }
        statistics.received(values.count)
        for data in runtime.snapshot.convert(values) {
            await send(data)
        }
    }

    func send(_ data: ConvertedData) async {
        if case .rejected(let reason) = await context.send(data, from: identity) {
            statistics.failed(1)
            logger.warning("OPC-UA readings not accepted", metadata: ["device": "\(data.deviceName)", "reason": "\(reason)"])
        }
    }
}
