import GatewayKit
import OPCUA

/// Where a mapping's device nodes are (`deviceNodePattern`): one NodeId, or a browse path from
/// Root whose segments may be patterns, so that one mapping can find many devices.
public enum OPCUADeviceNodePattern: Sendable, Hashable, CustomStringConvertible {
    case nodeId(NodeId)
    case path(OPCUABrowsePath)

    public var description: String {
        switch self {
        case .nodeId(let id): return id.description
        case .path(let path): return path.description
        }
    }
}

/// One entry of `mapping`: which nodes are devices, how they are named, and what is read from,
/// written to and called on each of them.
public struct OPCUADeviceMapping: Sendable, Equatable {
    /// `deviceNodeSource` as written (`path` or `identifier`); the pattern itself decides.
    public var deviceNodeSource: String
    public var deviceNodePattern: OPCUADeviceNodePattern
    /// `deviceInfo.deviceNameExpression`.
    public var deviceName: OPCUANameTemplate
    /// `deviceInfo.deviceProfileExpression`, default `default`.
    public var deviceProfile: OPCUANameTemplate
    public var attributes: [OPCUADatapoint]
    public var timeseries: [OPCUADatapoint]
    public var rpcMethods: [OPCUARPCMethod]
    public var attributeUpdates: [OPCUAAttributeUpdateMapping]
    /// Device-level report strategy.
    public var reportStrategy: ReportStrategy?

    public init(_ reader: ConfigReader, warnings: inout [String]) throws(ConfigError) {
        let source = try reader.string("deviceNodeSource", nonEmpty: true) ?? "path"
        deviceNodeSource = source
        let pattern = try reader.string("deviceNodePattern", default: nil)
        if OPCUANodeReference.looksLikeNodeId(pattern) {
            do {
                deviceNodePattern = .nodeId(try NodeId(parsing: pattern))
            } catch {
                throw reader.failure("deviceNodePattern", expected: "a valid NodeId (\(error.message))", found: .string(pattern))
            }
        } else {
            if source == "identifier" {
                throw reader.failure("deviceNodePattern", expected: "a NodeId such as ns=2;i=5 (deviceNodeSource is identifier)",
                                     found: .string(pattern))
            }
            let path = OPCUABrowsePath(parsing: pattern)
            if path.segments.contains(where: { $0.name.isEmpty }) {
                throw reader.failure("deviceNodePattern", expected: "a browse path such as Root\\.Objects\\.Device",
                                     found: .string(pattern))
            }
            if !path.startsAtRoot {
                warnings.append("\(reader.keyPath("deviceNodePattern")): \"\(pattern)\" does not start with Root\\.; "
                    + "it is browsed from the Root folder")
            }
            deviceNodePattern = .path(path)
        }

        let info = try reader.child("deviceInfo")
        // Older spellings, accepted in new-style files too.
        var nameText = try info?.string("deviceNameExpression", nonEmpty: true)
        if nameText == nil { nameText = try reader.string("deviceNamePattern", nonEmpty: true) }
        guard let nameText else {
            throw reader.failure("deviceInfo", expected: "an object with deviceNameExpression", found: reader.value("deviceInfo"))
        }
        var profileText = try info?.string("deviceProfileExpression", nonEmpty: true)
        if profileText == nil { profileText = try reader.string("deviceTypePattern", nonEmpty: true) }
        let profile = profileText ?? "default"
        func template(_ text: String, _ key: String) throws(ConfigError) -> OPCUANameTemplate {
            do {
                return try OPCUANameTemplate(text)
            } catch {
                throw ConfigError(file: reader.file, keyPath: reader.keyPath("deviceInfo.\(key)"),
                                  expected: error.expected, found: ConfigReader.describe(.string(text)))
            }
        }
        deviceName = try template(nameText, "deviceNameExpression")
        deviceProfile = try template(profile, "deviceProfileExpression")

        var attributes: [OPCUADatapoint] = []
        for entry in try reader.objects("attributes") { attributes.append(try OPCUADatapoint(entry)) }
        var timeseries: [OPCUADatapoint] = []
        for entry in try reader.objects("timeseries") { timeseries.append(try OPCUADatapoint(entry)) }
        var methods: [OPCUARPCMethod] = []
        for entry in try reader.objects("rpc_methods") { methods.append(try OPCUARPCMethod(entry)) }
        var updates: [OPCUAAttributeUpdateMapping] = []
        for entry in try reader.objects("attributes_updates") { updates.append(try OPCUAAttributeUpdateMapping(entry)) }
        self.attributes = attributes
        self.timeseries = timeseries
        rpcMethods = methods
        attributeUpdates = updates
        reportStrategy = try ReportStrategy.parse(in: reader)
        if reader.has("converter") {
            warnings.append("\(reader.keyPath("converter")): custom Python converters are not supported; "
                + "the built-in OPC-UA converter is used")
        }
    }

    /// The `rpc_methods` entry for `method`, if configured.
    public func rpcMethod(named method: String) -> OPCUARPCMethod? {
        rpcMethods.first { $0.method == method }
    }

    /// The `attributes_updates` entry for `key`, if configured.
    public func attributeUpdate(forKey key: String) -> OPCUAAttributeUpdateMapping? {
        attributeUpdates.first { $0.key == key }
    }
}
