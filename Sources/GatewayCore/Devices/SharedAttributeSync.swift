import GatewayKit
import Logging
import Synchronization
import ThingsBoard

/// `syncDevicesSharedAttributesOnConnect` (reference §1.6): when a device connects (or reconnects)
/// and its connector names the shared attributes it writes to devices, those attributes are asked
/// of ThingsBoard and handed to the connector as an update — so a device that was offline gets
/// the setpoints changed meanwhile.
///
/// Requests run here, off the connector's task (an answer may take seconds):
/// - they wait for the ThingsBoard session: devices first polled while it is still being set up
///   (at start-up, on a remote server) were otherwise never synced;
/// - up to `concurrentRequests` at once: one at a time, 40 devices connecting together over a
///   100 ms link took 4.6 s to get their setpoints (a round trip each), and a server that does not
///   answer held every other device back for the 20 s timeout;
/// - a device waits at most once: asked for again before its turn, it keeps its place. Requests
///   leave the waiting list only when a slot is free, so the list is bounded by the number of
///   devices and nothing is dropped while the session is down.
final class SharedAttributeSync: Sendable {
    private struct Request: Sendable {
        var device: String
        /// Announced before the request: ThingsBoard would create a device it does not know with
        /// the default type.
        var type: String
        var connector: String
    }

    private struct Waiting {
        var requests: [Request] = []
        var devices: Set<String> = []
    }

    /// The Python gateway sends these requests without waiting for answers; a bound keeps a burst
    /// of reconnects from flooding ThingsBoard's rate limits and the reply table.
    static let concurrentRequests = 32
    /// Announcing fails only when the connection drops meanwhile; the next attempt waits for the
    /// new session.
    private static let announceAttempts = 3

    private let waiting = Mutex(Waiting())
    /// One element = "something is waiting"; the newest is enough.
    private let wakeUps: AsyncStream<Void>
    private let wake: AsyncStream<Void>.Continuation
    private let logger: Logger

    init(logger: Logger) {
        self.logger = logger
        (wakeUps, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    func request(device: String, type: String, connector: String) {
        let added = waiting.withLock { waiting in
            guard waiting.devices.insert(device).inserted else { return false }
            waiting.requests.append(Request(device: device, type: type, connector: connector))
            return true
        }
        if added { wake.yield() }
    }

    /// The oldest `limit` waiting requests; their devices may be asked for again from now on.
    private func takeWaiting(upTo limit: Int) -> ArraySlice<Request> {
        waiting.withLock { waiting in
            let taken = waiting.requests.prefix(limit)
            waiting.requests.removeFirst(taken.count)
            for request in taken { waiting.devices.remove(request.device) }
            return taken
        }
    }

    /// Serves the requests until cancelled; on every new ThingsBoard session (the first one
    /// included) asks for the shared attributes of every connected device the registry knows, as
    /// the reference does at start and on every reconnect: a setpoint changed while the gateway
    /// was stopped or offline reaches the device.
    func run(client: ThingsBoardClient, devices: DeviceRegistry, connectors: ConnectorManager) async {
        await withDiscardingTaskGroup { group in
            group.addTask { await self.requestKnownDevicesOnEverySession(client: client, devices: devices) }
            group.addTask { await self.serve(client: client, devices: devices, connectors: connectors) }
        }
    }

    private func requestKnownDevicesOnEverySession(client: ThingsBoardClient, devices: DeviceRegistry) async {
        await client.onEverySession {
            for (name, record) in devices.snapshot.sorted(by: { $0.key < $1.key }) where !record.disconnected {
                request(device: name, type: record.deviceType, connector: record.connectorName)
            }
        }
    }

    /// The connector, waiting up to `connectorStartWait` while the gateway is still starting its
    /// connectors: the first session's requests for the devices in `connected_devices.json` can
    /// come before their connector runs. A connector that failed to start is not waited for.
    private func runningConnector(named name: String, connectors: ConnectorManager) async -> (any DownlinkConnector)? {
        if let connector = connectors.downlink(named: name) { return connector }
        await connectors.initialConnectorsStarted(within: Self.connectorStartWait)
        return connectors.downlink(named: name)
    }

    static let connectorStartWait: Duration = .seconds(15)

    private func serve(client: ThingsBoardClient, devices: DeviceRegistry, connectors: ConnectorManager) async {
        await withTaskGroup(of: Void.self) { group in
            // Child tasks not yet reaped (finished or not): at the bound, one is reaped first, so
            // at most `concurrentRequests` run and finished ones do not pile up.
            var unreaped = 0
            for await _ in wakeUps {
                while true {
                    if unreaped == Self.concurrentRequests {
                        await group.next()
                        unreaped -= 1
                    }
                    let batch = takeWaiting(upTo: Self.concurrentRequests - unreaped)
                    if batch.isEmpty { break }
                    for request in batch {
                        unreaped += 1
                        group.addTask { await self.sync(request, client: client, devices: devices, connectors: connectors) }
                    }
                }
            }
        }
    }

    private func sync(_ request: Request, client: ThingsBoardClient, devices: DeviceRegistry,
                      connectors: ConnectorManager) async {
        guard let connector = await runningConnector(named: request.connector, connectors: connectors),
              let keys = connector.sharedAttributeKeys(of: request.device), !keys.isEmpty else { return }
        let published = devices.thingsBoardName(of: request.device)
        // "*" asks for every shared attribute.
        let asked = keys.contains("*") ? [] : keys
        guard await announce(published, type: request.type, client: client) else { return }
        guard let reply = await client.requestDeviceAttributes(device: published, keys: asked, client: false) else {
            logger.debug("shared attributes not synced: no answer", metadata: ["device": "\(published)"])
            return
        }
        var values: JSONObject = [:]
        if case .object(let all)? = reply["values"] { values = all }
        if let value = reply["value"], asked.count == 1 { values[asked[0]] = value }
        guard !values.isEmpty else { return }
        await connector.handleAttributeUpdate(AttributeUpdate(deviceName: request.device, values: values))
    }

    /// Waits for the session, then announces the device; false when cancelled or it never went out.
    private func announce(_ device: String, type: String, client: ThingsBoardClient) async -> Bool {
        for _ in 1...Self.announceAttempts {
            do {
                try await client.waitUntilReady()
            } catch {
                return false
            }
            do {
                try await client.announce([(name: device, type: type)])
                return true
            } catch {
                logger.debug("shared attributes not synced yet: device not announced", metadata: ["device": "\(device)", "error": "\(error)"])
            }
        }
        return false
    }
}
