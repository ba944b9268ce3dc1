import GatewayKit
import Logging
import ThingsBoard

/// Reads what ThingsBoard sends and routes it: device RPCs and shared-attribute updates go to
/// the connector that owns the device (reference §1.7, §1.8); the gateway's own RPCs are
/// answered here. Each request is handled in its own child task, so a slow device never holds
/// up the others.
actor InboundHandler {
    private let client: ThingsBoardClient
    private let ingest: DataIngest
    private let connectors: [String: any DownlinkConnector]
    private let logger: Logger
    /// How long an RPC for a device no connector has reported yet waits for it to appear before
    /// it is answered 408 (the reference's default).
    static let unknownDeviceWait: Duration = .seconds(5)

    init(client: ThingsBoardClient, ingest: DataIngest, connectors: [String: any DownlinkConnector], logger: Logger) {
        self.client = client
        self.ingest = ingest
        self.connectors = connectors
        self.logger = logger
    }

    nonisolated func run() async {
        await withDiscardingTaskGroup { group in
            for await message in client.inbound {
                switch message {
                case .gatewayRPC(let requestID, let method, _):
                    group.addTask { await self.answerGatewayRPC(requestID: requestID, method: method) }
                case .deviceRPC(let device, let id, let method, let params):
                    group.addTask { await self.routeRPC(device: device, id: id, method: method, params: params) }
                case .deviceAttributeUpdate(let device, let data):
                    group.addTask { await self.routeAttributeUpdate(AttributeUpdate(deviceName: device, values: data)) }
                default:
                    logger.debug("message from ThingsBoard not handled yet", metadata: ["message": "\(message)"])
                }
            }
        }
    }

    private func answerGatewayRPC(requestID: String, method: String) async {
        let reply: JSONValue
        switch method {
        case "gateway_ping", "ping": reply = ["code": 200, "resp": "pong"]
        case "gateway_version", "version":
            reply = ["code": 200, "resp": ["current_version": .string(GatewayVersion.current),
                                           "latest_version": .string(GatewayVersion.current)]]
        default: reply = ["error": "Method not found", "code": 404]
        }
        let response = GatewayMessage(topic: GatewayTopics.deviceRPCResponsePrefix + requestID,
                                      payload: reply.jsonBytes, kind: .rpcReply, forDevices: false)
        try? await client.publish(response, qos: .atMostOnce)
    }

    /// The connector owning `device`; for a device not seen yet, waits once for it to appear.
    private func owner(of device: String) async -> (any DownlinkConnector)? {
        if let name = await ingest.owner(of: device) { return connectors[name] }
        try? await Task.sleep(for: Self.unknownDeviceWait)
        return await ingest.owner(of: device).flatMap { connectors[$0] }
    }

    private func routeRPC(device: String, id: JSONValue, method: String, params: JSONValue) async {
        let data: JSONValue
        if let connector = await owner(of: device), let numericID = id.intValue {
            data = await connector.handleRPC(DeviceRPCRequest(deviceName: device, id: numericID, method: method, params: params))
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

    private func routeAttributeUpdate(_ update: AttributeUpdate) async {
        guard let name = await ingest.owner(of: update.deviceName), let connector = connectors[name] else {
            logger.debug("shared attribute update for a device no running connector owns",
                         metadata: ["device": "\(update.deviceName)"])
            return
        }
        await connector.handleAttributeUpdate(update)
    }
}
