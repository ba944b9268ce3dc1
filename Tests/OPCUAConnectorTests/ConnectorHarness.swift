import GatewayKit
import Logging
@testable import OPCUAConnector

/// Runs an OPC-UA connector built by the factory (as the gateway builds it) against a recording
/// gateway context, and stops it at the end of the test.
struct ConnectorHarness {
    let connector: OPCUAConnector
    let context: RecordingContext
    let task: Task<Void, Error>

    static func start(_ configuration: JSONValue) throws -> ConnectorHarness {
        let context = RecordingContext()
        var logger = Logger(label: "opcua-connector-test")
        logger.logLevel = .info
        let setup = ConnectorSetup(identity: ConnectorIdentity(name: "OPC-UA", type: "opcua", id: "opcua-test"),
                                   configuration: configuration, configurationFile: "opcua.json",
                                   context: context, logger: logger)
        let built = try OPCUAConnectorFactory.make(setup)
        let connector = try require_opcua(built)
        let task = Task { try await connector.run() }
        return ConnectorHarness(connector: connector, context: context, task: task)
    }

    func stop() async {
        task.cancel()
        _ = try? await task.value
    }

    /// Waits until `key` of `device` was last reported with ThingsBoard text `expected`.
    func waitFor(_ device: String, _ key: String, toBe expected: String, timeout: Duration = .seconds(20)) async -> Bool {
        await context.waitFor(timeout: timeout) { context in
            thingsBoardText(context.latest(key, of: device)) == expected
        }
    }

    /// Waits until every key of `expected` (ThingsBoard texts) is reported for `device`; returns
    /// the keys that were not (with what was seen instead).
    func waitForAll(_ device: String, _ expected: JSONObject, timeout: Duration = .seconds(20)) async -> [String: String] {
        let wanted = expected.mapValues { thingsBoardText($0) ?? "" }
        _ = await context.waitFor(timeout: timeout) { context in
            wanted.allSatisfy { thingsBoardText(context.latest($0.key, of: device)) == $0.value }
        }
        var missing: [String: String] = [:]
        for (key, value) in wanted {
            let seen = thingsBoardText(await context.latest(key, of: device))
            if seen != value { missing[key] = "expected \(value), saw \(seen ?? "nothing")" }
        }
        return missing
    }
}

struct NotAnOPCUAConnector: Error {}

func require_opcua(_ connector: any Connector) throws -> OPCUAConnector {
    guard let opcua = connector as? OPCUAConnector else { throw NotAnOPCUAConnector() }
    return opcua
}
