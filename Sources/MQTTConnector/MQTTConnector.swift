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
                                 logger: setup.logger, converterLogger: setup.converterLogger)
    }

    public static let offersMessageTrial = true

    public static func messageTrial(configuration: JSONValue, file: String) throws -> (any MessageTrial)? {
        try MQTTConversionPreview(connectorConfiguration: configuration, file: file)
    }
}

/// Subscribes to an external MQTT broker and turns the messages of the configured topics into
/// device readings for the gateway; publishes attribute updates and RPCs to the devices and
/// answers their attribute requests (reference §5.1).
///
/// Three child tasks: one keeps the broker connection up (reconnecting with back-off and
/// subscribing every filter again on each connect), one is the single consumer of the client's
/// messages, converting and handing them to the gateway in arrival order (and passing answers
/// to waiting two-way RPCs), one serves the devices' attribute requests. When the gateway applies
/// back-pressure the consumer waits, the client's buffer fills and the broker connection stops
/// being read: nothing is dropped. Downlink calls (`handleRPC`, `handleAttributeUpdate`) run on
/// the gateway's tasks and use the client of the running connector.
public struct MQTTConnector: Connector {
    public let identity: ConnectorIdentity
    public let configuration: MQTTConnectorConfiguration
    public let statistics = MQTTConnectorStatistics()
    let router: MQTTUplinkRouter
    let downlink: MQTTDownlinkRules
    let client = MQTTClientSlot()
    let responses = MQTTResponseWaiters()
    let subscriptionIdentifiers = MQTTSubscriptionIdentifiers()
    /// Attribute updates no entry publishes: logged once per burst, not once per update.
    let unpublishedUpdateLog = SharedBurstLimiter()
    let context: any GatewayContext
    let logger: Logger
    /// Conversion problems (and custom converters' own records) go here: the reference's
    /// `<name>_converter` logger, with its own file.
    let converterLogger: Logger
    /// Messages whose acknowledgement waits for storage (`acknowledgeAfterStorage`).
    private let storedAcknowledgements = MQTTStoredAcknowledgement.Outstanding()
    let reconnectBackoff: ExponentialBackoff

    /// - Parameter reconnectBackoff: delays between failed connection attempts; by default
    ///   0.5 s doubling up to the reference's 10 s, with jitter.
    public init(identity: ConnectorIdentity, configuration: MQTTConnectorConfiguration, configurationFile: String,
                context: any GatewayContext, logger: Logger, converterLogger: Logger? = nil,
                reconnectBackoff: ExponentialBackoff = ExponentialBackoff(initial: .milliseconds(500),
                                                                          maximum: .seconds(10))) throws(ConfigError) {
        self.identity = identity
        self.configuration = configuration
        self.context = context
        self.logger = logger
        self.converterLogger = converterLogger ?? logger
        self.reconnectBackoff = reconnectBackoff
        self.router = try MQTTUplinkRouter(configuration: configuration, file: configurationFile,
                                           logger: self.converterLogger)
        self.downlink = MQTTDownlinkRules(requests: configuration.requests, connectorType: identity.type)
    }

    /// Attribute requests waiting for a worker; more are dropped (and logged) rather than queued
    /// without bound behind a slow ThingsBoard.
    static let attributeRequestBacklog = 4096

    public func traffic() -> ConnectorTraffic? { statistics.traffic }

    public var configurationWarnings: [String] {
        var warnings = router.skipped.map { "Mapping left out: \($0)" }
        if configuration.broker.acknowledgeAfterStorage, !configuration.broker.keepsSession {
            warnings.append("""
                broker.acknowledgeAfterStorage is ignored with a clean session: the broker forgets \
                unacknowledged messages when the connection ends (set cleanSession false, or for MQTT 5 \
                cleanStart false and a sessionExpiryInterval)
                """)
        }
        return warnings
    }

