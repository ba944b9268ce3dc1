import Logging
import NIOCore

/// Inbound-message sequence type (single consumer).
typealias MQTTInboundProducer = NIOAsyncSequenceProducer<
    MQTTMessage, NIOAsyncSequenceProducerBackPressureStrategies.HighLowWatermark, MQTTInboundDelegate
>

/// Resumes socket reads when the `messages` consumer has caught up.
struct MQTTInboundDelegate: NIOAsyncSequenceProducerDelegate {
    let box: NIOLoopBoundBox<MQTTClientCore>
    func produceMore() {
        box.eventLoop.execute { box.value.resumeReading() }
    }
    func didTerminate() {
        box.eventLoop.execute { box.value.inboundTerminated() }
    }
}

/// Session state of one client: packet ids, in-flight publishes, waiting callers, keep-alive.
/// Confined to one event loop (the one every connection of this client uses), so it needs no locks;
/// public API calls hop onto that loop with `execute`, which is a queue push, not a Task.
final class MQTTClientCore {
    private struct InFlight {
        var message: MQTTMessage
        var completion: MQTTPublishCompletion
        /// QoS 2: PUBREC received, PUBREL sent, waiting for PUBCOMP.
        var released: Bool
        /// Send order, so a re-send after reconnect keeps the original order.
        var sequence: UInt64
        var sentAt = NIODeadline.now()
    }

    fileprivate enum State {
        case idle
        /// `connect()` is opening the TCP/TLS channel.
        case reserving
        case connecting(MQTTChannelHandler, CheckedContinuation<MQTTConnAck, any Error>, Scheduled<Void>)
        case connected(MQTTChannelHandler)
        case disconnecting(MQTTChannelHandler)
        case shutDown
    }

    let configuration: MQTTClientConfiguration
    let loop: any EventLoop
    let logger: Logger
    private let events: AsyncStream<MQTTConnectionEvent>.Continuation
    private let connectedFlag: MQTTConnectedFlag
    private let counters: MQTTClientCounters
    var inbound: MQTTInboundProducer.Source?

    private var state: State = .idle {
        didSet { connectedFlag.store(isConnected) }
    }
    private var lastPacketID: UInt16 = 0
    private var sequence: UInt64 = 0
    private var inFlight: [UInt16: InFlight] = [:] {
        didSet { updateAwaitingCounter() }
    }
    private var waiting = CircularBuffer<(MQTTMessage, MQTTPublishCompletion)>() {
        didSet { updateAwaitingCounter() }
    }
    /// Ids of abandoned publishes (`abandon`), not reused while the session lasts, oldest first.
    private var abandonedIDs: Set<UInt16> = [] {
        didSet { updateAwaitingCounter() }
    }
    private var abandonedOrder = CircularBuffer<UInt16>()
    private static let maximumAbandonedIDs = 4096
    private var pendingSubscribes: [UInt16: CheckedContinuation<[MQTTSubscribeResult], any Error>] = [:]
    private var pendingUnsubscribes: [UInt16: CheckedContinuation<Void, any Error>] = [:]
    /// When each pending SUBSCRIBE / UNSUBSCRIBE stops being waited for (`requestTimeout`).
    private var requestDeadlines: [UInt16: NIODeadline] = [:]
    /// Inbound QoS 2 ids delivered but not yet released (PUBREL): duplicates are not delivered again.
    private var inboundQoS2: Set<UInt16> = []
    private var inboundAliases: [UInt16: String] = [:]
    /// `acknowledgesInboundOnRequest`: the acknowledgements of this connection's inbound QoS 1/2
    /// messages, in arrival order, and whether the consumer asked for each. They go out from the
    /// front only, so the server gets them in arrival order (MQTT 3.1.1 §4.6) whatever order the
    /// consumer acknowledges in.
    private var deferredAcknowledgements = CircularBuffer<(packet: MQTTPacket, requested: Bool)>()
    /// The sequence number of the front of `deferredAcknowledgements`.
    private var firstDeferredSequence: UInt64 = 0
    /// Counts connections, so an acknowledgement of a message from a closed one is told apart.
    private var connectionNumber: UInt64 = 0
    private var windowLimit: Int
    /// The server's receive maximum (CONNACK) and the caller's own bound (`limitOutboundWindow`);
    /// `windowLimit` is the smallest of them and the configured window.
    private var serverReceiveMaximum = Int(UInt16.max)
    private var windowCap = Int.max
    private var serverMaximumQoS: MQTTQoS = .exactlyOnce
    private var serverMaximumPacketSize: Int = Int.max
    private var readingPaused = false
    private var flushScheduled = false
    private var keepAliveTask: RepeatedTask?
    private var keepAliveInterval: TimeAmount = .zero
    private var lastSent = NIODeadline.now()
    private var pingSentAt: NIODeadline?
    private var disconnectWaiters: [CheckedContinuation<Void, Never>] = []

