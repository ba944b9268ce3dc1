import Logging
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization

/// Async MQTT 3.1/3.1.1/5 client.
///
/// A `final class` rather than an actor: all mutable state lives in `MQTTClientCore`, confined to one
/// event loop chosen at init (every connection of this client is bound to that loop), so the state
/// needs no locks and each API call costs one event-loop task push, never a Swift Task.
public final class MQTTClient: Sendable {
    public let configuration: MQTTClientConfiguration
    private let loop: any EventLoop
    private let logger: Logger
    private let core: NIOLoopBoundBox<MQTTClientCore>
    private let inboundSequence: MQTTInboundProducer

    /// Connection state changes. Buffers the newest 64 events if nobody listens.
    public let connectionEvents: AsyncStream<MQTTConnectionEvent>

    public init(configuration: MQTTClientConfiguration,
                eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, logger: Logger) {
        self.configuration = configuration
        self.loop = eventLoopGroup.next()
        self.logger = logger
        let (events, eventsContinuation) = AsyncStream.makeStream(of: MQTTConnectionEvent.self,
                                                                  bufferingPolicy: .bufferingNewest(64))
        self.connectionEvents = events
        let flag = MQTTConnectedFlag()
        self.connectedFlag = flag
        let counters = MQTTClientCounters()
        self.counters = counters
        let core = MQTTClientCore(configuration: configuration, loop: loop, logger: logger, events: eventsContinuation,
                                  connectedFlag: flag, counters: counters)
        let box = NIOLoopBoundBox.makeBoxSendingValue(core, eventLoop: loop)
        self.core = box
        let high = max(1, configuration.inboundBufferHighWatermark)
        let new = MQTTInboundProducer.makeSequence(
            backPressureStrategy: .init(lowWatermark: max(0, high / 2), highWatermark: high),
            finishOnDeinit: false,
            delegate: MQTTInboundDelegate(box: box))
        self.inboundSequence = new.sequence
        let source = new.source
        // Runs before any connect() (tasks on one loop run in order), so no message can be missed.
        loop.execute { box.value.inbound = source }
    }

    /// Inbound PUBLISHes of all connections, in arrival order. Single consumer: iterate it once.
    /// When the consumer falls behind, the client stops reading the socket (TCP back-pressure).
    public var messages: MQTTMessageSequence {
        MQTTMessageSequence(base: inboundSequence, counters: counters, core: core,
                            resumeBelowBytes: max(1, configuration.inboundBufferHighWatermarkBytes / 2))
    }

    /// Tests: payload bytes buffered for the `messages` consumer.
    var bufferedInboundBytes: Int { counters.inboundBytes.load(ordering: .relaxed) }

    /// True between a successful CONNACK and the loss/close of that connection.
    public var isConnected: Bool { connectedFlag.load() }
    private let connectedFlag: MQTTConnectedFlag

    /// QoS 1/2 publishes the server acknowledged, over every connection of this client: a caller
    /// waiting too long for one message can tell a server that answers nothing from one that
    /// answers others.
    public var publishesAcknowledged: Int { counters.acknowledged.load(ordering: .relaxed) }
    /// QoS 1/2 publishes on the wire waiting for their acknowledgement now, and abandoned ones
    /// (`abandon`) while they hold back queued publishes under the server's receive maximum.
    public var publishesAwaitingAcknowledgement: Int { counters.awaiting.load(ordering: .relaxed) }
    private let counters: MQTTClientCounters

