import GatewayKit
import HTTPConnectorKit
import Hummingbird
import HummingbirdTLS
import Logging
import NIOCore
import NIOSSL
import ServiceLifecycle

/// Registers the REST connector under type "rest".
public enum RESTConnectorFactory: ConnectorFactory {
    public static let type = "rest"

    public static func make(_ setup: ConnectorSetup) throws -> any Connector {
        let configuration = try RESTConnectorConfiguration.parse(setup.configuration, file: setup.configurationFile)
        return try RESTConnector(identity: setup.identity, configuration: configuration,
                                 configurationFile: setup.configurationFile, context: setup.context,
                                 logger: setup.logger)
    }
}

/// An HTTP(S) server devices push their readings to (reference §5.4 "REST"): each configured
/// endpoint converts requests into device readings for the gateway and answers with the
/// reference's status codes; attribute request endpoints return ThingsBoard's attributes;
/// attribute updates and RPCs go to device URLs (`requestsMapping`).
///
/// The server is a Hummingbird application run inside `run()`, its lifetime the connector task's
/// (the gateway's connector supervisor owns restart and back-off): cancelling that task shuts the
/// server down gracefully — the listening socket closes, held requests get 503, open connections
/// end.
public struct RESTConnector: DownlinkConnector {
    /// How long a stop waits for requests in flight before the server is cancelled.
    static let shutdownGrace = Duration.seconds(5)

    public let identity: ConnectorIdentity
    public let configuration: RESTConnectorConfiguration
    public let statistics = RESTConnectorStatistics()
    let downlink: HTTPDownlinkRules
    let sender: HTTPDownlinkSender
    let waiters: RESTResponseWaiters
    let responseAttributes: Set<String>
    let tls: TLSConfiguration?
    let context: any GatewayContext
    let logger: Logger
    /// Failed attribute writes: one log line per burst.
    let downlinkLog = SharedBurstLimiter()

    /// - Parameter maximumHeldRequests: `responseExpected` requests waiting at once; more get 503.
    public init(identity: ConnectorIdentity, configuration: RESTConnectorConfiguration, configurationFile: String,
                context: any GatewayContext, logger: Logger, clients: HTTPClients = .shared,
                maximumHeldRequests: Int = 1024) throws(ConfigError) {
        self.identity = identity
        self.configuration = configuration
        self.context = context
        self.logger = logger
        downlink = try configuration.requestsMapping.map { reader throws(ConfigError) in
            try HTTPDownlinkRules(reader, defaults: .rest)
        } ?? HTTPDownlinkRules()
        // The reference prefixes a relative device URL with "http://".
        sender = HTTPDownlinkSender(clients: clients, baseURL: nil, logger: logger)
        waiters = RESTResponseWaiters(capacity: maximumHeldRequests)
        responseAttributes = configuration.responseAttributes
        tls = try configuration.server.tls.map { files throws(ConfigError) in
            try RESTServerTLS.configuration(files, file: configurationFile)
        }
    }

    public func traffic() -> ConnectorTraffic? { statistics.traffic }

    /// Serves until cancelled (a normal stop, returns without error); throws when the address
    /// cannot be bound.
    public func run() async throws {
        let server = configuration.server
        if !configuration.legacyRewrites.isEmpty {
            logger.info("Old REST connector configuration format detected; converted automatically",
                        metadata: ["rewritten": "\(configuration.legacyRewrites.joined(separator: ", "))"])
        }
        // Entries meant for get/set (a catch-all filter such as ".*" is not worth a warning).
        let shadowed = downlink.serverSideRpc.filter { rule in
            ["get", "set", "\(identity.type)_get", "\(identity.type)_set"].contains { rule.nameFilter.matches($0) }
                && !rule.nameFilter.matches("any-other-method")
        }.map(\.configPath) + responseAttributes.filter { HTTPReservedRPC.reservedMethod($0, connectorType: identity.type) != nil }
        if !shadowed.isEmpty {
            logger.warning("RPC methods get and set are the reserved RPCs (their params describe the request), as in the reference; these entries never receive them",
                           metadata: ["entries": "\(shadowed.joined(separator: ", "))"])
        }
        let handler = RESTRequestHandler(identity: identity, configuration: configuration, context: context,
                                         logger: logger, statistics: statistics, waiters: waiters)
        let endpoints = configuration.endpoints.map(\.path).joined(separator: ", ")
        let logger = self.logger
        let responder = RESTResponder(handler: handler)
        let address = ApplicationConfiguration(address: .hostname(server.host, port: server.port), serverName: nil,
                                               reuseAddress: true)
        let announce: @Sendable (any Channel) async -> Void = { channel in
            logger.info("REST connector listening", metadata: [
                "address": "\(channel.localAddress.map { "\($0)" } ?? "\(server.host):\(server.port)")",
                "tls": "\(server.tls != nil)", "endpoints": "\(endpoints)",
            ])
        }
        let app = if let tls {
            Application(responder: responder, server: try .tls(.http1(), tlsConfiguration: tls),
                        configuration: address, onServerRunning: announce, logger: logger)
        } else {
            Application(responder: responder, configuration: address, onServerRunning: announce, logger: logger)
        }
        let waiters = self.waiters
        // A stop is a graceful shutdown of the server, never a cancellation reaching Hummingbird:
        // a cancelled server tears down a just-accepted connection mid-setup and NIO traps
        // ("Deinited NIOAsyncWriter without calling finish()"), which would take the whole
        // gateway down. Graceful: no new connections, idle ones closed, requests in flight
        // finish (held ones are released with 503 by `waiters.close()`); after
        // `Self.shutdownGrace` the server task is cancelled anyway, so a stop stays bounded.
        let services = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: logger))
        let serving = Task { try await services.run() }
        do {
            try await withTaskCancellationHandler {
                try await serving.value
            } onCancel: {
                waiters.close()
                Task {
                    await services.triggerGracefulShutdown()
                    try? await Task.sleep(for: Self.shutdownGrace)
                    serving.cancel()
                }
            }
        } catch is CancellationError {
            // A normal stop.
        }
        waiters.close()
        logger.info("REST connector stopped")
    }
}