    init(configuration: MQTTClientConfiguration, loop: any EventLoop, logger: Logger,
         events: AsyncStream<MQTTConnectionEvent>.Continuation, connectedFlag: MQTTConnectedFlag,
         counters: MQTTClientCounters) {
        self.connectedFlag = connectedFlag
        self.counters = counters
        self.configuration = configuration
        self.loop = loop
        self.logger = logger
        self.events = events
        self.windowLimit = max(1, configuration.outboundWindow)
    }

    var isConnected: Bool {
        if case .connected = state { return true }
        return false
    }

    // MARK: connect

    /// Reserves the connecting state before the TCP connect starts.
    func beginConnect() throws {
        switch state {
        case .idle: state = .reserving
        case .shutDown: throw MQTTError.shutDown
        default: throw MQTTError.alreadyConnected
        }
    }

    func connectFailedBeforeSession() {
        if case .reserving = state { state = .idle }
    }

    /// The channel is up (TLS may still be handshaking): send CONNECT and wait for CONNACK.
    func startSession(handler: MQTTChannelHandler, continuation: CheckedContinuation<MQTTConnAck, any Error>) {
        guard case .reserving = state else {
            handler.close(error: nil)
            continuation.resume(throwing: state.isShutDown ? MQTTError.shutDown : MQTTError.alreadyConnected)
            return
        }
        guard handler.context?.channel.isActive == true else {
            state = .idle
            continuation.resume(throwing: handler.firstError ?? MQTTError.connectionLost)
            return
        }
        let bound = NIOLoopBound((self, handler), eventLoop: loop)
        let timeout = loop.scheduleTask(in: TimeAmount(configuration.connectTimeout)) {
            bound.value.0.connectTimedOut(bound.value.1)
        }
        state = .connecting(handler, continuation, timeout)
        inboundAliases = [:]
        // Messages of the last connection that were never acknowledged come again (persistent
        // session) or are gone (clean session); either way their acknowledgements are void. A QoS 2
        // one the consumer had not acknowledged is delivered again when it comes again (at least
        // once, as for QoS 1); one it had (waiting behind an earlier one) is only acknowledged.
        connectionNumber += 1
        for (packet, requested) in deferredAcknowledgements where !requested {
            if case .pubrec(let ack) = packet { inboundQoS2.remove(ack.packetID) }
        }
        deferredAcknowledgements.removeAll()
        firstDeferredSequence = 0
        send(.connect(configuration.makeConnectPacket()), on: handler)
        handler.flush()
    }

    private func connectTimedOut(_ handler: MQTTChannelHandler) {
        guard case .connecting(let current, _, _) = state, current === handler else { return }
        handler.close(error: MQTTError.connectTimeout)
    }

    private func handleConnAck(_ packet: MQTTConnAckPacket, on handler: MQTTChannelHandler) {
        guard case .connecting(let current, let continuation, let timeout) = state, current === handler else {
            handler.close(error: MQTTError.protocolViolation("unexpected CONNACK"))
            return
        }
        timeout.cancel()
        let ack = MQTTConnAck(packet: packet)
        let code = configuration.version == .v5 ? packet.reasonCode
            : MQTTReasonCode.fromV311ConnectReturnCode(packet.reasonCode.rawValue)
        guard packet.reasonCode == .success else {
            state = .idle
            handler.close(error: nil)
            continuation.resume(throwing: MQTTError.connectionRefused(code, reason: ack.reasonString))
            return
        }
        state = .connected(handler)
        serverReceiveMaximum = Int(ack.receiveMaximum ?? UInt16.max)
        updateWindowLimit()
        updateAwaitingCounter()
        serverMaximumQoS = ack.maximumQoS ?? .exactlyOnce
        serverMaximumPacketSize = ack.maximumPacketSize.map(Int.init) ?? Int.max
        if configuration.cleanSession || !ack.sessionPresent {
            failInFlight(MQTTError.connectionLost)
            inboundQoS2 = []
        } else {
            resendInFlight(on: handler)
        }
        startKeepAlive(serverKeepAlive: ack.serverKeepAlive, on: handler)
        sendWaiting()
        handler.flush()
        continuation.resume(returning: ack)
        events.yield(.connected(ack))
    }

