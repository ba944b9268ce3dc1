import GatewayKit
import Logging
import ThingsBoard

/// `checkingDeviceActivity`: a device that sent no data for `inactivityTimeoutSeconds` is
/// reported disconnected (`v1/gateway/disconnect`) and announced again with its next data. Unlike
/// the reference, whose last-data time is never refreshed, this really tracks each device's data.
struct InactivityMonitor: Sendable {
    let check: ThingsBoardSettings.InactivityCheck
    let devices: DeviceRegistry
    let client: ThingsBoardClient
    let logger: Logger

    func run() async {
        let start = WallClock.milliseconds()
        while !Task.isCancelled {
            do { try await Task.sleep(for: .seconds(check.checkPeriodSeconds)) } catch { return }
            let idle = devices.inactiveDevices(timeout: Int64(check.timeoutSeconds) * 1000,
                                               now: WallClock.milliseconds(), since: start)
            for device in idle {
                devices.markDisconnected(device)
                logger.info("device inactive; reported disconnected", metadata: [
                    "device": "\(device)", "inactivityTimeoutSeconds": "\(check.timeoutSeconds)"])
                try? await client.disconnectDevice(devices.thingsBoardName(of: device))
            }
        }
    }
}
