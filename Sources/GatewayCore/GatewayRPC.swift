import Foundation
import GatewayKit
import Logging
import ThingsBoard

/// RPCs sent to the gateway device itself (`v1/devices/me/rpc/request/<id>`, reference §1.7):
/// the `gateway_*` methods, and connector RPCs `<connectorType>_<method>` run by every connector
/// of that type. Replies have the reference's bodies and error codes.
struct GatewayRPC: Sendable {
    let devices: DeviceRegistry
    let ingest: DataIngest
    let connectors: ConnectorManager
    let client: ThingsBoardClient
    let control: GatewayControl
    /// nil unless `thingsboard.remoteShell` is true.
    let shell: RemoteShell?
    let configDirectory: String
    let logger: Logger

    /// What to reply, and what to do once the reply is out (a restart waits for its delay).
    struct Outcome: Sendable {
        var reply: JSONValue
        var afterReply: (@Sendable () async -> Void)?
    }

    func answer(method: String, params: JSONValue) async -> Outcome {
        // A request without a method is answered, as the reference answers it (its KeyError).
        guard !method.isEmpty else { return Outcome(reply: ["error": "'method'", "code": 500]) }
        // As the reference: the gateway's own methods carry the `gateway_` prefix (a bare `restart`
        // is a connector RPC of type "restart", which no connector has); the remote shell's do not.
        let shellMethods: Set<String> = ["getTermInfo", "sendCommand", "getCommandStatus", "terminateCommand"]
        guard method.hasPrefix("gateway_") || shellMethods.contains(method) else {
            return await connectorRPC(method: method, params: params)
        }
        let name = method.hasPrefix("gateway_") ? String(method.dropFirst("gateway_".count)) : method
        switch name {
        case "ping":
            return Outcome(reply: ["code": 200, "resp": "pong"])
        case "version":
            return Outcome(reply: ["code": 200, "resp": ["current_version": .string(GatewayVersion.reportedToThingsBoard),
                                                         "latest_version": .string(GatewayVersion.reportedToThingsBoard),
                                                         "implementation": .string(GatewayVersion.implementation)]])
        case "devices":
            var resp: JSONObject = [:]
            for (device, connector) in devices.devicesByConnector.sorted(by: { $0.key < $1.key }) {
                resp[device] = .string(connector)
            }
            return Outcome(reply: ["code": 200, "resp": .object(resp)])
        case "stats":
            return Outcome(reply: await statistics())
        case "restart":
            let delay = Self.delay(params)
            logger.warning("restart requested over RPC", metadata: ["inSeconds": "\(delay)"])
            return Outcome(reply: ["success": true]) {
                try? await Task.sleep(for: .seconds(delay))
                await control.restart()
            }
        case "reboot":
            let delay = Self.delay(params)
            logger.warning("machine reboot requested over RPC", metadata: ["inSeconds": "\(delay)"])
            return Outcome(reply: ["success": true]) {
                try? await Task.sleep(for: .seconds(delay))
                Self.rebootMachine(logger: logger)
            }
        case "device_renamed":
            guard case .object(let renames) = params, !renames.isEmpty else {
                return Outcome(reply: ["error": "expected params {\"old name\": \"new name\"}", "code": 400])
            }
            for (old, new) in renames {
                guard let newName = new.stringValue else { continue }
                if devices.rename(old, to: newName) {
                    await ingest.renameDevice(old, to: newName)
                    await client.renameDevice(old, to: newName)
                    logger.info("device renamed", metadata: ["from": "\(old)", "to": "\(newName)"])
                } else {
                    logger.warning("rename of a device this gateway does not know", metadata: ["device": "\(old)"])
                }
            }
            return Outcome(reply: ["success": true])
        case "device_deleted":
            guard let device = params.stringValue else {
                return Outcome(reply: ["error": "expected the device name as params", "code": 400])
            }
            if devices.delete(device) { logger.info("device deleted", metadata: ["device": "\(device)"]) }
            await client.forgetDevice(device)
            return Outcome(reply: ["success": true])
        case "remove_provisioned_credentials":
            return removeProvisionedCredentials()
        case "getTermInfo", "sendCommand", "getCommandStatus", "terminateCommand":
            if name == "sendCommand" {
                logger.warning("remote shell command requested", metadata: ["command": "\(params["command"] ?? .null)",
                                                                             "enabled": "\(shell != nil)"])
            }
            guard let shell, let reply = shell.answer(name, params: params) else {
                return Outcome(reply: ["error": "Method not found (remote shell is off: thingsboard.remoteShell)", "code": 404])
            }
            return Outcome(reply: reply)
        case "update":
            // The reference upgrades its PyPI package here; this gateway is updated with its own
            // package (or binary), never by a running gateway.
            return Outcome(reply: ["code": 200, "resp": .string("No update over RPC: \(GatewayVersion.implementation) is updated by installing its package.")])
        default:
            return Outcome(reply: ["error": "Method not found", "code": 404])
        }
    }