    /// Persistent session: PUBLISH again with DUP, or PUBREL for QoS 2 already received by the server.
    private func resendInFlight(on handler: MQTTChannelHandler) {
        for (id, entry) in inFlight.sorted(by: { $0.value.sequence < $1.value.sequence }) {
            if entry.released {
                send(.pubrel(MQTTAckPacket(packetID: id)), on: handler)
            } else {
                send(.publish(publishPacket(entry.message, id: id, dup: true)), on: handler)
            }
        }
    }

    // MARK: publish

    func publish(_ message: MQTTMessage, completion: MQTTPublishCompletion) {
        if message.qos != .atMostOnce, completion.callerCancelled {
            completion.fail(CancellationError())  // Never sent; QoS 0 is written at once, so it goes anyway.
            return
        }
        if let problem = MQTTMessage.topicNameProblem(message.topic) {
            completion.fail(MQTTError.invalidTopicName(message.topic, reason: problem))
            return
        }
        guard case .connected(let handler) = state else {
            completion.fail(state.isShutDown ? MQTTError.shutDown : MQTTError.notConnected)
            return
        }
        if message.qos > serverMaximumQoS {
            completion.fail(MQTTError.qosNotSupported(message.qos))
            return
        }
        let size = MQTTPacket.publish(publishPacket(message, id: 1, dup: false)).encodedSize(version: configuration.version)
        if size > serverMaximumPacketSize {
            completion.fail(MQTTError.packetTooLarge(size: size, limit: serverMaximumPacketSize))
            return
        }
        if message.qos == .atMostOnce {
            let promise = loop.makePromise(of: Void.self)
            send(.publish(publishPacket(message, id: nil, dup: false)), on: handler, promise: promise)
            scheduleFlush()
            promise.futureResult.assumeIsolated().whenComplete { result in
                switch result {
                case .success: completion.succeed(MQTTPublishResult(reasonCode: .success))
                case .failure(let error): completion.fail(error)
                }
            }
            return
        }
        if hasFreeSlot && waiting.isEmpty {
            transmit(message, completion: completion, on: handler)
            scheduleFlush()
        } else {
            waiting.append((message, completion))
        }
    }

    /// The messages in order, as many `publish` calls; `batch` learns of each outcome.
    func publishAll(_ messages: [MQTTMessage], batch: MQTTPublishBatch) {
        for (index, message) in messages.enumerated() {
            publish(message, completion: .batch(batch, index: index))
        }
    }

    private func transmit(_ message: MQTTMessage, completion: MQTTPublishCompletion, on handler: MQTTChannelHandler) {
        let id = allocatePacketID()
        sequence += 1
        inFlight[id] = InFlight(message: message, completion: completion, released: false, sequence: sequence)
        send(.publish(publishPacket(message, id: id, dup: false)), on: handler)
    }

    /// Bounds the publishes awaiting acknowledgement below the configured window and the server's
    /// receive maximum (ThingsBoard's session limit `maxInflightMessages`, for example).
    func limitOutboundWindow(to maximum: Int) {
        windowCap = max(1, maximum)
        updateWindowLimit()
        updateAwaitingCounter()
        sendWaiting()
    }

    private func updateWindowLimit() {
        // Below the id space, so `allocatePacketID` always finds a free id.
        windowLimit = max(1, min(configuration.outboundWindow, serverReceiveMaximum, windowCap, Self.maximumWindow))
    }

    private static let maximumWindow = Int(UInt16.max) - maximumAbandonedIDs - 1024

    /// Room for one more publish on the wire: below the window, and below the server's receive
    /// maximum counting the abandoned ones too (the server still counts them as unacknowledged,
    /// also when the window is set just below its limit).
    private var hasFreeSlot: Bool {
        inFlight.count < windowLimit && inFlight.count + abandonedIDs.count < serverReceiveMaximum
    }

    private var receiveMaximumBinds: Bool { serverReceiveMaximum <= min(configuration.outboundWindow, windowCap) }

    /// `publishesAwaitingAcknowledgement`: the publishes on the wire, and the abandoned ones while
    /// they hold back queued publishes (a caller's watchdog then sees a window they fill; when
    /// nothing is queued they hold back nothing).
    private func updateAwaitingCounter() {
        let blocking = receiveMaximumBinds && !waiting.isEmpty ? abandonedIDs.count : 0
        counters.awaiting.store(inFlight.count + blocking, ordering: .relaxed)
    }

    /// Moves callers waiting for a window slot onto the wire.
    private func sendWaiting() {
        guard case .connected(let handler) = state else { return }
        var sent = false
        while hasFreeSlot, let (message, completion) = waiting.popFirst() {
            transmit(message, completion: completion, on: handler)
            sent = true
        }
        if sent { scheduleFlush() }
    }

