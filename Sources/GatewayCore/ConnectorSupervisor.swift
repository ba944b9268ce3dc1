import GatewayKit
import Logging

/// Runs one connector and owns its policy: when `run()` throws, the connector is restarted after
/// an exponential back-off with jitter; a connector that fails never takes the gateway or other
/// connectors down. Its state is kept for status and metrics.
public actor ConnectorSupervisor {
    public enum State: String, Sendable {
        case starting, running, failing, stopped
    }

    public nonisolated let identity: ConnectorIdentity
    private nonisolated let connector: any Connector
    private let logger: Logger
    private var backoff: ExponentialBackoff
    /// A run that lasted this long counts as healthy: the next failure starts the back-off anew.
    private let healthyRunDuration: Duration
    public private(set) var state: State = .starting
    public private(set) var restarts = 0
    public private(set) var lastError: String?

    public init(connector: any Connector, logger: Logger,
                backoff: ExponentialBackoff = ExponentialBackoff(initial: .seconds(1), maximum: .seconds(60)),
                healthyRunDuration: Duration = .seconds(60)) {
        self.identity = connector.identity
        self.connector = connector
        self.logger = logger
        self.backoff = backoff
        self.healthyRunDuration = healthyRunDuration
    }

    /// The connector's traffic counters (readable while it runs).
    public nonisolated func traffic() -> ConnectorTraffic? { connector.traffic() }

    /// Runs the connector until the calling task is cancelled.
    public func run() async {
        let clock = ContinuousClock()
        while !Task.isCancelled {
            state = .running
            let started = clock.now
            do {
                try await connector.run()
                if Task.isCancelled { break }
                lastError = "returned without being stopped"
                logger.warning("connector stopped by itself; restarting", metadata: ["connector": "\(identity.name)"])
            } catch is CancellationError {
                break
            } catch {
                if Task.isCancelled { break }
                lastError = "\(error)"
                logger.error("connector failed; restarting after back-off",
                             metadata: ["connector": "\(identity.name)", "error": "\(error)"])
            }
            state = .failing
            if clock.now - started >= healthyRunDuration { backoff.reset() }
            restarts += 1
            do {
                try await Task.sleep(for: backoff.next())
            } catch {
                break
            }
        }
        state = .stopped
    }
}
