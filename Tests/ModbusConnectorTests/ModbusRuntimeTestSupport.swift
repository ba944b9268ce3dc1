import Foundation
import GatewayKit
import Logging
import ModbusConnector
import Synchronization
import TestSupport

/// A gateway stand-in that records what the connector hands over (devices' readings, connects
/// and disconnects): what ThingsBoard would receive.
final class RecordingGateway: GatewayContext {
    private let sent = Mutex<[ConvertedData]>([])
    private let connected = Mutex<[String]>([])
    private let disconnected = Mutex<[String]>([])

    func send(_ data: ConvertedData, from connector: ConnectorIdentity) async -> SendOutcome {
        sent.withLock { $0.append(data) }
        return .accepted
    }

    func connectDevice(_ name: String, type: String, from connector: ConnectorIdentity) async {
        connected.withLock { $0.append(name) }
    }

    func disconnectDevice(_ name: String, from connector: ConnectorIdentity) async {
        disconnected.withLock { $0.append(name) }
    }

    var readings: [ConvertedData] { sent.withLock { $0 } }
    var connects: [String] { connected.withLock { $0 } }
    var disconnects: [String] { disconnected.withLock { $0 } }

    func readings(of device: String) -> [ConvertedData] { readings.filter { $0.deviceName == device } }

    /// The latest value of `key` reported for `device`, from telemetry or attributes.
    func latest(_ key: String, of device: String) -> JSONValue? {
        for data in readings(of: device).reversed() {
            if let value = data.telemetry.last?.values[key] ?? data.attributes[key] { return value }
        }
        return nil
    }
}

/// A Modbus connector running in a task for the duration of a test.
final class RunningModbusConnector: Sendable {
    let connector: ModbusConnector
    let gateway = RecordingGateway()
    private let task: Task<Void, Never>

    init(_ document: JSONValue, file: String = "modbus.json", logger: Logger? = nil,
         converterLogger: Logger? = nil) throws {
        let configuration = try ModbusConnectorConfiguration(json: document, file: file)
        var quiet = Logger(label: "modbus-test")
        quiet.logLevel = .warning
        let logger = logger ?? quiet
        let connector = ModbusConnector(identity: ConnectorIdentity(name: "Modbus", type: "modbus", id: "m1"),
                                        configuration: configuration, context: gateway, logger: logger,
                                        converterLogger: converterLogger)
        self.connector = connector
        task = Task { try? await connector.run() }
    }

    func stop() async {
        task.cancel()
        await task.value
    }
}

/// Builds connector configs for the tests from a device template.
enum ModbusTestConfig {
    /// `{"master": {"slaves": [device...]}}` with each device's host/port set.
    static func master(_ devices: [JSONObject]) -> JSONValue {
        ["master": ["slaves": .array(devices.map(JSONValue.object))]]
    }

    /// An upstream blackbox config's single device, pointed at 127.0.0.1:`port`, polled fast.
    static func blackboxDevice(_ relativePath: String, port: Int, pollPeriodMs: Int = 200) throws -> JSONObject {
        let document = try ModbusCompat.json(relativePath)
        guard case .object(var device)? = document["Modbus"]?["configurationJson"]?["master"]?["slaves"]?.arrayValue?.first else {
            throw PeerUnavailable(what: relativePath, hint: "no master.slaves[0] in the upstream config")
        }
        device["host"] = "127.0.0.1"
        device["port"] = .int(Int64(port))
        device["pollPeriod"] = .int(Int64(pollPeriodMs))
        device["timeout"] = 2
        return device
    }
}
