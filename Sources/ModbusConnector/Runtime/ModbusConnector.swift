import GatewayKit
import Logging
import Modbus
import Synchronization

/// Registers the Modbus connector under type "modbus".
public enum ModbusConnectorFactory: ConnectorFactory {
    public static let type = "modbus"

    public static func make(_ setup: ConnectorSetup) throws -> any Connector {
        let configuration = try ModbusConnectorConfiguration(json: setup.configuration, file: setup.configurationFile)
        return ModbusConnector(identity: setup.identity, configuration: configuration, context: setup.context,
                               logger: setup.logger, converterLogger: setup.converterLogger)
    }
}

/// Polls Modbus devices (`master.slaves`) and serves registers of its own (`slave`), per reference
/// §5.2. Devices on the same endpoint share one link; each device is an actor whose polls,
/// writes and RPCs take turns; poll schedules are spread over the period so that many devices do
/// not fire at once. Shared-attribute updates and RPCs of a device are written to it.
public struct ModbusConnector: DownlinkConnector {
    public let identity: ConnectorIdentity
    public let configuration: ModbusConnectorConfiguration
    let devices = ModbusDeviceDirectory()
    let logger: Logger
    /// Read values that do not convert: the reference's `<connector name>_converter` logger.
    let converterLogger: Logger
    private let gateway: ModbusGatewayPort

    public init(identity: ConnectorIdentity, configuration: ModbusConnectorConfiguration,
                context: any GatewayContext, logger: Logger, converterLogger: Logger? = nil) {
        self.identity = identity
        self.configuration = configuration
        self.logger = logger
        self.converterLogger = converterLogger ?? logger
        self.gateway = ModbusGatewayPort(context: context, identity: identity, logger: logger)
    }

    public func traffic() -> ConnectorTraffic? {
        var traffic = ConnectorTraffic()
        for device in devices.all {
            let counts = device.statistics.snapshot
            traffic.messagesIn += counts.responses
            traffic.bytesIn += counts.responseBytes
            traffic.errors += counts.failedRequests
        }
        return traffic
    }

    public var configurationWarnings: [String] { configuration.warnings }

    public func run() async throws {
        for warning in configurationWarnings {
            logger.warning("\(warning)")
        }
        let links = ModbusLinkPool(logger: logger)
        var built: [ModbusDevice] = []
        for device in configuration.devices {
            let link = try await links.link(for: device)
            built.append(ModbusDevice(configuration: device, sender: link, gateway: gateway, logger: logger,
                                      converterLogger: converterLogger))
        }
        var server: ModbusServerMode?
        if let serverConfiguration = configuration.server {
            let mode = try ModbusServerMode(configuration: serverConfiguration, logger: logger)
            try await mode.start()
            built.append(ModbusDevice(configuration: serverConfiguration.device, sender: mode.sender,
                                      gateway: gateway, logger: logger, converterLogger: converterLogger))
            server = mode
        }
        devices.publish(built)
        let linkCount = await links.count
        logger.info("Modbus connector starting", metadata: [
            "devices": "\(configuration.devices.count)", "links": "\(linkCount)",
            "server": "\(configuration.server.map { $0.connection.description } ?? "none")",
        ])
        await Self.poll(built.filter(\.hasPolls))
        // Keeps the connector running until cancelled, even with nothing to poll.
        while !Task.isCancelled { try? await Task.sleep(for: .seconds(3600)) }
        devices.publish([])
        await links.closeAll()
        await server?.stop()
        logger.info("Modbus connector stopped")
    }

    /// Starts every device's polls on its schedule, each as a short task, until cancelled. A poll
    /// due while the device's previous one still runs follows it; a further one is skipped.
    private static func poll(_ devices: [ModbusDevice]) async {
        let clock = ContinuousClock()
        var schedule = PollSchedule(
            periods: devices.map(\.configuration.pollPeriod),
            phases: devices.indices.map { phase(index: $0, of: devices.count, period: devices[$0].configuration.pollPeriod) },
            start: clock.now)
        await withDiscardingTaskGroup { group in
            while let slot = schedule.nextSlot {
                do { try await clock.sleep(until: slot) } catch { return }
                for due in schedule.takeDue(now: clock.now) {
                    let device = devices[due.device]
                    if due.skipped > 0 { device.statistics.countSkippedPolls(due.skipped) }
                    guard device.claimScheduledPoll() else { continue }
                    group.addTask { await device.runScheduledPoll() }
                }
            }
        }
    }

    /// Where in its period device `index` of `count` first polls: evenly spread, so 500 devices
    /// polled every second make a steady stream of requests rather than a burst each second.
    static func phase(index: Int, of count: Int, period: Duration) -> Duration {
        guard count > 1 else { return .zero }
        return period * (Double(index) / Double(count))
    }
}

/// The running devices by name, for downlink calls that arrive on the gateway's tasks.
final class ModbusDeviceDirectory: Sendable {
    private let byName = Mutex<[String: ModbusDevice]>([:])
    private let ordered = Mutex<[ModbusDevice]>([])

    func publish(_ devices: [ModbusDevice]) {
        byName.withLock { map in
            map = [:]
            for device in devices { map[device.configuration.deviceName] = device }
        }
        ordered.withLock { $0 = devices }
    }

    func device(named name: String) -> ModbusDevice? { byName.withLock { $0[name] } }
    var all: [ModbusDevice] { ordered.withLock { $0 } }
}
