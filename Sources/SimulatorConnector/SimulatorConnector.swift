import GatewayKit
import Logging

/// Registers the simulator under type "simulator".
public enum SimulatorConnectorFactory: ConnectorFactory {
    public static let type = "simulator"

    public static func make(_ setup: ConnectorSetup) throws -> any Connector {
        let configuration = try SimulatorConfiguration.parse(setup.configuration, file: setup.configurationFile)
        return SimulatorConnector(identity: setup.identity, configuration: configuration,
                                  context: setup.context, logger: setup.logger)
    }
}

/// A connector that invents device data: counters, sine waves, random walks, constants and
/// attributes at configured rates, for trying dashboards and load-testing the gateway.
public struct SimulatorConnector: Connector {
    public let identity: ConnectorIdentity
    public let configuration: SimulatorConfiguration
    let context: any GatewayContext
    let logger: Logger

    public init(identity: ConnectorIdentity, configuration: SimulatorConfiguration,
                context: any GatewayContext, logger: Logger) {
        self.identity = identity
        self.configuration = configuration
        self.context = context
        self.logger = logger
    }

    /// Runs every device group as a child task until cancelled; cancellation is a normal stop.
    public func run() async throws {
        let origin = ContinuousClock.now
        let deviceCount = configuration.devices.reduce(0) { $0 + $1.count }
        logger.info("Simulator started", metadata: ["devices": "\(deviceCount)"])
        do {
            try await withThrowingDiscardingTaskGroup { tasks in
                for group in configuration.devices {
                    let runner = DeviceGroupRunner(group: group, identity: identity, context: context,
                                                   logger: logger, origin: origin)
                    tasks.addTask { try await runner.run() }
                }
            }
            // Every device reached its maxReadings: stay idle until stopped, because returning
            // would make the supervisor restart the simulation from the beginning.
            logger.info("Simulator finished all readings; idle until stopped")
            try await Task.sleep(for: .seconds(Int64.max / 2_000_000_000))
        } catch is CancellationError {
            logger.info("Simulator stopped")
        }
    }
}
