import GatewayKit
import Logging
import OPCUA

/// Polling mode (`enableSubscriptions: false`): reads every mapped node every
/// `pollPeriodInMillis` (in batches the client sizes) and converts the values. A poll that runs
/// long skips the ticks it missed instead of queueing them.
struct OPCUAPoller: Sendable {
    let period: Duration
    let runtime: OPCUAConnectorRuntime
    let sink: OPCUADataSink
    let logger: Logger

    func run(client: OPCUAClient) async {
        let clock = ContinuousClock()
        var next = clock.now
        while !Task.isCancelled {
            do {
                try await clock.sleep(until: next)
            } catch {
                return
            }
            next = next.advanced(by: period)
            let now = clock.now
            if next < now {
                // Skip missed ticks: keep the phase, never burst.
                let behind = now - next
                next = next.advanced(by: period * Int((behind / period).rounded(.up)))
            }
            await poll(client: client)
        }
    }

    func poll(client: OPCUAClient) async {
        let nodes = runtime.snapshot.nodes
        guard !nodes.isEmpty, await client.isConnected else { return }
        do {
            let values = try await client.readValues(nodes)
            let receivedAt = WallClock.milliseconds()
            await sink.deliver(zip(nodes, values).map {
                OPCUAMappingSnapshot.NodeValue(node: $0, value: $1, receivedAt: receivedAt)
            })
        } catch {
            sink.statistics.failed(1)
            logger.warning("OPC-UA poll failed", metadata: ["nodes": "\(nodes.count)", "error": "\(error)"])
        }
    }
}
