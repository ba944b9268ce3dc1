import Logging
import NIOCore
import NIOPosix

/// An OPC-UA client that keeps itself connected: one secure channel + session at a time, typed
/// service calls, subscriptions delivered as one `dataChanges` stream, and supervision that notices a
/// dead server (connection loss, failed keep-alive read of Server_ServerStatus_State, a session the
/// server forgot) and rebuilds channel, session, subscriptions and monitored items by itself with
/// back-off, keeping subscription ids and client handles stable for the caller.
public actor OPCUAClient {
    public nonisolated let options: OPCUAClientOptions
    /// Every data change of every subscription, one array per notification message the server
    /// sent (one stream element per message, not per change: 10,000 changes a second would
    /// otherwise cost 10,000 hand-overs). Up to `options.dataChangeBufferSize` messages are
    /// buffered; when the consumer falls that far behind, the oldest are dropped and their changes
    /// counted in `droppedDataChanges` (fresh values matter more than stale ones for telemetry).
    public nonisolated let dataChanges: AsyncStream<[OPCUADataChange]>
    /// State transitions (newest 32 kept if nobody listens).
    public nonisolated let states: AsyncStream<OPCUAClientState>
    nonisolated let dataSink: AsyncStream<[OPCUADataChange]>.Continuation
    nonisolated let stateSink: AsyncStream<OPCUAClientState>.Continuation
    nonisolated let handles = OPCUARequestHandles()
    let logger: Logger
    let group: any EventLoopGroup

    struct Active: Sendable {
        var connection: OPCUAConnection
        var session: OPCUASessionInfo
        var generation: Int
    }

    var active: Active?
    var generation = 0
    public private(set) var state: OPCUAClientState = .disconnected
    public private(set) var reconnects = 0
    /// The current server's operation limits (read after every session opens); requests are split to fit.
    public internal(set) var operationLimits = OPCUAOperationLimits()
    public internal(set) var droppedDataChanges = 0
    var lastError = "not connected yet"
    var lastTraffic = ContinuousClock.now
    var supervisor: Task<Void, Never>?
    var isClosed = false

    // Subscriptions (see OPCUAClient+Subscriptions.swift).
    var subscriptions: [OPCUASubscriptionID: OPCUASubscriptionRecord] = [:]
    var nextSubscriptionId: UInt32 = 1
    var pendingAcknowledgements: [SubscriptionAcknowledgement] = []
    var publishWorkers = 0

    public init(options: OPCUAClientOptions, eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
                logger: Logger = Logger(label: "opcua.client")) {
        self.options = options
        self.group = eventLoopGroup
        self.logger = logger
        (dataChanges, dataSink) = AsyncStream.makeStream(of: [OPCUADataChange].self,
                                                         bufferingPolicy: .bufferingNewest(max(1, options.dataChangeBufferSize)))
        (states, stateSink) = AsyncStream.makeStream(of: OPCUAClientState.self, bufferingPolicy: .bufferingNewest(32))
    }

    // MARK: Lifecycle

    /// Connects once (GetEndpoints, secure channel, session) and throws a clear error when that fails;
    /// after success the client supervises itself until `disconnect()`.
    public func connect() async throws {
        guard !isClosed else { throw OPCUAClientError.closed }
        guard active == nil else { return }
        setState(.connecting)
        do {
            try await establish()
        } catch {
            lastError = "\(error)"
            setState(.disconnected)
            throw error
        }
        startSupervisor()
    }

    /// Starts supervision without waiting: connects in the background, retrying with back-off until a
    /// session is up (a gateway starting before its server does).
    public func start() {
        guard !isClosed else { return }
        startSupervisor()
    }

    /// Waits until a session is active (or `timeout` passes); true when connected.
    public func waitUntilConnected(timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while active == nil, !isClosed, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        return active != nil
    }

    /// Closes the session and channel, stops supervision and finishes the streams.
    public func disconnect() async {
        guard !isClosed else { return }
        isClosed = true
        supervisor?.cancel()
        if let current = active {
            active = nil
            _ = try? await OPCUAServiceCall.call(
                CloseSessionRequest(deleteSubscriptions: true), on: current.connection,
                authenticationToken: current.session.authenticationToken, handle: handles.next(), timeout: .seconds(2))
            await current.connection.close()
        }
        await supervisor?.value
        setState(.closed)
        dataSink.finish()
        stateSink.finish()
    }

    public var isConnected: Bool { active != nil }

    // MARK: Service calls

    /// Sends any service request on the current session and returns its response. Fails fast with
    /// `notConnected` while there is no session, `OPCUAConnectionError.timeout` after `timeout`
    /// (default `options.requestTimeout`), and `serviceFailed` for a ServiceFault or bad serviceResult.
    public func send<R: OPCUARequest>(_ request: R, timeout: Duration? = nil) async throws -> R.Response {
        guard let current = active else {
            throw isClosed ? OPCUAClientError.closed : OPCUAClientError.notConnected(reason: lastError)
        }
        do {
            let response = try await OPCUAServiceCall.call(
                request, on: current.connection, authenticationToken: current.session.authenticationToken,
                handle: handles.next(), timeout: timeout ?? options.requestTimeout)
            lastTraffic = .now
            return response
        } catch let OPCUAClientError.serviceFailed(service, status) where Self.meansSessionLost(status) {
            await lose(current, reason: "\(service): \(status)")
            throw OPCUAClientError.serviceFailed(service: service, status: status)
        }
    }

    /// GetEndpoints on the current channel (no session needed by the service itself).
    public func getEndpoints() async throws -> [EndpointDescription] {
        try await send(GetEndpointsRequest(endpointURL: options.endpointURL)).endpoints
    }

    /// GetEndpoints on a fresh unsecured connection, without a session (discovery before configuring).
    public static func getEndpoints(endpointURL: String, options connectionOptions: OPCUAConnectionOptions = OPCUAConnectionOptions(),
                                    timeout: Duration = .seconds(10),
                                    eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) async throws -> [EndpointDescription] {
        let connection = try await OPCUAConnection.connect(to: endpointURL, options: connectionOptions, eventLoopGroup: eventLoopGroup)
        defer { Task { await connection.close() } }
        return try await OPCUAServiceCall.call(GetEndpointsRequest(endpointURL: endpointURL), on: connection,
                                               authenticationToken: .null, handle: 1, timeout: timeout).endpoints
    }

    static func meansSessionLost(_ status: StatusCode) -> Bool {
        switch status.code {
        case .badSessionIdInvalid, .badSessionClosed, .badSessionNotActivated, .badSecureChannelIdInvalid,
             .badSecureChannelClosed:
            true
        default:
            false
        }
    }

    // MARK: Supervision

    private func startSupervisor() {
        guard supervisor == nil else { return }
        supervisor = Task { await self.supervise() }
    }

    private func supervise() async {
        var failedAttempts = 0
        var delay: Duration? = nil
        while !isClosed, !Task.isCancelled {
            if let current = active {
                let reason = await Self.watch(current.connection, client: self)
                await lose(current, reason: reason)
                delay = options.reconnect.delay(attempt: 0)
                failedAttempts = 0
                continue
            }
            if let delay {
                try? await Task.sleep(for: delay)
                if isClosed || Task.isCancelled { break }
            }
            if case .reconnecting = state {} else { setState(.connecting) }
            do {
                try await establish()
                failedAttempts = 0
                delay = nil
            } catch {
                lastError = "\(error)"
                failedAttempts += 1
                delay = options.reconnect.delay(attempt: failedAttempts)
                logger.info("OPC-UA connect failed", metadata: ["attempt": "\(failedAttempts)", "error": "\(error)"])
                setState(.reconnecting(attempt: failedAttempts, lastError: lastError))
            }
        }
    }

    /// Returns why the session ended: the connection closed, or a keep-alive read failed (the
    /// connection is then closed so nothing keeps waiting on it).
    private static func watch(_ connection: OPCUAConnection, client: OPCUAClient) async -> String {
        await withTaskGroup(of: String?.self) { group in
            group.addTask { "\(await connection.closed())" }
            group.addTask { await client.keepAlive(connection) }
            var reason: String? = nil
            while reason == nil, let next = await group.next() { reason = next }
            group.cancelAll()
            await connection.close()
            return reason ?? "connection lost"
        }
    }

    /// Reads Server_ServerStatus_State whenever the session was idle for `keepAliveInterval`; returns
    /// the failure that means the server is gone (nil when cancelled).
    private func keepAlive(_ connection: OPCUAConnection) async -> String? {
        let interval = options.keepAliveInterval
        while !Task.isCancelled {
            let idle = ContinuousClock.now - lastTraffic
            if idle < interval {
                try? await Task.sleep(for: interval - idle)
                continue
            }
            guard let current = active, current.connection === connection else { return nil }
            do {
                _ = try await OPCUAServiceCall.call(
                    ReadRequest(nodesToRead: [ReadValueId(nodeId: .numeric(2259), attributeId: AttributeId.value)]),
                    on: connection, authenticationToken: current.session.authenticationToken, handle: handles.next(),
                    timeout: min(options.requestTimeout, interval))
                lastTraffic = .now
            } catch is CancellationError {
                return nil
            } catch {
                if Task.isCancelled { return nil }
                return "keep-alive read failed: \(error)"
            }
        }
        return nil
    }

    /// Opens channel + session and re-creates every subscription with its monitored items.
    private func establish() async throws {
        let handles = self.handles
        let opener = OPCUASessionOpener(options: options, group: group, logger: logger, nextHandle: { handles.next() })
        let (connection, session) = try await opener.open()
        if isClosed {
            await connection.close()
            throw OPCUAClientError.closed
        }
        let isRecovery = generation > 0
        generation += 1
        let current = Active(connection: connection, session: session, generation: generation)
        active = current
        lastTraffic = .now
        operationLimits = await readOperationLimits(on: current)
        do {
            try await recreateSubscriptions(on: current)
        } catch {
            await lose(current, reason: "re-creating subscriptions failed: \(error)")
            throw error
        }
        if isRecovery { reconnects += 1 }
        setState(.connected(reconnects: reconnects))
        startPublishing()
    }

    /// Forgets a session that is gone (once per generation) and closes its connection.
    func lose(_ lost: Active, reason: String) async {
        guard let current = active, current.generation == lost.generation else { return }
        active = nil
        lastError = reason
        logger.warning("OPC-UA session lost", metadata: ["reason": "\(reason)"])
        for id in subscriptions.keys { subscriptions[id]?.serverId = nil }
        pendingAcknowledgements.removeAll()
        if !isClosed { setState(.reconnecting(attempt: 0, lastError: reason)) }
        await lost.connection.close()
    }

    func setState(_ new: OPCUAClientState) {
        guard new != state else { return }
        state = new
        stateSink.yield(new)
    }
}
