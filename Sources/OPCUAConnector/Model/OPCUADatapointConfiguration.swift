import GatewayKit

/// Which timestamp telemetry carries (`timestampLocation`, case-insensitive as in the reference).
public enum OPCUATimestampLocation: String, Sendable, Equatable, CaseIterable {
    /// The time the gateway received the value (default).
    case gateway
    /// The DataValue's SourceTimestamp (the gateway's time when the server sends none).
    case sourceTimestamp
    /// The DataValue's ServerTimestamp (the gateway's time when the server sends none).
    case serverTimestamp
}

/// One entry of a mapping's `attributes` or `timeseries`:
/// `{"key": "temperature", "type": "path", "value": "${Temperature}", "timestampLocation": "sourceTimestamp",
///   "reportStrategy": {...}}`.
public struct OPCUADatapoint: Sendable, Equatable {
    public enum Source: Sendable, Equatable {
        /// The value of a node (`type` `path` or `identifier`; the expression decides which).
        case node(OPCUANodeReference)
        /// `type` `constant`: the configured value itself, sent once per device discovery.
        case constant(JSONValue)
    }

    public var key: String
    public var source: Source
    public var timestampLocation: OPCUATimestampLocation
    public var reportStrategy: ReportStrategy?

    public init(key: String, source: Source, timestampLocation: OPCUATimestampLocation = .gateway,
                reportStrategy: ReportStrategy? = nil) {
        self.key = key
        self.source = source
        self.timestampLocation = timestampLocation
        self.reportStrategy = reportStrategy
    }

    public init(_ reader: ConfigReader) throws(ConfigError) {
        key = try reader.string("key", default: nil)
        let type = try reader.string("type", nonEmpty: true)?.lowercased() ?? "path"
        if type == "constant" {
            source = .constant(try reader.required("value", expected: "the constant value"))
        } else {
            guard let expression = try reader.string("value", nonEmpty: true) else {
                throw reader.failure("value", expected: OPCUANodeReference.expectation, found: reader.value("value"))
            }
            do {
                source = .node(try OPCUANodeReference(expression: expression))
            } catch {
                throw reader.failure("value", expected: error.expected, found: .string(expression))
            }
        }
        let location = try reader.string("timestampLocation", nonEmpty: true) ?? "gateway"
        guard let parsed = OPCUATimestampLocation.allCases.first(where: { $0.rawValue.lowercased() == location.lowercased() }) else {
            throw reader.failure("timestampLocation", expected: "one of \"gateway\", \"sourceTimestamp\", \"serverTimestamp\"",
                                 found: .string(location))
        }
        timestampLocation = parsed
        reportStrategy = try ReportStrategy.parse(in: reader)
    }

    /// The node this datapoint reads, nil for a constant.
    public var node: OPCUANodeReference? {
        if case .node(let reference) = source { return reference }
        return nil
    }
}

/// One entry of `attributes_updates`: the shared attribute `key` is written to the node of
/// `value` (`${…}` or a bare path / NodeId).
public struct OPCUAAttributeUpdateMapping: Sendable, Equatable {
    public var key: String
    public var node: OPCUANodeReference

    public init(key: String, node: OPCUANodeReference) {
        self.key = key
        self.node = node
    }

    public init(_ reader: ConfigReader) throws(ConfigError) {
        key = try reader.string("key", default: nil)
        let expression = try reader.string("value", default: nil)
        do {
            node = try OPCUANodeReference(expression: expression)
        } catch {
            throw reader.failure("value", expected: error.expected, found: .string(expression))
        }
    }
}

/// One entry of `rpc_methods`: an OPC-UA method, a child of the device node whose BrowseName is
/// `method`, called with the configured `arguments` (or those of the RPC's params).
public struct OPCUARPCMethod: Sendable, Equatable {
    public struct Argument: Sendable, Equatable {
        /// `integer`/`int`, `double`/`float`, `boolean`/`bool`, `string` (as written).
        public var type: String
        /// The configured value; nil when the RPC must bring it.
        public var value: JSONValue?
    }

    public var method: String
    public var arguments: [Argument]

    public init(method: String, arguments: [Argument]) {
        self.method = method
        self.arguments = arguments
    }

    public init(_ reader: ConfigReader) throws(ConfigError) {
        method = try reader.string("method", default: nil)
        var arguments: [Argument] = []
        for element in try reader.objects("arguments") {
            arguments.append(Argument(type: try element.string("type", nonEmpty: true) ?? "string",
                                      value: element.value("value")))
        }
        self.arguments = arguments
    }
}