    /// Opens TCP (+TLS), sends CONNECT and returns the CONNACK. Callable again after a disconnect.
    /// A refused CONNACK throws `MQTTError.connectionRefused`; a TLS failure throws NIOSSL's error.
    public func connect() async throws -> MQTTConnAck {
        let box = core
        try await loop.submit { try box.value.beginConnect() }.get()
        let channel: any Channel
        do {
            if let proxy = configuration.httpProxy {
                // Made here, not looked up in the pipeline: a proxy that refuses and closes at
                // once takes its handler away before `openTunnel` could find it.
                let tunnel = loop.makePromise(of: Void.self)
                do {
                    channel = try await makeBootstrap(tunnel: tunnel).connect(host: proxy.host, port: proxy.port).get()
                } catch {
                    tunnel.fail(error)
                    throw error
                }
                do {
                    try await openTunnel(on: channel, established: tunnel.futureResult)
                } catch {
                    channel.close(promise: nil)
                    throw error
                }
            } else {
                channel = try await makeBootstrap(tunnel: nil).connect(host: configuration.host, port: configuration.port).get()
            }
        } catch {
            loop.execute { box.value.connectFailedBeforeSession() }
            throw error
        }
        return try await withCheckedThrowingContinuation { continuation in
            loop.execute {
                do {
                    let handler = try channel.pipeline.syncOperations.handler(type: MQTTChannelHandler.self)
                    box.value.startSession(handler: handler, continuation: continuation)
                } catch {
                    box.value.connectFailedBeforeSession()
                    channel.close(promise: nil)
                    continuation.resume(throwing: error)
                }
            }
        }
    }

    /// Through a proxy, the channel starts with only the tunnel handler; the session's handlers
    /// follow once the tunnel is open (`openTunnel`).
    private func makeBootstrap(tunnel: EventLoopPromise<Void>?) throws -> ClientBootstrap {
        let configuration = self.configuration
        let addSessionHandlers = try sessionHandlers()
        return ClientBootstrap(group: loop)
            .connectTimeout(TimeAmount(configuration.connectTimeout))
            .channelOption(ChannelOptions.tcpOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                do {
                    if let tunnel {
                        try channel.pipeline.syncOperations.addHandler(HTTPConnectTunnelHandler(
                            targetHost: configuration.host, targetPort: configuration.port, established: tunnel))
                    } else {
                        try addSessionHandlers(channel.pipeline.syncOperations)
                    }
                    return channel.eventLoop.makeSucceededVoidFuture()
                } catch {
                    return channel.eventLoop.makeFailedFuture(error)
                }
            }
    }

    /// Adds TLS (when configured) and the MQTT handler to a pipeline, on its event loop.
    private func sessionHandlers() throws -> @Sendable (ChannelPipeline.SynchronousOperations) throws -> Void {
        let configuration = self.configuration
        let sslContext = try configuration.tls.map { try $0.makeSSLContext() }
        let serverHostname = configuration.tls?.hostnameForVerification(host: configuration.host)
        let box = core
        let maximum = configuration.maximumPacketSize.map(Int.init) ?? 268_435_460
        let readBatching = configuration.readBatching.map { TimeAmount($0) }
        return { sync in
            if let sslContext {
                try sync.addHandler(try NIOSSLClientHandler(context: sslContext, serverHostname: serverHostname))
            }
            try sync.addHandler(MQTTChannelHandler(
                core: box.value, version: configuration.version, maximumPacketSize: maximum,
                acknowledgesReadsImmediately: configuration.acknowledgesReadsImmediately, readBatching: readBatching))
        }
    }

    /// Waits for the proxy to open the tunnel (within the connect timeout), then puts the
    /// session's handlers behind the tunnel handler and removes it; TLS starts then, end to end
    /// with the broker.
    private func openTunnel(on channel: any Channel, established: EventLoopFuture<Void>) async throws {
        let addSessionHandlers = try sessionHandlers()
        let timeout = channel.eventLoop.scheduleTask(in: TimeAmount(configuration.connectTimeout)) {
            channel.close(promise: nil)
        }
        defer { timeout.cancel() }
        try await established.get()
        try await channel.eventLoop.submit {
            let sync = channel.pipeline.syncOperations
            let tunnel = try sync.handler(type: HTTPConnectTunnelHandler.self)
            let context = try sync.context(handlerType: HTTPConnectTunnelHandler.self)
            try addSessionHandlers(sync)
            tunnel.passOnRemainder(context: context)
            sync.removeHandler(context: context, promise: nil)
        }.get()
    }

