import GatewayKit
import Logging

/// What the Modbus devices need of the gateway, bound to this connector's identity.
struct ModbusGatewayPort: Sendable {
    let context: any GatewayContext
    let identity: ConnectorIdentity
    let logger: Logger

    nonisolated(nonsending) func send(_ data: ConvertedData) async {
        if case .rejected(let reason) = await context.send(data, from: identity) {
            logger.warning("Gateway refused data of \(data.deviceName): \(reason)")
        }
    }

    func connect(device: String, type: String) async {
        logger.info("Device connected", metadata: ["device": "\(device)"])
        await context.connectDevice(device, type: type, from: identity)
    }

    func disconnect(device: String) async {
        logger.warning("Device unreachable; reported disconnected", metadata: ["device": "\(device)"])
        await context.disconnectDevice(device, from: identity)
    }
}