    /// Runs until cancelled (a normal stop, returns without error).
    public func run() async throws {
        let broker = configuration.broker
        if !configuration.legacyRewrites.isEmpty {
            logger.info("Old MQTT connector configuration format detected; converted automatically",
                        metadata: ["rewritten": "\(configuration.legacyRewrites.joined(separator: ", "))"])
        }
        for warning in configurationWarnings {
            logger.error("\(warning)")
        }
        logger.info("MQTT connector starting", metadata: [
            "broker": "\(broker.host):\(broker.port)", "mappings": "\(router.routes.count)",
            "subscriptions": "\(router.subscriptions.count)",
        ])
        let client = MQTTClient(configuration: broker.clientConfiguration(), logger: logger)
        self.client.attach(client)
        let (attributeRequests, attributeRequestQueue) = AsyncStream.makeStream(
            of: MQTTAttributeRequestCall.self, bufferingPolicy: .bufferingOldest(Self.attributeRequestBacklog))
        do {
            try await withThrowingDiscardingTaskGroup { group in
                group.addTask { await consumeMessages(client, attributeRequests: attributeRequestQueue) }
                group.addTask { try await maintainConnection(client) }
                group.addTask { await serveAttributeRequests(attributeRequests, client: client) }
            }
        } catch is CancellationError {
            // A normal stop.
        } catch {
            self.client.detach()
            await client.shutdown()
            throw error
        }
        await storedAcknowledgements.settle(within: .seconds(2))
        self.client.detach()
        await client.shutdown()
        logger.info("MQTT connector stopped")
    }

    // MARK: connection

    static let filtersPerSubscribe = 8

    /// A connection that lasted this long resets the reconnect delay.
    static let stableConnection: Duration = .seconds(10)