    /// Sends the acknowledgement of an inbound message received with `acknowledgesInboundOnRequest`
    /// (PUBACK for QoS 1, PUBREC for QoS 2). They reach the server in arrival order: one requested
    /// early waits for the messages before it. A message of a connection that has closed since is
    /// not acknowledged; a persistent session gets it again.
    public func acknowledge(_ acknowledgement: MQTTInboundAcknowledgement) {
        let box = core
        loop.execute { box.value.acknowledge(acknowledgement) }
    }

    /// The consumer could not take an inbound message received with `acknowledgesInboundOnRequest`
    /// (it could not store it): closes that message's connection unless it is gone already, so that
    /// a persistent session sends the message, and every one not acknowledged before it, again on
    /// the next connection. Waits for nothing.
    public func refuse(_ acknowledgement: MQTTInboundAcknowledgement) {
        let box = core
        loop.execute { box.value.refuse(acknowledgement) }
    }

    /// QoS 0: returns once written. QoS 1/2: returns at PUBACK / PUBCOMP; waits for a slot when the
    /// outbound window is full. A v5 failure reason code is returned in the result, not thrown.
    ///
    /// QoS 1/2: throws `CancellationError` as soon as the calling task is cancelled while it waits.
    /// A message still waiting for a slot (or from a task cancelled before the call) is never
    /// sent. One already sent is not taken back: it stays in flight, unheard, until the server
    /// answers, and is sent again after a reconnect that keeps the session, as the protocol
    /// requires. QoS 0 is written whatever.
    public func publish(_ message: MQTTMessage) async throws -> MQTTPublishResult {
        let box = core
        let cancellation = MQTTPublishCancellation()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                loop.execute { box.value.publish(message, completion: .caller(continuation, cancellation)) }
            }
        } onCancel: {
            cancellation.cancel()
            loop.execute { box.value.cancelPublish(cancellation) }
        }
    }

    /// Publishes the messages in order, as `publish` would one by one, and completes once every
    /// one of them did, with each one's outcome in order (the future itself never fails). One hop
    /// onto the loop and one wake-up for the whole batch, where awaiting each `publish` costs a
    /// task and a wake-up per message.
    public func publishAll(_ messages: [MQTTMessage]) -> MQTTPublishing {
        let box = core
        let promise = loop.makePromise(of: [Result<MQTTPublishResult, any Error>].self)
        let id = counters.batches.add(1, ordering: .relaxed).newValue
        loop.execute { box.value.publishAll(messages, batch: MQTTPublishBatch(id: id, count: messages.count, promise: promise)) }
        return MQTTPublishing(outcomes: promise.futureResult, batch: id)
    }

    /// Stops waiting for the acknowledgement of the publishes of `publishings` sent (at least
    /// `sentAgo` ago, when given) and still unanswered: they complete with `MQTTError.abandoned` and
    /// give their slots of the outbound window to others. Those still queued for a slot stay
    /// queued and go out, or (`includingQueued`) complete as abandoned too, never sent. For a
    /// server that keeps the session up but never answers some messages (ThingsBoard before 4.2.1
    /// does so for the data of a device it cannot create): otherwise they would hold the window
    /// until the session ends. Their packet ids are not reused while the session lasts (up to
    /// 4,096 of them), so a late acknowledgement cannot be taken for another message's; while the
    /// server's receive maximum bounds the window they still count against it.
    public func abandon(_ publishings: [MQTTPublishing], sentAgo: Duration? = nil, includingQueued: Bool = false) {
        guard !publishings.isEmpty else { return }
        let box = core
        let batches = Set(publishings.map(\.batch))
        let cutoff = sentAgo.map { ago in
            let (seconds, attoseconds) = ago.components
            return NIODeadline.now() - .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
        }
        loop.execute { box.value.abandon(batches: batches, sentBefore: cutoff, includingQueued: includingQueued) }
    }

    /// Tests: the next packet id allocated is `id + 1`.
    func startPacketIDs(after id: UInt16) {
        let box = core
        loop.execute { box.value.startPacketIDs(after: id) }
    }

    /// Bounds the QoS 1/2 publishes awaiting acknowledgement (below the configured
    /// `outboundWindow` and the server's receive maximum, and always well below the packet-id
    /// space); more wait for a slot, in order.
    public func limitOutboundWindow(to maximum: Int) {
        let box = core
        loop.execute { box.value.limitOutboundWindow(to: maximum) }
    }

    /// One result per subscription, in order (granted QoS or failure reason code). Throws
    /// `CancellationError` when the calling task is cancelled before the SUBACK, and
    /// `connectionLost` when the server leaves it unanswered for `requestTimeout`.
    public func subscribe(_ subscriptions: [MQTTSubscription],
                          properties: MQTTSubscribeProperties = MQTTSubscribeProperties()) async throws
        -> [MQTTSubscribeResult]
    {
        let box = core
        let cancellation = MQTTRequestCancellation()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                loop.execute {
                    box.value.subscribe(subscriptions, properties: properties, cancellation: cancellation,
                                        continuation: continuation)
                }
            }
        } onCancel: {
            if let id = cancellation.cancel() { loop.execute { box.value.cancelRequest(id) } }
        }
    }

    /// Throws `CancellationError` when the calling task is cancelled before the UNSUBACK.
    public func unsubscribe(_ filters: [String]) async throws {
        let box = core
        let cancellation = MQTTRequestCancellation()
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                loop.execute { box.value.unsubscribe(filters, cancellation: cancellation, continuation: continuation) }
            }
        } onCancel: {
            if let id = cancellation.cancel() { loop.execute { box.value.cancelRequest(id) } }
        }
    }

    /// Sends DISCONNECT and closes. With a persistent session, unacknowledged publishes stay pending.
    public func disconnect(reasonCode: MQTTReasonCode = .normalDisconnection) async {
        let box = core
        await withCheckedContinuation { continuation in
            loop.execute { box.value.disconnect(reasonCode: reasonCode, continuation: continuation) }
        }
    }

    /// Final: disconnects, fails everything pending with `MQTTError.shutDown`, finishes both streams.
    public func shutdown() async {
        await disconnect()
        let box = core
        try? await loop.submit { box.value.shutdown() }.get()
    }
}

