import GatewayKit
import Logging
import ThingsBoard

/// `syncDevicesSharedAttributesOnConnect` (reference §1.6): when a device connects (or reconnects)
/// and its connector names the shared attributes it writes to devices, those attributes are asked
/// of ThingsBoard and handed to the connector as an update — so a device that was offline gets
/// the setpoints changed meanwhile.
///
/// Requests run here, off the connector's task (an answer may take seconds); the queue is bounded
/// (the newest 1,024 wait; older ones are dropped).
final class SharedAttributeSync: Sendable {
    private struct Request: Sendable, Hashable {
        var device: String
        /// Announced before the request: ThingsBoard would create a device it does not know with
        /// the default type.
        var type: String
        var connector: String
    }

    private let queue: AsyncStream<Request>
    private let enqueue: AsyncStream<Request>.Continuation
    private let logger: Logger

    init(logger: Logger) {
        self.logger = logger
        (queue, enqueue) = AsyncStream.makeStream(of: Request.self, bufferingPolicy: .bufferingNewest(1024))
    }

    func request(device: String, type: String, connector: String) {
        enqueue.yield(Request(device: device, type: type, connector: connector))
    }

    /// Serves the queue until cancelled.
    func run(client: ThingsBoardClient, devices: DeviceRegistry, connectors: ConnectorManager) async {
        for await request in queue {
            guard let connector = connectors.downlink(named: request.connector),
                  let keys = connector.sharedAttributeKeys(of: request.device), !keys.isEmpty else { continue }
            let published = devices.thingsBoardName(of: request.device)
            // "*" asks for every shared attribute.
            let asked = keys.contains("*") ? [] : keys
            do {
                try await client.announce([(name: published, type: request.type)])
            } catch {
                logger.debug("shared attributes not synced: device not announced", metadata: ["device": "\(published)", "error": "\(error)"])
                continue
            }
            guard let reply = await client.requestDeviceAttributes(device: published, keys: asked, client: false) else {
                logger.debug("shared attributes not synced: no answer", metadata: ["device": "\(published)"])
                continue
            }
            var values: JSONObject = [:]
            if case .object(let all)? = reply["values"] { values = all }
            if let value = reply["value"], asked.count == 1 { values[asked[0]] = value }
            guard !values.isEmpty else { continue }
            await connector.handleAttributeUpdate(AttributeUpdate(deviceName: request.device, values: values))
        }
    }
}
