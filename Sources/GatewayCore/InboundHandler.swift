import GatewayKit
import Logging
import ThingsBoard

/// Reads what ThingsBoard sends. This foundation answers the gateway's liveness RPCs; routing of
/// device RPCs and attribute updates to connectors is the gateway-services work (issue 4), so
/// those are logged and, for RPCs, answered with an error instead of being left to time out.
actor InboundHandler {
    private let client: ThingsBoardClient
    private let logger: Logger

    init(client: ThingsBoardClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    func run() async {
        for await message in client.inbound {
            switch message {
            case .gatewayRPC(let requestID, let method, _):
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
            case .deviceRPC(let device, let id, let method, _):
                logger.warning("device RPC not routed yet", metadata: ["device": "\(device)", "method": "\(method)"])
                var out: [UInt8] = Array(#"{"device":"#.utf8)
                JSONWriter.writeString(device, into: &out)
                out.append(contentsOf: #","id":"#.utf8)
                id.write(into: &out)
                out.append(contentsOf: #","data":{"error":"RPC routing to connectors is not implemented yet","code":404}}"#.utf8)
                try? await client.publish(GatewayMessage(topic: GatewayTopics.rpc, payload: out, kind: .rpcReply), qos: .atMostOnce)
            default:
                logger.debug("message from ThingsBoard not handled yet", metadata: ["message": "\(message)"])
            }
        }
    }
}
