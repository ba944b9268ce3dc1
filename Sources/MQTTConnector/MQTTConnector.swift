import Foundation
import GatewayKit
import Logging
import MQTT

/// Registers the MQTT connector under type "mqtt".
public enum MQTTConnectorFactory: ConnectorFactory {
    public static let type = "mqtt"

    public static func make(_ setup: ConnectorSetup) throws -> any Connector {
        let configuration = try MQTTConnectorConfiguration.parse(setup.configuration, file: setup.configurationFile)
        return try MQTTConnector(identity: setup.identity, configuration: configuration,
                                 configurationFile: setup.configurationFile, context: setup.context,
                                 logger: setup.logger)
    }
}

/// Subscribes to an external MQTT broker and turns the messages of the configured topics into
/// device readings for the gateway (reference §5.1, uplink side).
///
/// Two child tasks: one keeps the broker connection up (reconnecting with back-off and
/// subscribing every filter again on each connect), the other is the single consumer of the
/// client's messages, converting and handing them to the gateway in arrival order. When the
/// gateway applies back-pressure the consumer waits, the client's buffer fills and the broker
/// connection stops being read: nothing is dropped.
public struct MQTTConnector: Connector {
    public let identity: ConnectorIdentity
    public let configuration: MQTTConnectorConfiguration
    public let statistics = MQTTConnectorStatistics()
    let router: MQTTUplinkRouter
    let context: any GatewayContext
    let logger: Logger
    let reconnectBackoff: ExponentialBackoff

    /// - Parameter reconnectBackoff: delays between failed connection attempts; by default
    ///   0.5 s doubling up to the reference's 10 s, with jitter.
    public init(identity: ConnectorIdentity, configuration: MQTTConnectorConfiguration, configurationFile: String,
                context: any GatewayContext, logger: Logger,
                reconnectBackoff: ExponentialBackoff = ExponentialBackoff(initial: .milliseconds(500),
                                                                          maximum: .seconds(10))) throws(ConfigError) {
        self.identity = identity
        self.configuration = configuration
        self.context = context
        self.logger = logger
        self.reconnectBackoff = reconnectBackoff
        self.router = try MQTTUplinkRouter(configuration: configuration, file: configurationFile, logger: logger)
    }

    /// Runs until cancelled (a normal stop, returns without error).
    public func run() async throws {
        let broker = configuration.broker
        if !configuration.legacyRewrites.isEmpty {
            logger.info("Old MQTT connector configuration format detected; converted automatically",
                        metadata: ["rewritten": "\(configuration.legacyRewrites.joined(separator: ", "))"])
        }
        for skipped in router.skipped {
            logger.error("Mapping left out: \(skipped)")
        }
        logger.info("MQTT connector starting", metadata: [
            "broker": "\(broker.host):\(broker.port)", "mappings": "\(router.routes.count)",
            "subscriptions": "\(router.subscriptions.count)",
        ])
        let client = MQTTClient(configuration: broker.clientConfiguration(), logger: logger)
        do {
            try await withThrowingDiscardingTaskGroup { group in
                group.addTask { await consumeMessages(client) }
                group.addTask { try await maintainConnection(client) }
            }
        } catch is CancellationError {
            // A normal stop.
        } catch {
            await client.shutdown()
            throw error
        }
        await client.shutdown()
        logger.info("MQTT connector stopped")
    }

    // MARK: connection