    private func maintainConnection(_ client: MQTTClient) async throws {
        let broker = configuration.broker
        var events = client.connectionEvents.makeAsyncIterator()
        var backoff = reconnectBackoff
        var failures = 0
        var errorLog = BurstLimiter(window: .seconds(60))
        var lossLog = BurstLimiter(window: .seconds(60))
        while !Task.isCancelled {
            let connAck: MQTTConnAck
            do {
                connAck = try await client.connect()
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
            let connectedAt = ContinuousClock.now
            await subscribeAll(client, identified: subscriptionIdentifiers.decide(version: broker.version, connAck: connAck))

            // Wait for this connection to end; `.connected` events are the one we just made.
            var lost = false
            while let event = await events.next() {
                if case .disconnected(let reason) = event {
                    if let suppressed = lossLog.shouldLog() {
                        logger.warning("Connection to broker lost\(reason.map { ": \($0)" } ?? ""); reconnecting",
                                       metadata: ["suppressedSinceLastLog": "\(suppressed)"])
                    }
                    lost = true
                    break
                }
            }
            guard lost else { return }  // Cancelled (the stream ends only with the client).
            // Never straight back: a broker that drops the connection at once (another client
            // with the same client id, a refused subscription, a per-client connect limit) would
            // be hammered and the log flooded. The delay starts over once a connection lasted.
            if ContinuousClock.now - connectedAt >= Self.stableConnection {
                backoff.reset()
                errorLog = BurstLimiter(window: .seconds(60))
            }
            try await Task.sleep(for: max(.seconds(1), backoff.next()))
        }
    }

    /// - Parameter identified: each mapping filter goes in a SUBSCRIBE of its own carrying its
    ///   subscription identifier (MQTT 5), so a message tells which subscriptions it came for.
    private func subscribeAll(_ client: MQTTClient, identified: Bool) async {
        // Response topics of two-way RPCs in progress too: a clean session forgot them.
        let pending = responses.filters.compactMap { try? MQTTTopicFilter($0) }.filter { !router.covers($0) }
            .map { MQTTSubscription(filter: $0.filter, qos: .atLeastOnce) }
        // At most 8 filters per SUBSCRIBE: AWS IoT Core refuses more in one packet (the
        // reference sends one packet per filter).
        func batches(_ subscriptions: [MQTTSubscription]) -> [[MQTTSubscription]] {
            stride(from: 0, to: subscriptions.count, by: Self.filtersPerSubscribe).map {
                Array(subscriptions[$0..<min($0 + Self.filtersPerSubscribe, subscriptions.count)])
            }
        }
        let packets: [(filters: [MQTTSubscription], identifier: UInt32?)] = identified
            ? router.subscriptions.map { ([$0], MQTTUplinkRouter.subscriptionIdentifier(for: $0.filter)) }
                + batches(pending).map { ($0, nil) }
            : batches(router.subscriptions + pending).map { ($0, nil) }
        guard !packets.isEmpty else {
            statistics.countSubscribed()
            return
        }
        do {
            // Sent together: one round trip for any number of packets.
            let answered = try await withThrowingTaskGroup(of: [(MQTTSubscription, MQTTSubscribeResult?)].self) { group in
                for packet in packets {
                    group.addTask {
                        let answers = try await client.subscribe(
                            packet.filters, properties: MQTTSubscribeProperties(subscriptionIdentifier: packet.identifier))
                        return packet.filters.enumerated().map { ($1, $0 < answers.count ? answers[$0] : nil) }
                    }
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
            let results = answered.compactMap { pair in pair.1.map { (pair.0, $0) } }
            let unanswered = answered.filter { $0.1 == nil }.map(\.0.filter)
            if identified, !unanswered.isEmpty || results.contains(where: { $0.1.grantedQoS == nil }) {
                subscriptionIdentifiers.stopUsing()
            }
            statistics.countSubscribed()
            if !unanswered.isEmpty {
                logger.error("Broker answered fewer subscriptions than asked; the unanswered filters may receive nothing",
                             metadata: ["filters": "\(unanswered.joined(separator: ", "))"])
            }
            for (subscription, result) in results {
                if let granted = result.grantedQoS {
                    logger.debug("Subscribed", metadata: ["filter": "\(subscription.filter)", "qos": "\(granted.rawValue)"])
                } else {
                    logger.error("Broker refused subscription",
                                 metadata: ["filter": "\(subscription.filter)", "reason": "\(result.reasonCode)"])
                }
            }
        } catch is CancellationError {
            // The connector is stopping.
        } catch {
            // The connection went away meanwhile (or was closed for a SUBACK that never came):
            // the next connect subscribes again.
            logger.warning("Subscribing failed: \(error)")
        }
    }

    // MARK: messages

    private func consumeMessages(_ client: MQTTClient,
                                 attributeRequests: AsyncStream<MQTTAttributeRequestCall>.Continuation) async {
        defer { attributeRequests.finish() }
        var malformedLog = BurstLimiter()
        var rejectedLog = BurstLimiter()
        var droppedLog = BurstLimiter()
        for await message in client.messages {
            statistics.countReceived(bytes: message.payload.readableBytes)
            // An answer to a two-way RPC; mappings of the same topic still get it below.
            let answeredRPC = responses.deliver(message)
            let uplink = MQTTUplinkMessage(topic: message.topic, payload: message.payload,
                                           receivedAt: Self.currentMilliseconds())
            // Without identifiers (MQTT 3.1.1, a broker that sends none, an RPC response topic
            // the downlink subscribed), every matching mapping takes the message.
            let identifiers = message.properties.subscriptionIdentifiers
            let result = router.route(uplink, subscriptions: subscriptionIdentifiers.areInUse && !identifiers.isEmpty
                                      ? identifiers : nil)
            if !result.matched {
                message.acknowledgement.map(client.acknowledge)
                if answeredRPC { continue }
                statistics.countUnmatched()
                logger.debug("Message on a topic no mapping or request handles", metadata: ["topic": "\(message.topic)"])
                continue
            }
            for problem in result.problems {
                statistics.countMalformed()
                if let suppressed = malformedLog.shouldLog() {
                    converterLogger.warning("Message not (fully) converted: \(problem)",
                                   metadata: ["topic": "\(message.topic)", "suppressedSinceLastLog": "\(suppressed)",
                                              "malformedTotal": "\(statistics.snapshot.malformedMessages)"])
                }
            }
            for event in result.deviceEvents {
                switch event {
                case .connect(let name, let profile):
                    statistics.countConnectRequest()
                    logger.info("Connecting device", metadata: ["device": "\(name)", "profile": "\(profile)"])
                    await context.connectDevice(name, type: profile, from: identity)
                case .disconnect(let name):
                    statistics.countDisconnectRequest()
                    logger.info("Disconnecting device", metadata: ["device": "\(name)"])
                    await context.disconnectDevice(name, from: identity)
                case .attributeRequest(let request):
                    statistics.countAttributeRequest()
                    if case .dropped = attributeRequests.yield(request) {
                        statistics.countAttributeRequestFailed()
                        if let suppressed = droppedLog.shouldLog() {
                            logger.warning("Too many attribute requests waiting for ThingsBoard; request dropped",
                                           metadata: ["device": "\(request.deviceName)", "suppressedSinceLastLog": "\(suppressed)"])
                        }
                    }
                }
            }
            // Queued, not awaited through the write: the broker was already acknowledged (or is
            // acknowledged once the write is done: `acknowledgeAfterStorage`), and waiting for each
            // commit would pace the stream at one message per write.
            let stored = message.acknowledgement.map {
                MQTTStoredAcknowledgement(client: client, acknowledgement: $0, pieces: result.data.count + 1,
                                          outstanding: storedAcknowledgements)
            }
            defer { stored?.pieceDone() }
            for data in result.data {
                let outcome = if let stored {
                    await context.submit(data, from: identity, whenStored: { stored.pieceDone($0) })
                } else {
                    await context.submit(data, from: identity)
                }
                switch outcome {
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

    static func currentMilliseconds() -> Int64 { WallClock.milliseconds() }
}