    private func publishPacket(_ message: MQTTMessage, id: UInt16?, dup: Bool) -> MQTTPublishPacket {
        MQTTPublishPacket(topic: message.topic, payload: message.payload, qos: message.qos, retain: message.retain,
                          dup: dup, packetID: id,
                          properties: configuration.version == .v5 ? message.properties.wireProperties : [])
    }

    /// Next id not used by any outstanding publish, subscribe or unsubscribe (never 0).
    private func allocatePacketID() -> UInt16 {
        repeat {
            lastPacketID = lastPacketID == UInt16.max ? 1 : lastPacketID + 1
        } while inFlight[lastPacketID] != nil || pendingSubscribes[lastPacketID] != nil
            || pendingUnsubscribes[lastPacketID] != nil || abandonedIDs.contains(lastPacketID)
        return lastPacketID
    }

    /// The publishes of `batches` on the wire since before `sentBefore` (nil: all) and still
    /// unanswered complete with `MQTTError.abandoned` and leave the window. Those still waiting for
    /// a slot stay queued and go out in the freed slots, or (`includingQueued`) complete as
    /// abandoned too and are never sent. A QoS 2 publish the server already received (PUBREC) is
    /// not abandoned: its PUBREL is owed. See `MQTTClient.abandon`.
    func abandon(batches: Set<Int>, sentBefore: NIODeadline?, includingQueued: Bool) {
        let entries = inFlight.filter { entry in
            !entry.value.released && entry.value.completion.batchID.map(batches.contains) == true
                && sentBefore.map { entry.value.sentAt < $0 } ?? true
        }
        for (id, entry) in entries.sorted(by: { $0.value.sequence < $1.value.sequence }) {
            setAside(id)
            entry.completion.fail(MQTTError.abandoned)
        }
        if includingQueued, waiting.contains(where: { $0.1.batchID.map(batches.contains) == true }) {
            var kept = CircularBuffer<(MQTTMessage, MQTTPublishCompletion)>()
            while let (message, completion) = waiting.popFirst() {
                if completion.batchID.map(batches.contains) == true {
                    completion.fail(MQTTError.abandoned)
                } else {
                    kept.append((message, completion))
                }
            }
            waiting = kept
        }
        sendWaiting()
    }

    /// The task of a `publish` call was cancelled: a message still waiting for a slot is dropped.
    /// One on the wire stays in flight, unheard: the protocol owes it a re-send after a reconnect
    /// with the session kept (MQTT-4.4.0-1), and the server counts it until it answers, so it
    /// holds its slot until then. Nothing to do when the call already completed.
    func cancelPublish(_ cancellation: MQTTPublishCancellation) {
        if let index = waiting.firstIndex(where: { $0.1.isCall(of: cancellation) }) {
            let (_, completion) = waiting.remove(at: index)
            completion.fail(CancellationError())
            return
        }
        guard let (id, entry) = inFlight.first(where: { $0.value.completion.isCall(of: cancellation) }) else { return }
        inFlight[id]?.completion = .discarded
        entry.completion.fail(CancellationError())
    }

    /// Stops waiting for the answer to the publish with this id; the id is not reused while the
    /// session lasts (up to `maximumAbandonedIDs`, oldest forgotten first).
    private func setAside(_ id: UInt16) {
        inFlight[id] = nil
        abandonedIDs.insert(id)
        abandonedOrder.append(id)
        while abandonedOrder.count > Self.maximumAbandonedIDs, let oldest = abandonedOrder.popFirst() {
            abandonedIDs.remove(oldest)
        }
    }

    func startPacketIDs(after id: UInt16) { lastPacketID = id }

    /// An answer for an abandoned publish frees its id (and its slot, where it still held one).
    private func answeredAbandoned(_ id: UInt16) {
        guard abandonedIDs.remove(id) != nil, let index = abandonedOrder.firstIndex(of: id) else { return }
        abandonedOrder.remove(at: index)
        sendWaiting()
    }

    private func completePublish(_ id: UInt16, _ ack: MQTTAckPacket) {
        guard let entry = inFlight.removeValue(forKey: id) else { return }
        counters.acknowledged.add(1, ordering: .relaxed)
        let reason = ack.properties.lazy.compactMap { if case .reasonString(let s) = $0 { s } else { nil } }.first
        entry.completion.succeed(MQTTPublishResult(reasonCode: ack.reasonCode, reasonString: reason))
        sendWaiting()
    }

    // MARK: subscribe

