import GatewayKit
import Logging
import Modbus
import NIOSSL
import Synchronization

/// One shared connection to a Modbus endpoint (a TCP host:port, a UDP peer, a serial port): every
/// device configured on it sends through this link, as the reference shares its masters. It owns
/// the client and the connect policy; devices only ask it to send.
///
/// Connecting is single-flight (devices arriving while a connect runs wait for that one) and
/// obeys `ConnectAttemptPolicy`: between allowed attempts, sends fail at once with
/// `ModbusLinkUnavailable`, so a device whose link is down costs nothing and delays nobody.
///
/// While the link is up, `send` goes straight from the device to the client (the connected flag
/// is atomic): the actor is entered only to connect and to note a lost connection, which saves
/// two hops per request on the poll path.
actor ModbusLink: ModbusRequestSender {
    let endpointDescription: String
    private let client: ModbusClient
    private let connectTimeout: Duration
    private var policy: ConnectAttemptPolicy
    private var connecting: Task<Bool, Never>?
    private let connected = Atomic<Bool>(false)
    private var lastError = "not connected yet"
    private var errorLog = BurstLimiter(window: .seconds(60))
    private let logger: Logger

    init(client: ModbusClient, endpointDescription: String, connectTimeout: Duration,
         policy: ConnectAttemptPolicy, logger: Logger) {
        self.client = client
        self.endpointDescription = endpointDescription
        self.connectTimeout = connectTimeout
        self.policy = policy
        self.logger = logger
    }

    var isUp: Bool {
        get async { await client.isConnected }
    }

    nonisolated(nonsending) func send(_ request: ModbusRequest, unitId: UInt8, timeout: Duration, retries: Int) async throws -> ModbusResponse {
        if !connected.load(ordering: .acquiring) { try await ensureConnected() }
        var attempt = 0
        while true {
            do {
                return try await client.send(request, unitId: unitId, timeout: timeout)
            } catch let error as ModbusClientError {
                switch error {
                case .timeout, .malformedResponse:
                    // The device (not the link) failed this one: try again up to `retries` times.
                    attempt += 1
                    if attempt > retries { throw error }
                case .notConnected, .connectionClosed:
                    await connectionLost(error)
                    throw error
                default:
                    throw error
                }
            }
        }
    }

    private func connectionLost(_ error: ModbusClientError) {
        connected.store(false, ordering: .releasing)
        lastError = "\(error)"
    }

    /// Closes the client (the connector is stopping).
    func close() async {
        connecting?.cancel()
        await client.close()
        connected.store(false, ordering: .releasing)
    }

    private func ensureConnected() async throws {
        // Trusted until a request reports the connection gone (then `connected` is cleared): asking
        // the client on every request would cost an extra hop per poll.
        if connected.load(ordering: .acquiring) { return }
        if let connecting {
            guard await connecting.value else { throw unavailable() }
            return
        }
        let now = ContinuousClock.now
        guard policy.nextAttempt(after: now) <= now else { throw unavailable() }
        policy.recordAttempt(at: now)
        let attempt = Task { await self.connectOnce() }
        connecting = attempt
        let succeeded = await attempt.value
        connecting = nil
        guard succeeded else { throw unavailable() }
    }

    private func connectOnce() async -> Bool {
        do {
            try await client.connect(timeout: connectTimeout)
            if policy.failedInRound > 0 {
                logger.info("Connected to \(endpointDescription)", metadata: ["afterFailedAttempts": "\(policy.failedInRound)"])
            } else {
                logger.info("Connected to \(endpointDescription)")
            }
            policy.recordSuccess()
            connected.store(true, ordering: .releasing)
            errorLog = BurstLimiter(window: .seconds(60))
            return true
        } catch {
            policy.recordFailure()
            lastError = "\(error)"
            if let suppressed = errorLog.shouldLog() {
                logger.warning("Cannot connect to \(endpointDescription): \(error)", metadata: [
                    "failedAttemptsInRound": "\(policy.failedInRound)", "suppressedSinceLastLog": "\(suppressed)",
                    "nextAttemptInMs": "\(Int((policy.nextAttempt(after: .now) - .now).seconds * 1000))",
                ])
            }
            return false
        }
    }

    private func unavailable() -> ModbusLinkUnavailable {
        ModbusLinkUnavailable(endpoint: endpointDescription, reason: lastError)
    }
}