/// The inbound message stream (wraps NIO's back-pressured producer).
public struct MQTTMessageSequence: AsyncSequence, Sendable {
    public typealias Element = MQTTMessage
    public typealias Failure = Never
    let base: MQTTInboundProducer
    let counters: MQTTClientCounters
    let core: NIOLoopBoundBox<MQTTClientCore>
    let resumeBelowBytes: Int

    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: MQTTInboundProducer.AsyncIterator
        let sequence: MQTTMessageSequence

        public mutating func next() async -> MQTTMessage? {
            guard let message = await base.next() else { return nil }
            // The byte bound paused reading: resume once the buffer drained below half of it
            // (the count bound resumes through the producer's own delegate).
            let size = message.payload.readableBytes
            let left = sequence.counters.inboundBytes.subtract(size, ordering: .relaxed).newValue
            if left < sequence.resumeBelowBytes, left + size >= sequence.resumeBelowBytes {
                let core = sequence.core
                core.eventLoop.execute { core.value.resumeReading() }
            }
            return message
        }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(base: base.makeAsyncIterator(), sequence: self) }
}

/// Readable from any thread; written only by the core on its event loop.
final class MQTTClientCounters: Sendable {
    let acknowledged = Atomic<Int>(0)
    let awaiting = Atomic<Int>(0)
    let batches = Atomic<Int>(0)
    /// Payload bytes delivered to `messages` and not yet taken by its consumer (the core adds,
    /// the consumer subtracts).
    let inboundBytes = Atomic<Int>(0)
}

/// Readable from any thread; written only by the core on its event loop.
final class MQTTConnectedFlag: Sendable {
    private let value = Atomic<Bool>(false)
    func load() -> Bool { value.load(ordering: .acquiring) }
    func store(_ newValue: Bool) { value.store(newValue, ordering: .releasing) }
}