    func subscribe(_ subscriptions: [MQTTSubscription], properties: MQTTSubscribeProperties,
                   cancellation: MQTTRequestCancellation,
                   continuation: CheckedContinuation<[MQTTSubscribeResult], any Error>) {
        guard case .connected(let handler) = state else {
            continuation.resume(throwing: state.isShutDown ? MQTTError.shutDown : MQTTError.notConnected)
            return
        }
        let id = allocatePacketID()
        guard cancellation.markSent(id) else { return continuation.resume(throwing: CancellationError()) }
        pendingSubscribes[id] = continuation
        watchRequest(id, named: "SUBSCRIBE", on: handler)
        var wire: [MQTTProperty] = []
        if configuration.version == .v5 {
            if let identifier = properties.subscriptionIdentifier { wire.append(.subscriptionIdentifier(identifier)) }
            wire += properties.userProperties.map { .userProperty($0.name, $0.value) }
        }
        send(.subscribe(MQTTSubscribePacket(packetID: id, subscriptions: subscriptions, properties: wire)), on: handler)
        handler.flush()
    }

    func unsubscribe(_ filters: [String], cancellation: MQTTRequestCancellation,
                     continuation: CheckedContinuation<Void, any Error>) {
        guard case .connected(let handler) = state else {
            continuation.resume(throwing: state.isShutDown ? MQTTError.shutDown : MQTTError.notConnected)
            return
        }
        let id = allocatePacketID()
        guard cancellation.markSent(id) else { return continuation.resume(throwing: CancellationError()) }
        pendingUnsubscribes[id] = continuation
        watchRequest(id, named: "UNSUBSCRIBE", on: handler)
        send(.unsubscribe(MQTTUnsubscribePacket(packetID: id, filters: filters)), on: handler)
        handler.flush()
    }

    /// The caller of a SUBSCRIBE / UNSUBSCRIBE stopped waiting (its task was cancelled).
    func cancelRequest(_ id: UInt16) {
        requestDeadlines[id] = nil
        pendingSubscribes.removeValue(forKey: id)?.resume(throwing: CancellationError())
        pendingUnsubscribes.removeValue(forKey: id)?.resume(throwing: CancellationError())
    }

    /// A server that never answers a request is broken: the connection is closed when the
    /// request's deadline passes, which fails it (and lets the owner reconnect).
    private func watchRequest(_ id: UInt16, named name: String, on handler: MQTTChannelHandler) {
        let deadline = NIODeadline.now() + requestTimeout
        requestDeadlines[id] = deadline
        scheduleRequestCheck(id, named: name, at: deadline, on: handler)
    }

    /// At least 100 ms: a zero or negative setting would re-arm the check at once, over and
    /// over, while reading is paused.
    private var requestTimeout: TimeAmount {
        let timeout = configuration.requestTimeout
        let nanoseconds = timeout.components.seconds * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000
        return .nanoseconds(max(100_000_000, nanoseconds))
    }

    private func scheduleRequestCheck(_ id: UInt16, named name: String, at deadline: NIODeadline,
                                      on handler: MQTTChannelHandler) {
        let bound = NIOLoopBound((self, handler), eventLoop: loop)
        loop.scheduleTask(deadline: deadline) {
            let (core, handler) = bound.value
            guard let due = core.requestDeadlines[id],
                  case .connected(let current) = core.state, current === handler else { return }
            if due > .now() {
                // Pushed back meanwhile (reading resumed): check again then.
                return core.scheduleRequestCheck(id, named: name, at: due, on: handler)
            }
            if core.readingPaused {
                // The answer may wait unread behind the paused socket, as a PINGRESP can.
                let later = NIODeadline.now() + core.requestTimeout
                core.requestDeadlines[id] = later
                return core.scheduleRequestCheck(id, named: name, at: later, on: handler)
            }
            core.requestDeadlines[id] = nil
            handler.close(error: MQTTError.requestTimeout(name))
        }
    }

    // MARK: inbound