    /// `<type>_<method>`: every running connector of that type answers. One connector's answer is
    /// the reply as it is (as the reference sends it); the answers of several are listed (the
    /// reference sends only the last one).
    private func connectorRPC(method: String, params: JSONValue) async -> Outcome {
        let type = method.firstIndex(of: "_").map { String(method[..<$0]) } ?? method
        let ofType = connectors.downlinks.filter { $0.identity.type == type }
        guard !ofType.isEmpty else {
            return Outcome(reply: ["error": .string("\(type) - connector not found in available connectors."), "code": 404])
        }
        if ofType.count == 1 {
            return Outcome(reply: await ofType[0].handleConnectorRPC(method: method, params: params))
        }
        var results: [JSONValue] = []
        for connector in ofType {
            let answer = await connector.handleConnectorRPC(method: method, params: params)
            if case .array(let list) = answer { results.append(contentsOf: list) } else { results.append(answer) }
        }
        return Outcome(reply: .array(results))
    }

    /// The reference's `gateway_stats`: per connector `<Name>EventsProduced` (messages received
    /// from devices) and `<Name>EventsSent` (converted events pushed to storage), the name without
    /// spaces, and their sums as `eventsProduced` and `eventsSent`.
    private func statistics() async -> JSONValue {
        let pushed = await ingest.statistics().perConnector
        var produced: Int64 = 0, sent: Int64 = 0
        var perConnector: JSONObject = [:]
        for supervisor in connectors.supervisors.sorted(by: { $0.identity.name < $1.identity.name }) {
            let name = supervisor.identity.name
            let key = name.replacingOccurrences(of: " ", with: "")
            let received = supervisor.traffic()?.messagesIn ?? 0
            let stored = pushed[name] ?? 0
            perConnector["\(key)EventsProduced"] = .int(received)
            perConnector["\(key)EventsSent"] = .int(stored)
            produced += received
            sent += stored
        }
        var reply: JSONObject = ["eventsProduced": .int(produced), "eventsSent": .int(sent)]
        reply.merge(perConnector) { _, new in new }
        return .object(reply)
    }

    private func removeProvisionedCredentials() -> Outcome {
        let file = (configDirectory as NSString).appendingPathComponent(".credentials")
        guard FileManager.default.fileExists(atPath: file) else {
            return Outcome(reply: ["code": 404, "message": "Provisioned credentials file does not exist."])
        }
        do {
            try FileManager.default.removeItem(atPath: file)
        } catch {
            return Outcome(reply: ["code": 500, "error": .string("\(error)")])
        }
        // As the reference: no restart; the next start provisions again.
        logger.warning("provisioned credentials removed over RPC; the next start provisions the gateway again")
        return Outcome(reply: ["code": 200, "resp": "Provisioned credentials file removed successfully."])
    }

    /// The delay of a restart or reboot: params seconds, at least 1 (the reference's floor).
    static func delay(_ params: JSONValue) -> Double {
        let seconds = params.doubleValue ?? params.stringValue.flatMap(Double.init) ?? 1
        return max(1, seconds)
    }

    static func rebootMachine(logger: Logger) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/sbin/shutdown")
        process.arguments = ["-r", "now"]
        do {
            try process.run()
        } catch {
            logger.error("reboot failed: \(error)")
        }
    }
}
