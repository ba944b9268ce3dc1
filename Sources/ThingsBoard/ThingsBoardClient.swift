import GatewayKit
import Logging
import MQTT
import NIOCore
import NIOPosix

/// The gateway's MQTT session with ThingsBoard: connects (and reconnects with exponential
/// back-off and jitter), subscribes, asks for the session limits, re-announces every known
/// device on every (re)connect, throttles publishes to the rate limits and decodes what the
/// server sends. One instance per gateway; `run()` lives as long as the gateway.
public actor ThingsBoardClient {
    public enum State: Sendable, Equatable {
        case idle, connecting, ready, disconnected, stopped
    }

    public struct Statistics: Sendable, Equatable {
        public var connected: Bool = false
        public var connects: Int64 = 0
        public var messagesPublished: Int64 = 0
        public var datapointsPublished: Int64 = 0
        public var publishFailures: Int64 = 0
        public var messagesReceived: Int64 = 0
    }

    public nonisolated let configuration: ThingsBoardConnectionConfiguration
    /// Requests and updates from ThingsBoard, in arrival order. Single consumer.
    public nonisolated let inbound: AsyncStream<ThingsBoardInbound>
    private let inboundContinuation: AsyncStream<ThingsBoardInbound>.Continuation
    private nonisolated let mqtt: MQTTClient
    private let logger: Logger

    public private(set) var state: State = .idle
    public private(set) var limits: SessionLimits
    /// When ThingsBoard last answered QUOTA_EXCEEDED.
    private var lastQuotaRefusal: ContinuousClock.Instant?
    private var gatewayBuckets: Buckets
    private var deviceBuckets: Buckets
    private var stats = Statistics()

    /// Devices announced with `v1/gateway/connect` (name → device type), re-announced after
    /// every reconnect: the reference only re-binds them on their next telemetry.
    private var knownDevices: OrderedDictionary<String, String> = [:]
    private var announcedThisSession: Set<String> = []
    /// Devices reported disconnected while a session was being set up (and perhaps announcing them).
    private var disconnectedDuringSetup: Set<String> = []

    private var readyWaiters: [Int: CheckedContinuation<Void, any Error>] = [:]
    private var disconnectWaiter: CheckedContinuation<Void, Never>?
    private var sessionAlive = false
    private var nextWaiterID = 0

    /// Client-side RPCs to the server (`getSessionLimits`). Ids start high so that they never
    /// collide with the ids of server-side RPCs, whose replies travel on the same topics.
    private var nextClientRPCID = 1_000_000 + Int.random(in: 0..<1_000_000)
    private var clientRPCReplies = PendingReplies()
    private var nextAttributeRequestID = 1
    private var attributeReplies = PendingReplies()
    /// Answers to the gateway device's own attribute requests (`v1/devices/me/attributes/request/<n>`).
    private var ownAttributeReplies = PendingReplies()
    private var nextOwnAttributeRequestID = 1

    public init(configuration: ThingsBoardConnectionConfiguration, logger: Logger,
                eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.configuration = configuration
        self.logger = logger
        self.mqtt = MQTTClient(configuration: configuration.mqttConfiguration(), eventLoopGroup: eventLoopGroup, logger: logger)
        let limits = SessionLimits.configured(maxPayloadBytes: configuration.maxPayloadBytes,
                                              gateway: configuration.gatewayRateLimits,
                                              devices: configuration.deviceRateLimits)
        self.limits = limits
        self.gatewayBuckets = Buckets(limits.gateway)
        self.deviceBuckets = Buckets(limits.devices)
        (inbound, inboundContinuation) = AsyncStream.makeStream(bufferingPolicy: .bufferingOldest(10_000))
    }

    // MARK: - Life cycle

    /// Connects and keeps the session up until the calling task is cancelled.
    public func run() async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.receiveMessages() }
            group.addTask { await self.watchConnection() }
            await self.connectionLoop()
            // Shutting the MQTT client down finishes its message and event streams, which ends
            // the two readers above; cancellation alone does not end every async sequence.
            state = .stopped
            await mqtt.shutdown()
            group.cancelAll()
        }
        failReadyWaiters(CancellationError())
        inboundContinuation.finish()
    }

    private func connectionLoop() async {
        var backoff = configuration.reconnectBackoff
        var refusedBackoff = configuration.refusedReconnectBackoff
        var failuresInARow = 0
        while !Task.isCancelled {
            state = .connecting
            var refused = false
            do {
                let connAck = try await mqtt.connect()
                sessionAlive = true
                stats.connects += 1
                try await startSession(connAck)
                if failuresInARow > 0 {
                    logger.info("ThingsBoard connection restored", metadata: ["after-failures": "\(failuresInARow)"])
                }
                failuresInARow = 0
                backoff.reset()
                refusedBackoff.reset()
                await waitForDisconnect()
                guard !Task.isCancelled else { break }
                logger.warning("lost the connection to ThingsBoard; events are kept in storage until it is back",
                               metadata: ["host": "\(configuration.host):\(configuration.port)"])
            } catch {
                failuresInARow += 1
                // One line per burst: the first failure and then every 10th, with the reason.
                if failuresInARow == 1 || failuresInARow % 10 == 0 {
                    logger.warning("cannot connect to ThingsBoard; retrying with back-off, events are buffered",
                                   metadata: ["host": "\(configuration.host):\(configuration.port)",
                                              "error": "\(error)", "attempts": "\(failuresInARow)"])
                }
                await mqtt.disconnect()
                refused = Self.isRefusedByEveryAddress(error)
            }
            sessionEnded()
            guard !Task.isCancelled else { break }
            try? await Task.sleep(for: refused ? refusedBackoff.next() : backoff.next())
        }
    }

    /// Every address of ThingsBoard refused the TCP connection: nothing listens there now.
    static func isRefusedByEveryAddress(_ error: any Error) -> Bool {
        guard let failure = error as? NIOConnectionError, !failure.connectionErrors.isEmpty else { return false }
        return failure.connectionErrors.allSatisfy { ($0.error as? IOError)?.errnoCode == ECONNREFUSED }
    }

    private func startSession(_ connAck: MQTTConnAck) async throws {
        var limits = SessionLimits.configured(maxPayloadBytes: configuration.maxPayloadBytes,
                                              gateway: configuration.gatewayRateLimits,
                                              devices: configuration.deviceRateLimits)
        if let maximum = connAck.maximumPacketSize {
            limits.maxPayloadBytes = min(limits.maxPayloadBytes, Int(Double(maximum) * SessionLimits.safetyFactor))
        }
        var subscriptions = GatewayTopics.deviceSubscriptions.map {
            MQTTSubscription(filter: $0, qos: configuration.qos, noLocal: true)
        }
        subscriptions += GatewayTopics.gatewaySubscriptions.map {
            MQTTSubscription(filter: $0, qos: .atLeastOnce, noLocal: true)
        }
        _ = try await mqtt.subscribe(subscriptions)

        // Ask for the session limits, but never stall on them (the reference waits forever).
        if let reply = await clientRPC(method: "getSessionLimits", params: ["timeout": 5000],
                                       timeout: configuration.sessionLimitsTimeout) {
            if reply["error"] != nil {
                logger.info("ThingsBoard did not give session limits; using the configured ones", metadata: ["reply": "\(reply.jsonString)"])
            } else {
                limits = limits.applying(reply: reply, host: configuration.host)
            }
        } else {
            logger.info("no getSessionLimits reply in time; using the configured limits",
                        metadata: ["timeout": "\(configuration.sessionLimitsTimeout)"])
        }
        if let receiveMaximum = connAck.receiveMaximum {
            limits.maxInflightMessages = min(limits.maxInflightMessages, Int(receiveMaximum))
        }
        apply(limits)

        announcedThisSession.removeAll()
        let known = knownDevices.map { (name: $0.key, type: $0.value) }
        try await publishConnects(known)
        // A device reported disconnected while its connect was on the way is disconnected again.
        for device in known where knownDevices[device.name] != nil { announcedThisSession.insert(device.name) }
        let disconnects = known.map(\.name).filter { disconnectedDuringSetup.contains($0) && knownDevices[$0] == nil }
        disconnectedDuringSetup.removeAll()
        if !disconnects.isEmpty {
            _ = try await startPublishingNow(disconnects.map { GatewayMessage.disconnect(device: $0) }, qos: configuration.qos)
        }
        state = .ready
        stats.connected = true
        logger.info("connected to ThingsBoard",
                    metadata: ["host": "\(configuration.host):\(configuration.port)",
                               "maxPayloadBytes": "\(limits.maxPayloadBytes)",
                               "maxInflight": "\(limits.maxInflightMessages)",
                               "devicesReannounced": "\(knownDevices.count)"])
        for (_, waiter) in readyWaiters { waiter.resume() }
        readyWaiters.removeAll()
    }

    private func apply(_ limits: SessionLimits) {
        if limits != self.limits {
            gatewayBuckets = Buckets(limits.gateway)
            deviceBuckets = Buckets(limits.devices)
        }
        self.limits = limits
        mqtt.limitOutboundWindow(to: limits.maxInflightMessages)
    }

    private func sessionEnded() {
        if let refusal = lastQuotaRefusal, .now - refusal < .seconds(2) {
            // A rate limit: the next session starts with the buckets empty, and waits out the window.
            gatewayBuckets.exhaust()
            deviceBuckets.exhaust()
        }
        lastQuotaRefusal = nil
        sessionAlive = false
        stats.connected = false
        if state != .stopped { state = .disconnected }
        clientRPCReplies.failAll()
        attributeReplies.failAll()
        ownAttributeReplies.failAll()
    }

    private func waitForDisconnect() async {
        guard sessionAlive, !Task.isCancelled else { return }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                if sessionAlive && !Task.isCancelled { disconnectWaiter = continuation } else { continuation.resume() }
            }
        } onCancel: {
            Task { await self.connectionLost() }
        }
    }

    /// Ends the session and connects again after the usual back-off; what was in flight on it
    /// fails and its owner sends it again. For a session on which ThingsBoard stopped
    /// acknowledging while the connection itself stays up (keep-alive still answered).
    /// False when there was no ready session to restart.
    @discardableResult
    public func restartSession(reason: String) async -> Bool {
        guard state == .ready else { return false }
        state = .disconnected
        logger.warning("restarting the ThingsBoard session", metadata: ["reason": "\(reason)"])
        await mqtt.disconnect()
        return true
    }

    /// QoS 1 publishes ThingsBoard acknowledged since start, over every session.
    public nonisolated var publishesAcknowledged: Int { mqtt.publishesAcknowledged }
    /// QoS 1 publishes on the wire waiting for ThingsBoard's acknowledgement now (see
    /// `MQTTClient.publishesAwaitingAcknowledgement`).
    public nonisolated var publishesAwaitingAcknowledgement: Int { mqtt.publishesAwaitingAcknowledgement }

    private func connectionLost() {
        sessionAlive = false
        disconnectWaiter?.resume()
        disconnectWaiter = nil
    }

    private func watchConnection() async {
        for await event in mqtt.connectionEvents {
            if case .disconnected = event { connectionLost() }
        }
    }

    private func receiveMessages() async {
        for await message in mqtt.messages {
            handle(topic: message.topic, payload: Array(message.payload.readableBytesView))
        }
    }

    /// Internal for tests, which hand it what ThingsBoard would push.
    func handle(topic: String, payload: [UInt8]) {
        stats.messagesReceived += 1
        if topic.hasPrefix(GatewayTopics.deviceRPCResponsePrefix) {
            let id = String(topic.dropFirst(GatewayTopics.deviceRPCResponsePrefix.count))
            if let reply = try? JSONValue.parse(payload), clientRPCReplies.resolve(id, with: reply) { return }
        }
        if topic.hasPrefix(GatewayTopics.deviceRPCRequestPrefix),
           Int(topic.dropFirst(GatewayTopics.deviceRPCRequestPrefix.count)).map({ $0 >= 1_000_000 }) == true,
           (try? JSONValue.parse(payload))?["method"]?.stringValue == "getSessionLimits" {
            return  // our own request echoed by a broker without No Local
        }
        if topic.hasPrefix(GatewayTopics.deviceAttributesResponsePrefix) {
            let id = String(topic.dropFirst(GatewayTopics.deviceAttributesResponsePrefix.count))
            if let reply = try? JSONValue.parse(payload), ownAttributeReplies.resolve(id, with: reply) { return }
        }
        if topic == GatewayTopics.attributesResponse, let reply = try? JSONValue.parse(payload),
           let id = reply["id"]?.intValue, attributeReplies.resolve(String(id), with: reply) {
            return
        }
        if let decoded = ThingsBoardInbound.decode(topic: topic, payload: payload) {
            // ThingsBoard's rate-limit notice (reason 150, before it closes the session): the
            // device limits are spent, as the reference's `reach_limit` marks them.
            if case .deviceDisconnected(_, let reason) = decoded, reason == Self.rateLimitDisconnectReason {
                deviceBuckets.exhaust()
            }
            inboundContinuation.yield(decoded)
        }
    }

    static let rateLimitDisconnectReason: Int64 = 150

    // MARK: - Waiting for the session

    /// Suspends until the session is ready (connected, subscribed, limits known, devices
    /// re-announced). Throws `CancellationError` when the calling task is cancelled.
    public func waitUntilReady() async throws {
        if state == .ready { return }
        if state == .stopped { throw CancellationError() }
        let id = nextWaiterID
        nextWaiterID += 1
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                if Task.isCancelled {
                    continuation.resume(throwing: CancellationError())
                } else if state == .ready {
                    continuation.resume()
                } else {
                    readyWaiters[id] = continuation
                }
            }
        } onCancel: {
            Task { await self.cancelReadyWaiter(id) }
        }
    }

    private func cancelReadyWaiter(_ id: Int) {
        readyWaiters.removeValue(forKey: id)?.resume(throwing: CancellationError())
    }

    private func failReadyWaiters(_ error: any Error) {
        for (_, waiter) in readyWaiters { waiter.resume(throwing: error) }
        readyWaiters.removeAll()
    }

    public var isReady: Bool { state == .ready }
    /// Connected (CONNACK received) and setting the session up: subscribing, waiting for the
    /// `getSessionLimits` answer (at most `sessionLimitsTimeout`), announcing the devices.
    public var isSettingUpSession: Bool { state == .connecting && sessionAlive }

    /// Whether the session up now is still the one up `duration` later. ThingsBoard answers
    /// QUOTA_EXCEEDED both for a rate limit, closing the session right after, and (4.2.1 and
    /// later) for the data of a device it cannot create, keeping the session.
    public func sessionSurvives(_ duration: Duration) async -> Bool {
        let session = stats.connects
        guard isReady else { return false }
        do { try await Task.sleep(for: duration) } catch { return false }
        return isReady && stats.connects == session
    }

    public func statistics() -> Statistics { stats }

    // MARK: - Publishing

    /// Announces devices with `v1/gateway/connect` the first time they are seen in this session.
    /// `waitingForAcknowledgement` false: returns once the messages are handed to the connection
    /// (a connector's connect request, whose message loop must not wait on ThingsBoard; the
    /// device's data goes out after them on the same connection).
    public func announce(_ devices: [(name: String, type: String)], waitingForAcknowledgement: Bool = true) async throws {
        // A device announced this session is announced again only when its type changed (a
        // renamed one of unknown type counts as announced: it exists on ThingsBoard).
        let fresh = devices.filter { device in
            !announcedThisSession.contains(device.name) || knownDevices[device.name].map { $0 != device.type } ?? false
        }
        guard !fresh.isEmpty else { return }
        for device in fresh { knownDevices[device.name] = device.type }
        try await publishConnects(fresh, waitingForAcknowledgement: waitingForAcknowledgement)
        for device in fresh { announcedThisSession.insert(device.name) }
    }

    /// The devices' connect messages go out together and are acknowledged together: one round
    /// trip for any number of devices. One at a time cost a round trip each: re-announcing 1,000
    /// devices after a reconnect over a 50 ms link held the session back for 50 s.
    /// Does not wait for the session (used while it is being set up).
    /// An announcement ThingsBoard does not acknowledge within `connectAcknowledgementTimeout`
    /// (it withholds the PUBACK for a device it cannot create) counts as made, as in the
    /// reference (which waits a second): the devices' data goes out; waiting on would stop all delivery.
    private func publishConnects(_ devices: [(name: String, type: String)], waitingForAcknowledgement: Bool = true) async throws {
        guard !devices.isEmpty else { return }
        let messages = devices.map { GatewayMessage.connect(device: $0.name, type: $0.type) }
        let publishing = try await startPublishingNow(messages, qos: configuration.qos)
        guard waitingForAcknowledgement else { return }
        let names = devices.prefix(5).map(\.name).joined(separator: ", ") + (devices.count > 5 ? ", ..." : "")
        do {
            if try await !publishing.acknowledged(within: Self.connectAcknowledgementTimeout) {
                logger.warning("ThingsBoard did not acknowledge v1/gateway/connect within \(Self.connectAcknowledgementTimeout) (could it not create the devices, e.g. at the tenant's device limit?); sending their data anyway",
                               metadata: ["devices": "\(names)", "count": "\(devices.count)"])
            }
        } catch let refusal as ThingsBoardError {
            // Sending the connect again would be refused again (ThingsBoard 4.2.1 and later answer
            // QUOTA_EXCEEDED for a device it cannot create); the data decides: it is refused in
            // its turn, or passes. The reference goes on too.
            logger.warning("ThingsBoard refused v1/gateway/connect; sending the devices' data anyway",
                           metadata: ["devices": "\(names)", "refusal": "\(refusal)"])
        }
    }

    public static let connectAcknowledgementTimeout: Duration = .seconds(10)

    /// ThingsBoard renamed a device (`gateway_device_renamed`): the old name is never announced
    /// again (a reconnect would make ThingsBoard create it anew), the new one exists already.
    public func renameDevice(_ old: String, to new: String) {
        if let type = knownDevices.removeValue(forKey: old) { knownDevices[new] = type }
        announcedThisSession.remove(old)
        announcedThisSession.insert(new)
    }

    /// ThingsBoard deleted a device (`gateway_device_deleted`): it is not announced on reconnects,
    /// and its next data announces it afresh with its type, as the reference does.
    public func forgetDevice(_ name: String) {
        knownDevices.removeValue(forKey: name)
        announcedThisSession.remove(name)
    }

    /// Forgets a device and publishes `v1/gateway/disconnect`.
    /// Reports a device disconnected. Does not wait for the session or for the acknowledgement:
    /// a connector's message loop calls it, and waiting there during an outage stopped it reading
    /// its broker (whose queue limits then drop data). Without a session nothing is sent: the
    /// next session does not announce the device, so ThingsBoard has nothing to undo (one being
    /// set up when it announced the device already sends the disconnect after it).
    public func disconnectDevice(_ name: String) async throws {
        knownDevices.removeValue(forKey: name)
        announcedThisSession.remove(name)
        if state == .connecting { disconnectedDuringSetup.insert(name) }
        guard state == .ready else { return }
        _ = try await startPublishingNow([.disconnect(device: name)], qos: configuration.qos)
    }

    /// Publishes once the session is ready, after the rate limits allow it. Returns when the
    /// broker acknowledged (QoS 1) or the message was written (QoS 0); throws when it did not
    /// (connection lost, rejected by the server), so the caller keeps the data for a retry.
    public nonisolated func publish(_ message: GatewayMessage, qos: MQTTQoS? = nil) async throws {
        try await waitUntilReady()
        try await throttle(message)
        try await send(message, qos: qos ?? configuration.qos)
    }

    /// Hands messages to the connection in order, each once the rate limits allow it, and
    /// returns when all of them are on their way; `PublishedMessages.acknowledged()` then waits
    /// for the broker's acknowledgements. Where `publish` costs a task and a wake-up per message,
    /// this costs one hop onto the connection's event loop per run of messages the limits let
    /// through at once (the whole batch when no limit is near) and one wake-up to learn the
    /// outcome.
    public nonisolated func startPublishing(_ messages: [GatewayMessage], qos: MQTTQoS? = nil,
                                            separately: Bool = false) async throws -> PublishedMessages
    {
        try await waitUntilReady()
        return try await startPublishingNow(messages, qos: qos ?? configuration.qos, separately: separately)
    }

    /// `startPublishing` without waiting for the session. `separately`: each message is handed
    /// over on its own, so `PublishedMessages.answers(within:)` can abandon exactly those
    /// ThingsBoard leaves unanswered (a hop onto the event loop per message: for a few).
    private nonisolated func startPublishingNow(_ messages: [GatewayMessage], qos: MQTTQoS, separately: Bool = false)
        async throws -> PublishedMessages
    {
        var parts: [MQTTPublishing] = []
        var start = 0
        while start < messages.count {
            let end = try await admit(messages, from: start, upTo: separately ? start + 1 : messages.count)
            parts.append(mqtt.publishAll(messages[start..<end].map {
                MQTTMessage(topic: $0.topic, payload: ByteBuffer(bytes: $0.payload), qos: qos)
            }))
            start = end
        }
        return PublishedMessages(client: self, messages: messages, parts: parts)
    }

    /// Stops waiting for the acknowledgement of what was sent of `parts` and is still unanswered
    /// (see `MQTTClient.abandon`).
    nonisolated func abandon(_ parts: [MQTTPublishing], sentAgo: Duration? = nil, includingQueued: Bool = false) {
        mqtt.abandon(parts, sentAgo: sentAgo, includingQueued: includingQueued)
    }

    /// Takes the rate-limit tokens of as many messages from `start` on (below `limit`) as may go
    /// now: at least one, waiting for it when even that one may not. Returns the end of the
    /// admitted run.
    private func admit(_ messages: [GatewayMessage], from start: Int, upTo limit: Int) async throws -> Int {
        try await throttle(messages[start])
        var end = start + 1
        while end < limit, takeTokens(messages[end]) == nil { end += 1 }
        return end
    }

    /// What the outcome of a started batch adds to the statistics and the rate limits: messages
    /// that failed with an error (connection lost) and rejected ones count as failures.
    func recordOutcome(published: [GatewayMessage], errors: Int, rejectionCodes: [UInt8]) {
        for message in published { recordPublished(message) }
        stats.publishFailures += Int64(errors)
        for code in rejectionCodes { rejected(code: code) }
    }

    private nonisolated func send(_ message: GatewayMessage, qos: MQTTQoS) async throws {
        let mqttMessage = MQTTMessage(topic: message.topic, payload: ByteBuffer(bytes: message.payload), qos: qos)
        let result: MQTTPublishResult
        do {
            result = try await mqtt.publish(mqttMessage)
        } catch let cancelled as CancellationError {
            throw cancelled  // The caller gave up (a stop), not a failure of ThingsBoard.
        } catch {
            await recordFailure()
            throw error
        }
        if !result.isSuccess {
            let code = result.reasonCode.rawValue
            await rejected(code: code)
            throw ThingsBoardError.publishRejected(topic: message.topic, reasonCode: code)
        }
        await recordPublished(message)
    }

    private func recordPublished(_ message: GatewayMessage) {
        stats.messagesPublished += 1
        stats.datapointsPublished += Int64(message.datapoints)
    }

    private func recordFailure() { stats.publishFailures += 1 }

    private func rejected(code: UInt8) {
        stats.publishFailures += 1
        // 0x83 implementation specific error / 0x97 quota exceeded: ThingsBoard's rate limit answer
        // when it closes the session right after (see `sessionEnded`); with the session kept, the
        // answer for a device it cannot create, which must not slow the other devices down.
        if code == 0x83 || code == 0x97 { lastQuotaRefusal = .now }
    }

    /// Suspends until every applicable token bucket has room (never drops).
    private func throttle(_ message: GatewayMessage) async throws {
        while let wait = takeTokens(message) {
            try await Task.sleep(for: wait)
        }
    }

    /// Takes the message's tokens, or none and returns the wait. As the reference and ThingsBoard
    /// count them: data of devices behind the gateway against the devices' limits only (each
    /// device section one telemetry message, attributes counted as telemetry datapoints), the
    /// gateway's own messages against its own limits.
    private func takeTokens(_ message: GatewayMessage) -> Duration? {
        let now = ContinuousClock.now
        return message.forDevices ? deviceBuckets.takeForDevices(message, now: now) : gatewayBuckets.take(message, now: now)
    }

    // MARK: - Client-side RPC

    /// Sends a client-side RPC to the server and waits for its reply, or nil after `timeout`
    /// or when the connection is lost.
    func clientRPC(method: String, params: JSONValue, timeout: Duration) async -> JSONValue? {
        let id = String(nextClientRPCID)
        nextClientRPCID += 1
        let request: JSONValue = ["method": .string(method), "params": params]
        let message = GatewayMessage(topic: GatewayTopics.deviceRPCRequestPrefix + id, payload: request.jsonBytes,
                                     kind: .other, forDevices: false)
        return await sendAndAwaitReply(message, id: id, in: .clientRPC, timeout: timeout)
    }

    // MARK: - Attribute requests for devices

    /// Asks ThingsBoard for attributes of a device (`v1/gateway/attributes/request`; `keys`
    /// empty = all, `client` = client scope, else shared) and returns the response object
    /// (`{"id","device","value"}` for one key, `{"id","device","values":{...}}` for several), or
    /// nil after `timeout` or when the connection is lost. Without a session it waits for one
    /// within the same `timeout` (a device asking once at boot, while the gateway is still
    /// connecting to ThingsBoard, gets its answer; the reference sends it once reconnected).
    public func requestDeviceAttributes(device: String, keys: [String], client: Bool,
                                        timeout: Duration = .seconds(20)) async -> JSONValue? {
        let started = ContinuousClock.now
        if state != .ready {
            guard await isReady(within: timeout) else { return nil }
        }
        let timeout = max(.milliseconds(100), timeout - (ContinuousClock.now - started))
        let id = nextAttributeRequestID
        nextAttributeRequestID += 1
        let message = GatewayMessage.attributeRequest(id: id, device: device, keys: keys, client: client)
        return await sendAndAwaitReply(message, id: String(id), in: .attributes, timeout: timeout)
    }

    /// Asks ThingsBoard for the gateway device's own shared (and client) attributes and returns
    /// the response (`{"shared": {...}, "client": {...}}`), or nil after `timeout` or when the
    /// connection is lost.
    public func requestOwnAttributes(sharedKeys: [String], clientKeys: [String] = [],
                                     timeout: Duration = .seconds(20)) async -> JSONValue? {
        let id = String(nextOwnAttributeRequestID)
        nextOwnAttributeRequestID += 1
        var request: JSONObject = [:]
        if !sharedKeys.isEmpty { request["sharedKeys"] = .string(sharedKeys.joined(separator: ",")) }
        if !clientKeys.isEmpty { request["clientKeys"] = .string(clientKeys.joined(separator: ",")) }
        let message = GatewayMessage(topic: GatewayTopics.deviceAttributesRequestPrefix + id,
                                     payload: JSONValue.object(request).jsonBytes, kind: .other, forDevices: false)
        return await sendAndAwaitReply(message, id: id, in: .ownAttributes, timeout: timeout)
    }

    /// Waits for the session for at most `timeout`: true once it is ready.
    private func isReady(within timeout: Duration) async -> Bool {
        await withTimeout(timeout) { (try? await self.waitUntilReady()) != nil } ?? false
    }

    private enum ReplyKind { case clientRPC, attributes, ownAttributes }

    private func replies<T>(_ kind: ReplyKind, _ body: (inout PendingReplies) -> T) -> T {
        switch kind {
        case .clientRPC: return body(&clientRPCReplies)
        case .attributes: return body(&attributeReplies)
        case .ownAttributes: return body(&ownAttributeReplies)
        }
    }

    /// Publishes a request and waits for the reply collected for `id`.
    private func sendAndAwaitReply(_ message: GatewayMessage, id: String, in kind: ReplyKind, timeout: Duration) async -> JSONValue? {
        guard sessionAlive else { return nil }
        replies(kind) { $0.issue(id) }
        do {
            try await send(message, qos: .atLeastOnce)
        } catch {
            _ = replies(kind) { $0.resolve(id, with: nil) }
            return nil
        }
        let timer = Task { [weak self] in
            try? await Task.sleep(for: timeout)
            await self?.timeOut(id, in: kind)
        }
        defer { timer.cancel() }
        // Cancellation (a graceful stop) answers nil at once instead of waiting out the timeout.
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                replies(kind) { $0.wait(for: id, continuation) }
            }
        } onCancel: {
            Task { await self.timeOut(id, in: kind) }
        }
    }

    private func timeOut(_ id: String, in kind: ReplyKind) {
        _ = replies(kind) { $0.resolve(id, with: nil) }
    }
}