    func received(_ packet: MQTTPacket, on handler: MQTTChannelHandler) {
        if case .connack(let ack) = packet { return handleConnAck(ack, on: handler) }
        guard case .connected(let current) = state, current === handler else {
            if case .disconnecting = state { return }
            handler.close(error: MQTTError.protocolViolation("\(packet.type) before CONNACK"))
            return
        }
        switch packet {
        case .publish(let publish):
            handleInboundPublish(publish, on: handler)
        case .puback(let ack):
            if inFlight[ack.packetID]?.message.qos == .atLeastOnce { completePublish(ack.packetID, ack) }
            answeredAbandoned(ack.packetID)
        case .pubrec(let ack):
            guard var entry = inFlight[ack.packetID], entry.message.qos == .exactlyOnce else {
                answeredAbandoned(ack.packetID)
                send(.pubrel(MQTTAckPacket(packetID: ack.packetID, reasonCode: configuration.version == .v5
                    ? .packetIdentifierNotFound : .success)), on: handler)
                handler.flush()
                return
            }
            if ack.reasonCode.isFailure { return completePublish(ack.packetID, ack) }
            entry.released = true
            inFlight[ack.packetID] = entry
            send(.pubrel(MQTTAckPacket(packetID: ack.packetID)), on: handler)
            scheduleFlush()
        case .pubcomp(let ack):
            if inFlight[ack.packetID]?.released == true { completePublish(ack.packetID, ack) }
            answeredAbandoned(ack.packetID)
        case .pubrel(let ack):
            inboundQoS2.remove(ack.packetID)
            send(.pubcomp(MQTTAckPacket(packetID: ack.packetID)), on: handler)
            scheduleFlush()
        case .suback(let ack):
            // An answer for another request's id (an UNSUBSCRIBE's) leaves that request's deadline
            // running: cleared, the request would wait as long as the connection lives.
            guard let continuation = pendingSubscribes.removeValue(forKey: ack.packetID) else { return }
            requestDeadlines[ack.packetID] = nil
            continuation.resume(returning: ack.reasonCodes.map { MQTTSubscribeResult(reasonCode: $0) })
        case .unsuback(let ack):
            guard let continuation = pendingUnsubscribes.removeValue(forKey: ack.packetID) else { return }
            requestDeadlines[ack.packetID] = nil
            if ack.reasonCodes.contains(where: \.isFailure) {
                continuation.resume(throwing: MQTTError.unsubscribeFailed(ack.reasonCodes))
            } else {
                continuation.resume()
            }
        case .pingresp:
            pingSentAt = nil
        case .disconnect(let disconnect):
            let reason = disconnect.properties.lazy.compactMap { if case .reasonString(let s) = $0 { s } else { nil } }.first
            handler.close(error: MQTTError.serverDisconnected(disconnect.reasonCode, reason: reason))
        case .connect, .connack, .subscribe, .unsubscribe, .pingreq, .auth:
            handler.close(error: MQTTError.protocolViolation("server sent \(packet.type)"))
        }
    }

    private func handleInboundPublish(_ publish: MQTTPublishPacket, on handler: MQTTChannelHandler) {
        var alias: UInt16?
        let properties = MQTTPublishProperties(wire: publish.properties, topicAlias: &alias)
        var topic = publish.topic
        if let alias {
            if topic.isEmpty {
                guard let known = inboundAliases[alias] else {
                    return handler.close(error: MQTTError.protocolViolation("unknown topic alias \(alias)"))
                }
                topic = known
            } else {
                inboundAliases[alias] = topic
            }
        }
        let message = MQTTMessage(topic: topic, payload: publish.payload, qos: publish.qos, retain: publish.retain,
                                  properties: properties)
        switch publish.qos {
        case .atMostOnce:
            deliver(message)
        case .atLeastOnce:
            let acknowledgement = MQTTPacket.puback(MQTTAckPacket(packetID: publish.packetID!))
            if configuration.acknowledgesInboundOnRequest {
                deliver(message, acknowledgingLater: acknowledgement)
                return
            }
            deliver(message)
            lastSent = .now()
            handler.writeAcknowledgement(acknowledgement)
            scheduleFlush()
        case .exactlyOnce:
            let id = publish.packetID!
            let acknowledgement = MQTTPacket.pubrec(MQTTAckPacket(packetID: id))
            guard inboundQoS2.insert(id).inserted else {
                // Already delivered; its PUBREC may still wait for the consumer, and it must not
                // overtake earlier ones.
                if configuration.acknowledgesInboundOnRequest {
                    deferredAcknowledgements.append((acknowledgement, true))
                    releaseDeferredAcknowledgements(on: handler)
                } else {
                    send(acknowledgement, on: handler)
                    scheduleFlush()
                }
                return
            }
            if configuration.acknowledgesInboundOnRequest {
                deliver(message, acknowledgingLater: acknowledgement)
                return
            }
            deliver(message)
            send(acknowledgement, on: handler)
            scheduleFlush()
        }
    }