    private func maintainConnection(_ client: MQTTClient) async throws {
        let broker = configuration.broker
        var events = client.connectionEvents.makeAsyncIterator()
        var backoff = reconnectBackoff
        var failures = 0
        var errorLog = BurstLimiter(window: .seconds(60))
        while !Task.isCancelled {
            do {
                _ = try await client.connect()
            } catch {
                failures += 1
                statistics.countFailedConnection()
                let delay = backoff.next()
                if let suppressed = errorLog.shouldLog() {
                    logger.warning("Cannot connect to broker \(broker.host):\(broker.port): \(error); retrying",
                                   metadata: ["failedAttempts": "\(failures)", "suppressedSinceLastLog": "\(suppressed)"])
                } else {
                    logger.debug("Cannot connect to broker: \(error)", metadata: ["failedAttempts": "\(failures)"])
                }
                try await Task.sleep(for: delay)
                continue
            }
            statistics.countConnection()
            logger.info("Connected to broker \(broker.host):\(broker.port)",
                        metadata: failures > 0 ? ["afterFailedAttempts": "\(failures)"] : [:])
            failures = 0
            backoff.reset()
            errorLog = BurstLimiter(window: .seconds(60))
            await subscribeAll(client)

            // Wait for this connection to end; `.connected` events are the one we just made.
            var lost = false
            while let event = await events.next() {
                if case .disconnected(let reason) = event {
                    logger.warning("Connection to broker lost\(reason.map { ": \($0)" } ?? ""); reconnecting")
                    lost = true
                    break
                }
            }
            guard lost else { return }  // Cancelled (the stream ends only with the client).
        }
    }

    private func subscribeAll(_ client: MQTTClient) async {
        let subscriptions = router.subscriptions
        guard !subscriptions.isEmpty else {
            statistics.countSubscribed()
            return
        }
        do {
            let results = try await client.subscribe(subscriptions)
            statistics.countSubscribed()
            for (subscription, result) in zip(subscriptions, results) {
                if let granted = result.grantedQoS {
                    logger.debug("Subscribed", metadata: ["filter": "\(subscription.filter)", "qos": "\(granted.rawValue)"])
                } else {
                    logger.error("Broker refused subscription",
                                 metadata: ["filter": "\(subscription.filter)", "reason": "\(result.reasonCode)"])
                }
            }
        } catch {
            // The connection went away meanwhile: the next connect subscribes again.
            logger.warning("Subscribing failed: \(error)")
        }
    }

    // MARK: messages

    private func consumeMessages(_ client: MQTTClient) async {
        var malformedLog = BurstLimiter()
        var rejectedLog = BurstLimiter()
        for await message in client.messages {
            statistics.countReceived()
            let uplink = MQTTUplinkMessage(topic: message.topic, payload: message.payload,
                                           receivedAt: Self.currentMilliseconds())
            let result = router.route(uplink)
            if !result.matched {
                statistics.countUnmatched()
                logger.debug("Message on a topic no mapping or request handles", metadata: ["topic": "\(message.topic)"])
                continue
            }
            for problem in result.problems {
                statistics.countMalformed()
                if let suppressed = malformedLog.shouldLog() {
                    logger.warning("Message not (fully) converted: \(problem)",
                                   metadata: ["topic": "\(message.topic)", "suppressedSinceLastLog": "\(suppressed)",
                                              "malformedTotal": "\(statistics.snapshot.malformedMessages)"])
                }
            }
            for event in result.deviceEvents {
                // TODO: announce the device to the gateway (v1/gateway/connect / disconnect) once
                // GatewayContext has a device-lifecycle API; until then it is counted and logged.
                switch event {
                case .connect(let name, let profile):
                    statistics.countConnectRequest()
                    logger.info("Connect request (not forwarded yet)", metadata: ["device": "\(name)", "profile": "\(profile)"])
                case .disconnect(let name):
                    statistics.countDisconnectRequest()
                    logger.info("Disconnect request (not forwarded yet)", metadata: ["device": "\(name)"])
                }
            }
            for data in result.data {
                switch await context.send(data, from: identity) {
                case .accepted:
                    statistics.countSent()
                case .rejected(let reason):
                    statistics.countRejected()
                    if let suppressed = rejectedLog.shouldLog() {
                        logger.warning("Gateway refused readings: \(reason)",
                                       metadata: ["device": "\(data.deviceName)", "suppressedSinceLastLog": "\(suppressed)"])
                    }
                }
            }
        }
    }

    static func currentMilliseconds() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
    }
}
