import GatewayKit
import Logging
import SimulatorConnector

/// Stands in for the gateway: records every `send` the connector makes and answers with a
/// configurable outcome. What it records is exactly what the gateway would receive.
actor RecordingContext: GatewayContext {
    struct Delivery: Sendable {
        var data: ConvertedData
        var outcome: SendOutcome
    }

    /// Decides the outcome of the n-th send (0-based).
    private let decide: @Sendable (Int, ConvertedData) -> SendOutcome
    private(set) var deliveries: [Delivery] = []

    init(decide: @escaping @Sendable (Int, ConvertedData) -> SendOutcome = { _, _ in .accepted }) {
        self.decide = decide
    }

    func send(_ data: ConvertedData, from connector: ConnectorIdentity) async -> SendOutcome {
        let outcome = decide(deliveries.count, data)
        deliveries.append(Delivery(data: data, outcome: outcome))
        return outcome
    }

    var accepted: [ConvertedData] { deliveries.filter { $0.outcome == .accepted }.map(\.data) }

    func accepted(device: String) -> [ConvertedData] { accepted.filter { $0.deviceName == device } }

    /// Polls (every 2 ms) until `condition` holds or `timeout` passes; returns whether it held.
    func waitFor(timeout: Duration = .seconds(5), _ condition: @Sendable (isolated RecordingContext) -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if condition(self) { return true }
            try? await Task.sleep(for: .milliseconds(2))
        }
        return condition(self)
    }
}

let testIdentity = ConnectorIdentity(name: "Simulator", type: "simulator", id: "sim-1")

func makeSetup(_ configuration: JSONValue, context: any GatewayContext) -> ConnectorSetup {
    ConnectorSetup(identity: testIdentity, configuration: configuration, configurationFile: "simulator.json",
                   context: context, logger: Logger(label: "simulator-test"))
}

/// Starts the connector for `configuration` in a task; the caller cancels it.
func startSimulator(_ configuration: JSONValue, context: RecordingContext) throws -> Task<Void, any Error> {
    let connector = try SimulatorConnectorFactory.make(makeSetup(configuration, context: context))
    return Task { try await connector.run() }
}

/// The counter values of `key` across the telemetry entries of `data`, in order.
func counterValues(_ data: [ConvertedData], key: String = "counter") -> [Int64] {
    data.flatMap { $0.telemetry.compactMap { entry -> Int64? in
        if case .int(let value)? = entry.values[key] { return value }
        return nil
    } }
}
