import Foundation
import GatewayKit
import Logging
import ServiceLifecycle
import Storage
import ThingsBoard

/// Start-up and shutdown of the whole gateway: reads the configuration, builds storage, the
/// ThingsBoard client, the uplink and every configured connector under its supervisor, and runs
/// them as one `ServiceGroup`. SIGTERM/SIGINT stop it gracefully: connectors first, then the
/// storage writer flushes, then the uplink and the ThingsBoard session; the whole stop is bounded
/// by `GatewayOptions.shutdownTimeout`.
public enum GatewayRuntime {
    /// Runs until a signal stops it. Returns the process exit code.
    public static func run(_ options: GatewayOptions) async -> Int32 {
        let logs = LogsConfiguration.read(directory: options.configDirectory, environment: options.environment)
        bootstrapLogging(LogRouting(configuration: logs, override: options.logLevel))
        for problem in logs.problems {
            Logger(label: "service").warning("logs.json: \(problem)")
        }
        let loaded: LoadedConfiguration
        var convertedYAML: String?
        do {
            convertedYAML = try? GatewayConfiguration.convertLegacyYAML(directory: options.configDirectory)
            loaded = try GatewayConfiguration.load(directory: options.configDirectory, environment: options.environment)
        } catch {
            Logger(label: "gateway").critical("cannot start: \(error)")
            return 2
        }
        let logger = Logger(label: "gateway")
        if let convertedYAML {
            logger.warning("tb_gateway.yaml is deprecated: its content was written to \(convertedYAML), which is read from now on (as the Python gateway does)")
        }

        let gateway: AssembledGateway
        do {
            let connection = try await ThingsBoardConnectionFactory.make(loaded.configuration, options: options,
                                                                         logger: Logger(label: "tb_connection"))
            gateway = try AssembledGateway(loaded: loaded, connection: connection, environment: options.environment,
                                           logger: logger)
        } catch {
            logger.critical("cannot start: \(error)")
            return 2
        }
        logger.info("iot-gateway \(GatewayVersion.current) starting",
                    metadata: ["config": "\(options.configDirectory)",
                               "thingsboard": "\(gateway.client.configuration.host):\(gateway.client.configuration.port)",
                               "storage": "\(gateway.storageDescription)",
                               "connectors": "\(loaded.connectors.map(\.name))"])
        // The parsed connector documents live on in the connector manager only until it starts them.
        _ = consume loaded

        var configuration = ServiceGroupConfiguration(services: gateway.services.map { .init(service: $0) },
                                                      gracefulShutdownSignals: [.sigterm, .sigint],
                                                      logger: Logger(label: "lifecycle"))
        configuration.maximumGracefulShutdownDuration = options.shutdownTimeout
        configuration.maximumCancellationDuration = .seconds(3)
        let group = ServiceGroup(configuration: configuration)
        gateway.control.attach(group)
        var code: Int32 = 0
        do {
            try await group.run()
        } catch {
            logger.error("stopped after an error: \(error)")
            code = 1
        }
        await gateway.storage.close()
        logger.info("gateway stopped")
        if gateway.control.restartRequested {
            logger.info("restarting")
            GatewayControl.execSelf()
        }
        return code
    }

    nonisolated(unsafe) private static var loggingBootstrapped = false
    private static let loggingLock = NSLock()

    /// Logs go where logs.json says (standard error without one), at the levels of logs.json or
    /// the command line's.
    static func bootstrapLogging(_ routing: LogRouting) {
        loggingLock.lock()
        defer { loggingLock.unlock() }
        guard !loggingBootstrapped else { return }
        loggingBootstrapped = true
        LoggingSystem.bootstrap { label in GatewayLogHandler(label: label, routing: routing) }
    }
}

/// Every long-lived part of one gateway, built from its configuration.
struct AssembledGateway {
    let storage: any EventStorage
    let storageDescription: String
    let ingest: DataIngest
    let client: ThingsBoardClient
    let uplink: Uplink
    let connectors: ConnectorManager
    let fileWatcher: ConnectorFileWatcher
    let remoteConfiguration: RemoteConfigurator
    let sharedAttributeSync: SharedAttributeSync?
    let inactivity: ThingsBoardSettings.InactivityCheck?
    let inbound: InboundHandler
    let devices: DeviceRegistry
    let control = GatewayControl()
    let adminSettings: AdminSettings
    let statistics: StatisticsReporter
    let certificateWatch: CertificateExpiryWatch

