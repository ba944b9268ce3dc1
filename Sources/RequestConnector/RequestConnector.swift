import GatewayKit
import HTTPConnectorKit
import Logging

/// Registers the Request connector under type "request".
public enum RequestConnectorFactory: ConnectorFactory {
    public static let type = "request"

    public static func make(_ setup: ConnectorSetup) throws -> any Connector {
        let configuration = try RequestConnectorConfiguration.parse(setup.configuration, file: setup.configurationFile,
                                                                    logger: setup.converterLogger)
        return RequestConnector(identity: setup.identity, configuration: configuration, context: setup.context,
                                logger: setup.logger, converterLogger: setup.converterLogger)
    }
}

/// Polls HTTP endpoints of devices and turns their answers into device readings (reference
/// §5.4 "Request"); writes ThingsBoard's attribute updates and RPCs to devices as HTTP requests.
///
/// Each mapping is polled by its own child task, so a slow or dead endpoint never delays the
/// others. A mapping's polls never overlap: a tick that comes while the previous poll (bounded by
/// `timeout` × `tries`) still runs is skipped and counted. Failures (refused, timed out, error
/// status, nothing at `dataUnpackExpression`, a failed sub-request) are counted and logged once
/// per burst per mapping, and a recovery is logged once; answers that cannot be converted are
/// counted too and logged by the converter logger. When the gateway applies back-pressure the
/// mapping's task waits before its next poll.
public struct RequestConnector: Connector {
    public let identity: ConnectorIdentity
    public let configuration: RequestConnectorConfiguration
    public let statistics = RequestConnectorStatistics()
    let context: any GatewayContext
    let logger: Logger
    /// Answers that could not be converted: the reference's `<connector name>_converter` logger.
    let converterLogger: Logger
    let clients: HTTPClients
    let sender: HTTPDownlinkSender
    /// Attribute updates no entry writes: logged once per burst, not once per update.
    let unmatchedUpdateLog = SharedBurstLimiter()
    let failedWriteLog = SharedBurstLimiter()

    /// - Parameter clients: the HTTP clients to use; the process-wide pair by default.
    public init(identity: ConnectorIdentity, configuration: RequestConnectorConfiguration, context: any GatewayContext,
                logger: Logger, converterLogger: Logger? = nil, clients: HTTPClients = .shared) {
        self.identity = identity
        self.configuration = configuration
        self.context = context
        self.logger = logger
        self.converterLogger = converterLogger ?? logger
        self.clients = clients
        self.sender = HTTPDownlinkSender(clients: clients, baseURL: configuration.root.baseURL, logger: logger)
    }

    public func traffic() -> ConnectorTraffic? { statistics.traffic }

    public var configurationWarnings: [String] {
        configuration.skipped.map { "Mapping left out: \($0)" } + configuration.mappings.flatMap { mapping in
            mapping.subRequests.filter { !$0.isSupported }.map {
                "\(mapping.configPath).subRequests.\($0.key): processingFunction is Python code, which this gateway does not run; this sub-request is not made"
            }
        }
    }

    /// Runs until cancelled (a normal stop, returns without error).
    public func run() async throws {
        for warning in configurationWarnings {
            logger.error("\(warning)")
        }
        logger.info("Request connector starting", metadata: [
            "host": "\(configuration.root.baseURL)", "mappings": "\(configuration.mappings.count)",
            "attributeUpdates": "\(configuration.downlink.attributeUpdates.count)",
            "serverSideRpc": "\(configuration.downlink.serverSideRpc.count)",
        ])
        await withDiscardingTaskGroup { group in
            for mapping in configuration.mappings {
                let poller = RequestPoller(mapping: mapping, clients: clients, context: context, identity: identity,
                                           statistics: statistics, logger: logger, converterLogger: converterLogger)
                group.addTask { await poller.run() }
            }
        }
        logger.info("Request connector stopped")
    }
}
