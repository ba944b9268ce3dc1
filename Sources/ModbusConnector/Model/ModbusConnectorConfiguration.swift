import GatewayKit

/// A Modbus connector file: polled devices (`master.slaves`) and the optional gateway-side
/// server (`slave`). The pre-3.0 layout (`server.devices` with shared connection keys) is
/// converted the way the reference's backward-compatibility adapter does.
public struct ModbusConnectorConfiguration: Sendable {
    public var name: String
    public var devices: [ModbusDeviceConfiguration]
    public var server: ModbusServerConfiguration?
    /// Connector-level `reportStrategy` (the core may also read it from the file root).
    public var reportStrategy: ReportStrategy?
    /// Things the user should know but that do not stop the connector (values raised to a
    /// minimum, datapoints with unknown types ignored, legacy layout converted).
    public var warnings: [String]

    public init(json: JSONValue, file: String) throws(ConfigError) {
        let root = try ConfigReader(json, file: file, path: "")
        name = try root.string("name", default: "Modbus Connector")
        reportStrategy = try ReportStrategy.parse(in: root)
        var warnings: [String] = []
        var devices: [ModbusDeviceConfiguration] = []
        if let master = try root.child("master") {
            for slave in try master.objects("slaves") {
                devices.append(try ModbusDeviceConfiguration(slave, warnings: &warnings))
            }
        }
        if let legacy = try root.child("server") {
            warnings.append("\(file): server: old configuration layout (server.devices); "
                + "converted, please move the devices to master.slaves")
            devices += try Self.legacyDevices(legacy, warnings: &warnings)
        }
        if let slave = try root.child("slave"), !slave.object.isEmpty {
            let server = try ModbusServerConfiguration(slave, warnings: &warnings)
            self.server = server
        } else {
            server = nil
        }
        self.devices = devices
        self.warnings = warnings
    }

    /// Devices of `server.devices`, each completed with the connection keys of `server` it
    /// lacks; `timeseriesPollPeriod` becomes `pollPeriod`.
    private static func legacyDevices(_ server: ConfigReader,
                                      warnings: inout [String]) throws(ConfigError) -> [ModbusDeviceConfiguration] {
        let inherited = ["host", "port", "type", "method", "timeout", "byteOrder", "wordOrder", "retries", "baudrate"]
        var devices: [ModbusDeviceConfiguration] = []
        for device in try server.objects("devices") {
            var object = device.object
            for key in inherited where device.value(key) == nil {
                if let value = server.value(key) { object[key] = value }
            }
            if object["pollPeriod"] == nil, let period = object["timeseriesPollPeriod"] {
                object["pollPeriod"] = period
            }
            let merged = try ConfigReader(.object(object), file: device.file, path: device.path)
            devices.append(try ModbusDeviceConfiguration(merged, warnings: &warnings))
        }
        return devices
    }
}