    /// Delivers a message whose acknowledgement waits for the consumer's `acknowledge`. With no
    /// consumer left (it stopped) the acknowledgement never comes: the message and every later one
    /// stay the server's, to be sent again in the next session, instead of being acknowledged and
    /// dropped here.
    private func deliver(_ message: MQTTMessage, acknowledgingLater packet: MQTTPacket) {
        var message = message
        message.acknowledgement = MQTTInboundAcknowledgement(
            connection: connectionNumber, sequence: firstDeferredSequence + UInt64(deferredAcknowledgements.count))
        deferredAcknowledgements.append((packet, false))
        deliver(message)
    }

    /// `MQTTClient.refuse`: the consumer could not take the message; closing the connection makes a
    /// persistent session send it again. Ignored for a message of a connection that is gone.
    func refuse(_ acknowledgement: MQTTInboundAcknowledgement) {
        guard acknowledgement.connection == connectionNumber, case .connected(let handler) = state else { return }
        // Acknowledgements released before (messages that were stored) go out first.
        handler.flush()
        handler.close(error: MQTTError.inboundRefused)
    }

    /// The consumer is done with a message (`acknowledgesInboundOnRequest`): its acknowledgement
    /// goes out with every requested one before it that waited for it. Ignored for a message of
    /// a connection that is gone.
    func acknowledge(_ acknowledgement: MQTTInboundAcknowledgement) {
        guard acknowledgement.connection == connectionNumber, case .connected(let handler) = state,
              acknowledgement.sequence >= firstDeferredSequence else { return }
        let index = Int(acknowledgement.sequence - firstDeferredSequence)
        guard index < deferredAcknowledgements.count else { return }
        deferredAcknowledgements[deferredAcknowledgements.index(deferredAcknowledgements.startIndex, offsetBy: index)]
            .requested = true
        releaseDeferredAcknowledgements(on: handler)
    }

    /// Sends the requested acknowledgements at the front of the queue.
    private func releaseDeferredAcknowledgements(on handler: MQTTChannelHandler) {
        var wrote = false
        while let first = deferredAcknowledgements.first, first.requested {
            deferredAcknowledgements.removeFirst()
            firstDeferredSequence += 1
            if case .pubrec = first.packet {
                send(first.packet, on: handler)
            } else {
                handler.writeAcknowledgement(first.packet)
            }
            wrote = true
        }
        if wrote {
            lastSent = .now()
            scheduleFlush()
        }
    }

    private func deliver(_ message: MQTTMessage) {
        guard let inbound else { return }
        let buffered = counters.inboundBytes.add(message.payload.readableBytes, ordering: .relaxed).newValue
        let full = inbound.yield(message) == .stopProducing || buffered > configuration.inboundBufferHighWatermarkBytes
        if full, !readingPaused, case .connected(let handler) = state {
            readingPaused = true
            handler.setReading(false)
        }
    }

    func resumeReading() {
        guard readingPaused else { return }
        readingPaused = false
        // The PINGRESP or a SUBACK may be among what was left unread: each gets a full
        // interval from now.
        if pingSentAt != nil { pingSentAt = .now() }
        if !requestDeadlines.isEmpty {
            let later = NIODeadline.now() + requestTimeout
            for id in requestDeadlines.keys { requestDeadlines[id] = later }
        }
        if case .connected(let handler) = state { handler.setReading(true) }
    }

    func inboundTerminated() {
        // Nobody will consume any more: keep reading so acknowledgements still flow.
        inbound = nil
        resumeReading()
    }

    // MARK: keep-alive

    /// One repeating timer per connection checks idleness; no per-message timers.
    private func startKeepAlive(serverKeepAlive: UInt16?, on handler: MQTTChannelHandler) {
        let seconds = serverKeepAlive.map(Int64.init) ?? Int64(configuration.keepAliveSeconds)
        guard seconds > 0 else { return }
        keepAliveInterval = .seconds(seconds)
        pingSentAt = nil
        lastSent = .now()
        let tick = TimeAmount.milliseconds(max(100, seconds * 1000 / 4))
        let bound = NIOLoopBound((self, handler), eventLoop: loop)
        keepAliveTask = loop.scheduleRepeatedTask(initialDelay: tick, delay: tick) { _ in
            bound.value.0.keepAliveTick(bound.value.1)
        }
    }

