import GatewayKit
import HTTPConnectorKit
import Logging
import NIOCore
import NIOSSL

/// Registers the REST connector under type "rest".
public enum RESTConnectorFactory: ConnectorFactory {
    public static let type = "rest"

    public static func make(_ setup: ConnectorSetup) throws -> any Connector {
        let configuration = try RESTConnectorConfiguration.parse(setup.configuration, file: setup.configurationFile)
        return try RESTConnector(identity: setup.identity, configuration: configuration,
                                 configurationFile: setup.configurationFile, context: setup.context,
                                 logger: setup.logger, converterLogger: setup.converterLogger)
    }
}

/// An HTTP(S) server devices push their readings to (reference §5.4 "REST"): each configured
/// endpoint converts requests into device readings for the gateway and answers with the
/// reference's status codes; attribute request endpoints return ThingsBoard's attributes;
/// attribute updates and RPCs go to device URLs (`requestsMapping`).
///
/// The server (`RESTHTTPServer`, SwiftNIO) runs inside `run()`, its lifetime the connector task's
/// (the gateway's connector supervisor owns restart and back-off): cancelling that task shuts the
/// server down gracefully — the listening socket closes, held requests get 503, open connections
/// end once answered.
public struct RESTConnector: DownlinkConnector {
    /// How long a stop waits for requests in flight before their connections are closed.
    static let shutdownGrace = TimeAmount.seconds(5)

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
    /// Conversion failures go here: the reference's `<connector name>_converter` logger.
    let converterLogger: Logger
    /// Failed attribute writes: one log line per burst.
    let downlinkLog = SharedBurstLimiter()

    /// - Parameter maximumHeldRequests: `responseExpected` requests waiting at once; more get 503.
    public init(identity: ConnectorIdentity, configuration: RESTConnectorConfiguration, configurationFile: String,
                context: any GatewayContext, logger: Logger, converterLogger: Logger? = nil,
                clients: HTTPClients = .shared, maximumHeldRequests: Int = 1024) throws(ConfigError) {
        self.identity = identity
        self.configuration = configuration
        self.context = context
        self.logger = logger
        self.converterLogger = converterLogger ?? logger
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

    public var configurationWarnings: [String] {
        // Entries meant for get/set (a catch-all filter such as ".*" is not worth a warning).
        let shadowed = downlink.serverSideRpc.filter { rule in
            ["get", "set", "\(identity.type)_get", "\(identity.type)_set"].contains { rule.nameFilter.matches($0) }
                && !rule.nameFilter.matches("any-other-method")
        }.map(\.configPath) + responseAttributes.filter { HTTPReservedRPC.reservedMethod($0, connectorType: identity.type) != nil }
        guard !shadowed.isEmpty else { return [] }
        return ["RPC methods get and set are the reserved RPCs (their params describe the request), as in the reference; "
                + "these entries never receive them: \(shadowed.joined(separator: ", "))"]
    }

    /// Serves until cancelled (a normal stop, returns without error); throws when the address
    /// cannot be bound.
    public func run() async throws {
        let server = configuration.server
        if !configuration.legacyRewrites.isEmpty {
            logger.info("Old REST connector configuration format detected; converted automatically",
                        metadata: ["rewritten": "\(configuration.legacyRewrites.joined(separator: ", "))"])
        }
        for warning in configurationWarnings {
            logger.warning("\(warning)")
        }
        let deliveries = RESTDeliveryQueue()
        let handler = RESTRequestHandler(identity: identity, configuration: configuration, context: context,
                                         logger: logger, converterLogger: converterLogger,
                                         statistics: statistics, waiters: waiters,
                                         deliveries: deliveries)
        let tlsContext = try tls.map { try NIOSSLContext(configuration: $0) }
        let listening = try await RESTHTTPServer.start(host: server.host, port: server.port, tls: tlsContext,
                                                       handler: handler, maxBodySize: server.maxBodySize)
        logger.info("REST connector listening", metadata: [
            "address": "\(listening.localAddress.map { "\($0)" } ?? "\(server.host):\(server.port)")",
            "tls": "\(server.tls != nil)",
            "endpoints": "\(configuration.endpoints.map(\.path).joined(separator: ", "))",
        ])
        // Its loop does not stop on cancellation: the readings of requests in flight are still
        // handed over while the server stops; `close()` ends it once they are.
        async let delivering: Void = deliveries.run(context: context, identity: identity)
        do {
            // Held requests are released with 503 first, so their connections can answer and
            // close within the grace period.
            try await listening.serveUntilCancelled(grace: Self.shutdownGrace, beforeQuiescing: { [waiters] in
                waiters.close()
            })
        } catch {
            deliveries.close()
            await delivering
            throw error
        }
        deliveries.close()
        await delivering
        logger.info("REST connector stopped")
    }
}