    init(loaded: LoadedConfiguration, connection: ThingsBoardConnectionConfiguration, environment: [String: String],
         logger: Logger) throws {
        let configuration = loaded.configuration
        fileWatcher = ConnectorFileWatcher(directory: configuration.directory, environment: environment,
                                           period: configuration.thingsboard.checkConnectorsConfigurationSeconds,
                                           logger: Logger(label: "service"))
        adminSettings = configuration.admin
        let storageConfiguration = try StorageConfiguration(json: configuration.storage, file: configuration.mainFile)
        storage = try makeEventStorage(storageConfiguration, baseDirectory: FileManager.default.currentDirectoryPath,
                                       logger: Logger(label: "storage"))
        storageDescription = "\(storageConfiguration.typeName)"
        // Each connector's own root reportStrategy is set by the connector manager as it starts it.
        ingest = DataIngest(storage: storage, logger: Logger(label: "storage"),
                            reportStrategy: configuration.thingsboard.reportStrategy,
                            sendWaitsForWrite: storageConfiguration.isPersistent)
        client = ThingsBoardClient(configuration: connection, logger: Logger(label: "tb_connection"))
        certificateWatch = CertificateExpiryWatch(
            certificates: [("client", connection.tls?.certificateFile), ("ca", connection.tls?.caCertificateFile)].compactMap { role, file in
                file.map { CertificateExpiryWatch.Watched(role: role, file: $0) }
            },
            period: .seconds(configuration.thingsboard.certificateCheckPeriodSeconds),
            warnWithinDays: configuration.thingsboard.certificateDaysLeft, expiries: CertificateExpiries(),
            logger: Logger(label: "tb_connection"))
        uplink = Uplink(storage: storage, client: client, logger: Logger(label: "uplink"),
                        packSize: storageConfiguration.readPackSize)
        devices = DeviceRegistry(file: (configuration.directory as NSString).appendingPathComponent("connected_devices.json"),
                                 logger: Logger(label: "service"))
        sharedAttributeSync = configuration.thingsboard.syncDevicesSharedAttributesOnConnect
            ? SharedAttributeSync(logger: Logger(label: "service")) : nil
        inactivity = configuration.thingsboard.inactivity
        let filter = try configuration.thingsboard.deviceFilterFile.map { file throws(ConfigError) in
            try DeviceFilter(file: file)
        }
        let link = GatewayLink(ingest: ingest, client: client, devices: devices, filter: filter,
                               sharedAttributeSync: sharedAttributeSync,
                               logger: Logger(label: "service"))

        connectors = ConnectorManager(context: link, ingest: ingest, initial: loaded.connectors, logger: Logger(label: "service"),
                                      connectorRemoved: { name in await link.removeDevices(ofConnector: name) })
        // Devices persisted for connectors that are still configured keep their owner.
        devices.bind(to: loaded.connectors.filter { $0.document != nil }
            .map { ConnectorIdentity(name: $0.name, type: $0.type, id: $0.id) })
        statistics = StatisticsReporter(settings: configuration.thingsboard.statistics, configDirectory: configuration.directory,
                                        connectors: connectors, ingest: ingest, storage: storage, uplink: uplink,
                                        client: client, logger: Logger(label: "service"))
        let gatewayRPC = GatewayRPC(devices: devices, ingest: ingest, connectors: connectors, client: client,
                                    control: control, shell: configuration.thingsboard.remoteShell ? RemoteShell() : nil,
                                    configDirectory: configuration.directory,
                                    logger: Logger(label: "service"))
        remoteConfiguration = RemoteConfigurator(
            enabled: configuration.thingsboard.remoteConfiguration, mainFile: configuration.mainFile,
            files: ConfigurationFiles(directory: configuration.directory), environment: environment,
            thingsboardSection: configuration.thingsboard.raw, storageSection: configuration.storage,
            connectors: connectors, client: client, control: control, logger: Logger(label: "service"))
        inbound = InboundHandler(client: client, devices: devices, connectors: connectors, gatewayRPC: gatewayRPC,
                                 remoteConfiguration: remoteConfiguration,
                                 logger: Logger(label: "service"))
    }

