import GatewayKit
import Logging
import OPCUA

/// Registers the OPC-UA connector under type "opcua".
public enum OPCUAConnectorFactory: ConnectorFactory {
    public static let type = "opcua"

    public static func make(_ setup: ConnectorSetup) throws -> any Connector {
        let configuration = try OPCUAConnectorConfiguration(json: setup.configuration, file: setup.configurationFile)
        let options = try OPCUAClientOptions.make(for: configuration.server, file: setup.configurationFile)
        return OPCUAConnector(identity: setup.identity, configuration: configuration, clientOptions: options,
                              context: setup.context, logger: setup.logger)
    }
}

/// Reads an OPC-UA server's nodes as device attributes and telemetry (reference §5.3): finds the
/// devices by browse path or NodeId, names them from node values, and then either monitors
/// every mapped node in one subscription or polls them; re-scans every `scanPeriodInMillis`.
/// Shared attributes and RPCs are written to, read from or called on the server. The client
/// reconnects by itself (re-creating session, subscription and monitored items), so readings
/// flow again after a server restart without the connector noticing.
public struct OPCUAConnector: DownlinkConnector {
    public let identity: ConnectorIdentity
    public let configuration: OPCUAConnectorConfiguration
    let clientOptions: OPCUAClientOptions
    let context: any GatewayContext
    let logger: Logger
    let runtime = OPCUAConnectorRuntime()
    let statistics = OPCUAConnectorStatistics()

    /// How soon a scan that left something unresolved (a device, a name, a node) is repeated.
    static let incompleteScanRetry = Duration.seconds(10)

    public init(identity: ConnectorIdentity, configuration: OPCUAConnectorConfiguration,
                clientOptions: OPCUAClientOptions, context: any GatewayContext, logger: Logger) {
        self.identity = identity
        self.configuration = configuration
        self.clientOptions = clientOptions
        self.context = context
        self.logger = logger
    }

    public func traffic() -> ConnectorTraffic? { statistics.traffic }

    public var configurationWarnings: [String] { configuration.warnings }

    var sink: OPCUADataSink {
        OPCUADataSink(runtime: runtime, context: context, identity: identity, logger: logger, statistics: statistics)
    }

    public func run() async throws {
        for warning in configurationWarnings {
            logger.warning("\(warning)")
        }
        let client = OPCUAClient(options: clientOptions, logger: logger)
        runtime.setClient(client)
        let server = configuration.server
        logger.info("OPC-UA connector starting", metadata: [
            "url": "\(server.url)", "mode": "\(server.enableSubscriptions ? "subscriptions" : "polling")",
            "mappings": "\(configuration.mapping.count)"])
        // Connects in the background and keeps retrying with back-off: a gateway may start
        // before its server does.
        await client.start()
        let feed = server.enableSubscriptions
            ? OPCUASubscriptionFeed(settings: server, sink: sink, logger: logger) : nil
        await withDiscardingTaskGroup { group in
            group.addTask { await self.scanLoop(client: client, feed: feed) }
            if let feed {
                group.addTask { await feed.consume(client.dataChanges) }
            } else {
                let poller = OPCUAPoller(period: server.pollPeriod, runtime: runtime, sink: sink, logger: logger)
                group.addTask { await poller.run(client: client) }
            }
        }
        runtime.setClient(nil)
        await client.disconnect()
        let devices = runtime.snapshot.devices
        runtime.publish(OPCUAMappingSnapshot())
        for device in devices {
            await context.disconnectDevice(device.name, from: identity)
        }
        logger.info("OPC-UA connector stopped")
    }

    /// Scans when connected, then every `scanPeriodInMillis` (sooner while something is missing),
    /// and keeps the subscription's monitored items in step with what was found.
    func scanLoop(client: OPCUAClient, feed: OPCUASubscriptionFeed?) async {
        let server = configuration.server
        while !Task.isCancelled {
            guard await Self.waitForConnection(client) else { return }
            var delay = server.scanPeriod
            do {
                let browser = OPCUANodeBrowser(client: client, logger: logger)
                let scanner = OPCUADeviceScanner(mapping: configuration.mapping, browser: browser, client: client,
                                                 logger: logger, showMap: server.showMap)
                let result = try await scanner.scan()
                let snapshot = OPCUAMappingSnapshot(devices: result.devices)
                await apply(snapshot)
                if let feed { try await feed.sync(snapshot, client: client) }
                if !result.complete { delay = min(delay, Self.incompleteScanRetry) }
            } catch {
                if Task.isCancelled { return }
                statistics.failed(1)
                logger.warning("OPC-UA scan failed; retrying", metadata: ["error": "\(error)"])
                delay = min(delay, .seconds(2))
            }
            do {
                try await Task.sleep(for: delay)
            } catch {
                return
            }
        }
    }

    /// Waits until the client has a session (it connects and reconnects by itself); false when
    /// cancelled. Checks five times a second, and only while disconnected.
    static func waitForConnection(_ client: OPCUAClient) async -> Bool {
        while !Task.isCancelled {
            if await client.isConnected { return true }
            do {
                try await Task.sleep(for: .milliseconds(200))
            } catch {
                return false
            }
        }
        return false
    }

    /// Publishes the new mapping, announces devices that appeared (sending their constants) and
    /// reports those that disappeared.
    func apply(_ snapshot: OPCUAMappingSnapshot) async {
        let previous = runtime.snapshot
        runtime.publish(snapshot)
        for device in snapshot.devices where previous.device(named: device.name) == nil {
            logger.info("OPC-UA device found", metadata: [
                "device": "\(device.name)", "node": "\(device.node)", "datapoints": "\(device.datapoints.count)"])
            await context.connectDevice(device.name, type: device.type, from: identity)
            if !device.constants.isEmpty {
                let constants = device.constants.map { ($0.section, $0.datapoint) }
                await sink.send(device.converter.convertConstants(constants, receivedAt: WallClock.milliseconds()))
            }
        }
        for device in previous.devices where snapshot.device(named: device.name) == nil {
            logger.info("OPC-UA device gone", metadata: ["device": "\(device.name)"])
            await context.disconnectDevice(device.name, from: identity)
        }
    }
}
