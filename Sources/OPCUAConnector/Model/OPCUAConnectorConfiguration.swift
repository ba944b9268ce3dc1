import GatewayKit

/// An OPC-UA connector file (reference §5.3): the `server` section and the device `mapping`.
/// Old-style files (`server.mapping`) are converted first, as the reference does.
public struct OPCUAConnectorConfiguration: Sendable, Equatable {
    public var name: String
    public var server: OPCUAServerSettings
    public var mapping: [OPCUADeviceMapping]
    /// Connector-level `reportStrategy`.
    public var reportStrategy: ReportStrategy?
    /// Things the user should know that do not stop the connector.
    public var warnings: [String]

    public init(json: JSONValue, file: String) throws(ConfigError) {
        guard case .object(let object) = json else {
            throw ConfigError(file: file, keyPath: "", expected: "an object", found: ConfigReader.describe(json))
        }
        var warnings: [String] = []
        var document = object
        if OPCUALegacyConfigAdapter.isLegacy(object) {
            document = OPCUALegacyConfigAdapter.convert(object)
            warnings.append("\(file): old configuration layout (server.mapping) converted; "
                + "please move to the current layout (mapping at the root, deviceInfo)")
        }
        let root = try ConfigReader(.object(document), file: file, path: "")
        name = try root.string("name", default: "OPC-UA Connector")
        reportStrategy = try ReportStrategy.parse(in: root)
        guard let serverReader = try root.child("server") else {
            throw root.failure("server", expected: "an object with the server url", found: nil)
        }
        server = try OPCUAServerSettings(serverReader)
        var mapping: [OPCUADeviceMapping] = []
        for entry in try root.objects("mapping") {
            mapping.append(try OPCUADeviceMapping(entry, warnings: &warnings))
        }
        if mapping.isEmpty {
            warnings.append("\(file): mapping: no devices are configured")
        }
        self.mapping = mapping
        self.warnings = warnings
    }
}