public enum ThingsBoardError: Error, Sendable, Equatable, CustomStringConvertible {
    case publishRejected(topic: String, reasonCode: UInt8)

    /// A rejection that sending the same message again is not expected to change: unspecified
    /// (0x80), not authorized (0x87), topic name invalid (0x90), packet too large (0x95), payload
    /// format invalid (0x99). Rate limiting (0x97, and 0x83 from some ThingsBoard versions) and
    /// server busy (0x89) pass.
    public var isPermanent: Bool {
        switch self {
        case .publishRejected(_, let code): return [0x80, 0x87, 0x90, 0x95, 0x99].contains(code)
        }
    }

    /// QUOTA_EXCEEDED (0x97, or 0x83 from some ThingsBoard versions): a rate limit, or the data of
    /// a device ThingsBoard cannot create (see `ThingsBoardClient.sessionSurvives`).
    public var isQuotaExceeded: Bool {
        switch self {
        case .publishRejected(_, let code): return code == 0x97 || code == 0x83
        }
    }

    public var description: String {
        switch self {
        case .publishRejected(let topic, let code):
            return "ThingsBoard rejected a publish to \(topic) with reason code 0x\(String(code, radix: 16))"
        }
    }
}

/// The three token buckets of one `SessionLimits.RateLimits`.
struct Buckets: Sendable {
    var messages: TokenBuckets
    var telemetryMessages: TokenBuckets
    var telemetryDatapoints: TokenBuckets

