import GatewayKit
import Logging
import ThingsBoard

/// What connectors talk to (`GatewayContext`): data goes to the ingest (report strategies,
/// storage); device lifecycle and attribute requests go to ThingsBoard.
struct GatewayLink: GatewayContext {
    let ingest: DataIngest
    let client: ThingsBoardClient
    let logger: Logger

    func send(_ data: ConvertedData, from connector: ConnectorIdentity) async -> SendOutcome {
        await ingest.send(data, from: connector)
    }

    func connectDevice(_ name: String, type: String, from connector: ConnectorIdentity) async {
        await ingest.setOwner(connector.name, of: name)
        do {
            try await client.announce([(name: name, type: type)])
        } catch {
            // The client re-announces every known device on its next (re)connect.
            logger.debug("device connect not published now; it is re-sent on reconnect",
                         metadata: ["device": "\(name)", "error": "\(error)"])
        }
    }

    func disconnectDevice(_ name: String, from connector: ConnectorIdentity) async {
        await ingest.setOwner(nil, of: name)
        do {
            try await client.disconnectDevice(name)
        } catch {
            logger.debug("device disconnect not published", metadata: ["device": "\(name)", "error": "\(error)"])
        }
    }

    func requestAttributes(_ request: AttributeRequest, from connector: ConnectorIdentity) async throws(GatewayRequestError) -> JSONObject {
        guard let reply = await client.requestDeviceAttributes(device: request.deviceName, keys: request.keys,
                                                               client: request.clientScope) else {
            throw .noAnswer
        }
        // One key: {"id","device","value": v}; several (or all): {"id","device","values": {...}}.
        if case .object(let values)? = reply["values"] { return values }
        if let value = reply["value"], let key = request.keys.first { return [key: value] }
        return [:]
    }
}