    /// Shared-attribute sync on connect and the inactivity check, until cancelled.
    @Sendable func devicesActivity() async {
        let client = self.client, devices = self.devices, connectors = self.connectors
        await withDiscardingTaskGroup { group in
            if let sync = sharedAttributeSync {
                group.addTask { await sync.run(client: client, devices: devices, connectors: connectors) }
            }
            if let inactivity {
                group.addTask {
                    await InactivityMonitor(check: inactivity, devices: devices, client: client,
                                            logger: Logger(label: "service")).run()
                }
            }
        }
    }

    /// Serves the admin endpoints until cancelled; a port already taken costs the endpoint, not
    /// the gateway.
    @Sendable func admin() async {
        guard adminSettings.enabled else { return }
        let logger = Logger(label: "service")
        let endpoints = AdminEndpoints(connectors: connectors, ingest: ingest, storage: storage, uplink: uplink,
                                       client: client, devices: devices, certificates: certificateWatch.expiries)
        let server: AdminHTTPServer
        do {
            server = try await AdminHTTPServer(host: adminSettings.host, port: adminSettings.port) { method, path in
                await endpoints.respond(method: method, path: path)
            }
        } catch {
            logger.error("admin endpoint not started on \(adminSettings.host):\(adminSettings.port): \(error)")
            return
        }
        logger.info("admin endpoint listening", metadata: [
            "address": "http://\(adminSettings.host):\(server.port ?? adminSettings.port)",
            "paths": "/healthz /readyz /metrics /status"])
        while !Task.isCancelled { try? await Task.sleep(for: .seconds(3600)) }
        await server.close()
    }

    /// In start order; graceful shutdown runs in reverse: connectors stop first, then the writer
    /// flushes what they handed over, then the uplink and the ThingsBoard session end.
    var services: [any Service] {
        let client = self.client, uplink = self.uplink, ingest = self.ingest
        let connectors = self.connectors, fileWatcher = self.fileWatcher
        let inbound = self.inbound, statistics = self.statistics, remoteConfiguration = self.remoteConfiguration
        let devices = self.devices, certificateWatch = self.certificateWatch
        return [
            // First, so it stops last: its final save sees every change the others made.
            GatewayService("device-registry-file") { await devices.runFileSaver() },
            GatewayService("thingsboard") { await client.run() },
            GatewayService("inbound") { await inbound.run() },
            GatewayService("uplink") { await uplink.run() },
            GatewayService("storage-writer") { await ingest.runWriter() },
            GatewayService("report-strategies") { await ingest.runReporter() },
            GatewayService("admin") { await admin() },
            GatewayService("statistics") { await statistics.run() },
            GatewayService("remote-configuration") { await remoteConfiguration.run() },
            GatewayService("device-activity") { await devicesActivity() },
            GatewayService("remote-logging") { await RemoteLogPublisher(sink: .shared, client: client).run() },
            GatewayService("memory-upkeep") { await MemoryUpkeep.run(logger: Logger(label: "service")) },
            GatewayService("certificate-expiry") { await certificateWatch.run() },
            GatewayService("connectors") {
                await withDiscardingTaskGroup { group in
                    group.addTask { await connectors.run() }
                    // Start-up code is done: unmapping it before the connectors set up (with their
                    // parsed files still in memory) lowers the gateway's peak RSS.
                    MappedCodeTrim.dropCleanCodePages()
                    await connectors.applyInitial()
                    group.addTask { await fileWatcher.run(applyingTo: connectors) }
                }
            },
        ]
    }
}

/// A long-lived part of the gateway: runs its body until graceful shutdown cancels it.
struct GatewayService: Service, CustomStringConvertible {
    let description: String
    let body: @Sendable () async -> Void

    init(_ name: String, _ body: @escaping @Sendable () async -> Void) {
        self.description = name
        self.body = body
    }

    func run() async throws {
        let body = self.body
        await cancelWhenGracefulShutdown {
            await body()
            // A part with nothing (left) to do, e.g. no connector configured or every connector
            // refused its configuration, stays until shutdown: the ServiceGroup would otherwise
            // take its return for a failure and stop the whole gateway.
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(3600))
            }
        }
    }
}