    init(_ limits: SessionLimits.RateLimits) {
        messages = TokenBuckets(limits.messages)
        telemetryMessages = TokenBuckets(limits.telemetryMessages)
        telemetryDatapoints = TokenBuckets(limits.telemetryDatapoints)
    }

    /// Takes the tokens for a message from every bucket, or none and returns the wait.
    mutating func take(_ message: GatewayMessage, now: ContinuousClock.Instant) -> Duration? {
        if let wait = messages.take(1, now: now) { return wait }
        guard message.kind == .telemetry else { return nil }
        if let wait = telemetryMessages.take(1, now: now) {
            messages.giveBack(1)
            return wait
        }
        if let wait = telemetryDatapoints.take(message.datapoints, now: now) {
            messages.giveBack(1)
            telemetryMessages.giveBack(1)
            return wait
        }
        return nil
    }

    /// The tokens of a message about devices behind the gateway: telemetry and attributes take
    /// one telemetry message per device section and their datapoints; connects, disconnects and
    /// the like one message.
    mutating func takeForDevices(_ message: GatewayMessage, now: ContinuousClock.Instant) -> Duration? {
        guard message.kind == .telemetry || message.kind == .attributes else { return messages.take(1, now: now) }
        if let wait = telemetryMessages.take(message.deviceSections, now: now) { return wait }
        if let wait = telemetryDatapoints.take(message.datapoints, now: now) {
            telemetryMessages.giveBack(message.deviceSections)
            return wait
        }
        return nil
    }

    mutating func exhaust() {
        messages.exhaust()
        telemetryMessages.exhaust()
        telemetryDatapoints.exhaust()
    }
}