    private func keepAliveTick(_ handler: MQTTChannelHandler) {
        guard case .connected(let current) = state, current === handler else { return }
        let now = NIODeadline.now()
        if let pingSentAt {
            guard now - pingSentAt >= keepAliveInterval else { return }
            guard readingPaused else { return handler.close(error: MQTTError.keepAliveTimeout) }
            // Reading is paused (the consumer is behind): the PINGRESP waits unread in the socket,
            // so its absence says nothing. Ping again so the server keeps the session, and drop
            // nothing: a clean session would lose every message the server still holds.
            self.pingSentAt = now
            send(.pingreq, on: handler)
            handler.flush()
            return
        }
        // Ping a little before the interval ends so the server never sees a full idle period.
        if now - lastSent >= TimeAmount.nanoseconds(keepAliveInterval.nanoseconds * 3 / 4) {
            pingSentAt = now
            send(.pingreq, on: handler)
            handler.flush()
        }
    }

    // MARK: disconnect / close

    func disconnect(reasonCode: MQTTReasonCode, continuation: CheckedContinuation<Void, Never>) {
        switch state {
        case .connected(let handler):
            state = .disconnecting(handler)
            disconnectWaiters.append(continuation)
            send(.disconnect(MQTTReasonPacket(reasonCode: reasonCode)), on: handler)
            handler.flush()
            handler.close(error: nil)
        case .connecting(let handler, _, _):
            disconnectWaiters.append(continuation)
            handler.close(error: MQTTError.connectionLost)
        case .disconnecting:
            disconnectWaiters.append(continuation)
        default:
            continuation.resume()
        }
    }

    func connectionClosed(_ handler: MQTTChannelHandler, error: (any Error)?) {
        keepAliveTask?.cancel()
        keepAliveTask = nil
        readingPaused = false
        switch state {
        case .connecting(let current, let continuation, let timeout) where current === handler:
            timeout.cancel()
            state = .idle
            continuation.resume(throwing: error ?? MQTTError.connectionLost)
        case .connected(let current) where current === handler:
            state = .idle
            // Debug: the client's owner logs the loss its own way (once per burst, with context).
            logger.debug("MQTT connection lost", metadata: ["error": "\(error.map { "\($0)" } ?? "closed by peer")"])
            connectionLost()
            events.yield(.disconnected(reason: error ?? MQTTError.connectionLost))
        case .disconnecting(let current) where current === handler:
            state = .idle
            connectionLost()
            events.yield(.disconnected(reason: nil))
        default:
            break
        }
        for waiter in disconnectWaiters { waiter.resume() }
        disconnectWaiters = []
    }

    /// What a lost connection does to pending work: requests always fail; publishes survive only
    /// when the session is persistent (they are re-sent after the next CONNACK with sessionPresent).
    private func connectionLost() {
        for (_, continuation) in pendingSubscribes { continuation.resume(throwing: MQTTError.connectionLost) }
        pendingSubscribes = [:]
        for (_, continuation) in pendingUnsubscribes { continuation.resume(throwing: MQTTError.connectionLost) }
        pendingUnsubscribes = [:]
        requestDeadlines = [:]
        if configuration.cleanSession { failInFlight(MQTTError.connectionLost) }
    }

    private func failInFlight(_ error: MQTTError) {
        let entries = inFlight
        inFlight = [:]
        abandonedIDs = []
        abandonedOrder = []
        for entry in entries.values.sorted(by: { $0.sequence < $1.sequence }) { entry.completion.fail(error) }
        // Never sent: the caller can tell them from those the server left unanswered.
        let unsent = error == .connectionLost ? MQTTError.notConnected : error
        while let (_, completion) = waiting.popFirst() { completion.fail(unsent) }
    }

    /// Final: fails everything pending and finishes the streams. Call after the connection closed.
    func shutdown() {
        state = .shutDown
        failInFlight(MQTTError.shutDown)
        for (_, continuation) in pendingSubscribes { continuation.resume(throwing: MQTTError.shutDown) }
        pendingSubscribes = [:]
        for (_, continuation) in pendingUnsubscribes { continuation.resume(throwing: MQTTError.shutDown) }
        pendingUnsubscribes = [:]
        inbound?.finish()
        inbound = nil
        events.finish()
    }

    // MARK: writing

    private func send(_ packet: MQTTPacket, on handler: MQTTChannelHandler, promise: EventLoopPromise<Void>? = nil) {
        lastSent = .now()
        handler.write(packet, promise: promise)
    }

    /// Coalesces the flushes of everything written during this loop tick into one syscall.
    private func scheduleFlush() {
        guard !flushScheduled else { return }
        flushScheduled = true
        let bound = NIOLoopBound(self, eventLoop: loop)
        loop.execute {
            let core = bound.value
            core.flushScheduled = false
            switch core.state {
            case .connected(let handler), .disconnecting(let handler): handler.flush()
            default: break
            }
        }
    }
}

extension MQTTClientCore.State {
    var isShutDown: Bool {
        if case .shutDown = self { return true }
        return false
    }
}
