import GatewayKit
import Logging
import ThingsBoard

/// Reads what ThingsBoard sends and routes it: device RPCs and shared-attribute updates go to
/// the connector that owns the device (reference §1.7, §1.8), under the device's original name
/// when ThingsBoard renamed it; RPCs to the gateway device go to `GatewayRPC`; updates of the
/// gateway's own attributes go to remote configuration. What concerns one device is handled in
/// arrival order, one at a time (as the reference's single RPC thread does); different devices
/// are handled at once, so a slow device never holds up the others. Nothing here waits for a
/// handler: a remote-configuration change that stops connectors does not hold up RPCs.
actor InboundHandler {
    private let client: ThingsBoardClient
    private let devices: DeviceRegistry
    private let connectors: ConnectorManager
    private let gatewayRPC: GatewayRPC
    private let remoteConfiguration: RemoteConfigurator
    private let logger: Logger
    private let lanes = OrderedLanes()
    /// How long an RPC for a device no connector has reported yet waits for it to appear before
    /// it is answered 408 (the reference's default).
    static let unknownDeviceWait: Duration = .seconds(5)

    init(client: ThingsBoardClient, devices: DeviceRegistry, connectors: ConnectorManager,
         gatewayRPC: GatewayRPC, remoteConfiguration: RemoteConfigurator, logger: Logger) {
        self.remoteConfiguration = remoteConfiguration
        self.client = client
        self.devices = devices
        self.connectors = connectors
        self.gatewayRPC = gatewayRPC
        self.logger = logger
    }

    /// Lane names: a device's ThingsBoard name, or one of these (device names cannot start
    /// with a NUL character).
    private static let remoteConfigurationLane = "\u{0}remote-configuration"
    private static let deviceLifecycleLane = "\u{0}gateway-devices"

    nonisolated func run() async {
        await withDiscardingTaskGroup { group in
            for await message in client.inbound {
                switch message {
                case .gatewayRPC(let requestID, let method, let params):
                    let job: OrderedLanes.Job = { await self.answerGatewayRPC(requestID: requestID, method: method, params: params) }
                    if method.hasPrefix("gateway_device_") {
                        // Renames and deletions in the order ThingsBoard sent them.
                        await schedule(job, lane: Self.deviceLifecycleLane, in: &group)
                    } else {
                        group.addTask(operation: job)
                    }
                case .deviceRPC(let device, let id, let method, let params):
                    await schedule({ await self.routeRPC(device: device, id: id, method: method, params: params) },
                                   lane: device, in: &group)
                case .deviceAttributeUpdate(let device, let data):
                    await schedule({ await self.routeAttributeUpdate(device: device, values: data) }, lane: device, in: &group)
                case .gatewayAttributeUpdate(let values):
                    // In arrival order: a later change of the same connector must win.
                    await schedule({ await self.remoteConfiguration.apply(values) }, lane: Self.remoteConfigurationLane,
                                   in: &group)
                default:
                    logger.debug("message from ThingsBoard not handled yet", metadata: ["message": "\(message)"])
                }
            }
        }
    }

    private nonisolated func schedule(_ job: @escaping OrderedLanes.Job, lane: String,
                                      in group: inout DiscardingTaskGroup) async {
        switch await lanes.enqueue(lane, job) {
        case .startLane:
            let lanes = self.lanes
            group.addTask { await lanes.drain(lane) }
        case .queued:
            break
        case .dropped:
            logger.warning("too many requests from ThingsBoard waiting for one device; this one is dropped",
                           metadata: ["device": "\(lane)"])
        }
    }

    private func answerGatewayRPC(requestID: String, method: String, params: JSONValue) async {
        let outcome = await gatewayRPC.answer(method: method, params: params)
        let response = GatewayMessage(topic: GatewayTopics.deviceRPCResponsePrefix + requestID,
                                      payload: outcome.reply.jsonBytes, kind: .rpcReply, forDevices: false)
        do {
            try await client.publish(response, qos: .atMostOnce)
        } catch {
            logger.warning("gateway RPC reply not sent: \(error)", metadata: ["method": "\(method)"])
        }
        await outcome.afterReply?()
    }

    /// The connector owning `device` (a ThingsBoard name) and the device's original name; for a
    /// device not seen yet, looks again every 100 ms for up to `unknownDeviceWait`, as the
    /// reference does, so the request goes out as soon as the device appears.
    private func owner(of device: String) async -> (connector: any DownlinkConnector, device: String)? {
        if let found = resolve(device) { return found }
        let deadline = ContinuousClock.now + Self.unknownDeviceWait
        while ContinuousClock.now < deadline {
            do { try await Task.sleep(for: .milliseconds(100)) } catch { return nil }
            if let found = resolve(device) { return found }
        }
        return nil
    }

    private func resolve(_ device: String) -> (connector: any DownlinkConnector, device: String)? {
        guard let (name, original) = devices.owner(ofThingsBoardName: device),
              let connector = connectors.downlink(named: name) else {
            return nil
        }
        return (connector, original)
    }

    private func routeRPC(device: String, id: JSONValue, method: String, params: JSONValue) async {
        let data: JSONValue
        if let (connector, original) = await owner(of: device), let numericID = id.intValue {
            data = await connector.handleRPC(DeviceRPCRequest(deviceName: original, id: numericID, method: method, params: params))
        } else {
            logger.warning("RPC for a device no running connector owns", metadata: ["device": "\(device)", "method": "\(method)"])
            data = ["error": "Request timeout", "code": 408]
        }
        var reply: [UInt8] = Array(#"{"device":"#.utf8)
        JSONWriter.writeString(device, into: &reply)
        reply.append(contentsOf: #","id":"#.utf8)
        id.write(into: &reply)
        reply.append(contentsOf: #","data":"#.utf8)
        data.write(into: &reply)
        reply.append(UInt8(ascii: "}"))
        // QoS 0, as the reference replies.
        try? await client.publish(GatewayMessage(topic: GatewayTopics.rpc, payload: reply, kind: .rpcReply), qos: .atMostOnce)
    }

    private func routeAttributeUpdate(device: String, values: JSONObject) async {
        guard let (connector, original) = resolve(device) else {
            logger.debug("shared attribute update for a device no running connector owns",
                         metadata: ["device": "\(device)"])
            return
        }
        await connector.handleAttributeUpdate(AttributeUpdate(deviceName: original, values: values))
    }
}
