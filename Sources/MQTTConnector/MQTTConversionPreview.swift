import GatewayKit
import Logging
import NIOCore
import Reporting

/// Converts messages exactly as a running connector routes and converts them, then passes the
/// readings through the report-strategy filter as the gateway does (a fresh filter per preview,
/// with this configuration's connector-level strategy over the ON_RECEIVED default), without a
/// broker: for tools that check a configuration against sample payloads (`gateway-bench mqtt-convert`,
/// the reference-diff fixtures in `scripts/reference-diff/mqtt`).
public struct MQTTConversionPreview: Sendable {
    /// What one message turns into: the readings the connector would hand to the gateway, and the
    /// conversion problems it would count and log.
    public struct Outcome: Sendable {
        public var data: [ConvertedData]
        public var problems: [String]
        /// False when no mapping or request of the configuration matches the topic.
        public var matched: Bool

        /// `{"devices": [{"deviceName", "deviceType", "telemetry": [{"ts", "values"}], "attributes"}],
        /// "error"}`, the line format of the reference-diff tools. A reading without its own
        /// timestamp gets `receivedAt`, the time the reference stamps it with when converting.
        public func json(receivedAt: Int64) -> JSONValue {
            var line: JSONObject = [:]
            line["devices"] = .array(data.map { device in
                [
                    "deviceName": .string(device.deviceName),
                    "deviceType": .string(device.deviceType),
                    "telemetry": .array(device.telemetry.map { entry in
                        ["ts": .int(entry.ts ?? receivedAt), "values": .object(entry.values)]
                    }),
                    "attributes": .object(device.attributes),
                ]
            })
            if !problems.isEmpty { line["error"] = .string(problems.joined(separator: "; ")) }
            return .object(line)
        }
    }

    private let router: MQTTUplinkRouter
    private let connectorReportStrategy: ReportStrategy?

    /// `connectorConfiguration` is a whole connector file's document (current or old layout).
    public init(connectorConfiguration: JSONValue, file: String) throws(ConfigError) {
        let configuration = try MQTTConnectorConfiguration.parse(connectorConfiguration, file: file)
        connectorReportStrategy = configuration.reportStrategy
        router = try MQTTUplinkRouter(configuration: configuration, file: file,
                                      logger: Logger(label: "conversion-preview") { _ in SwiftLogNoOpLogHandler() })
    }

    /// Converts one message as the first message this configuration sees (the report filter
    /// starts empty each time).
    public func convert(topic: String, payload: [UInt8], receivedAt: Int64) -> Outcome {
        let result = router.route(MQTTUplinkMessage(topic: topic, payload: ByteBuffer(bytes: payload),
                                                    receivedAt: receivedAt))
        var filter = ReportFilter(gatewayDefault: nil)
        filter.setConnectorDefault(connectorReportStrategy, for: "preview")
        let admitted = result.data.compactMap { filter.admit($0, from: "preview", now: receivedAt) }
        return Outcome(data: admitted, problems: result.problems, matched: result.matched)
    }
}
