import GatewayKit
import Logging
import NIOCore

/// What the connector makes of one message, by its own routing and converters, without a
/// broker (`MessageTrial`): for `iot-gateway convert` and the reference-diff tests
/// (`scripts/reference-diff/mqtt`).
public struct MQTTConversionPreview: MessageTrial {
    private let router: MQTTUplinkRouter
    public let reportStrategy: ReportStrategy?

    /// `connectorConfiguration` is a whole connector file's document (current or old layout).
    public init(connectorConfiguration: JSONValue, file: String) throws(ConfigError) {
        let configuration = try MQTTConnectorConfiguration.parse(connectorConfiguration, file: file)
        reportStrategy = configuration.reportStrategy
        router = try MQTTUplinkRouter(configuration: configuration, file: file,
                                      logger: Logger(label: "conversion-preview") { _ in SwiftLogNoOpLogHandler() })
    }

    public var skipped: [String] { router.skipped }

    public func convert(topic: String, payload: [UInt8], receivedAt: Int64) -> MessageTrialOutcome {
        let result = router.route(MQTTUplinkMessage(topic: topic, payload: ByteBuffer(bytes: payload),
                                                    receivedAt: receivedAt))
        let requests: [MessageTrialRequest] = result.deviceEvents.map { event in
            switch event {
            case .connect(let name, let profile): .connect(device: name, type: profile)
            case .disconnect(let name): .disconnect(device: name)
            case .attributeRequest(let call): .attributes(device: call.deviceName, keys: call.keys, clientScope: call.clientScope)
            }
        }
        return MessageTrialOutcome(data: result.data, requests: requests, problems: result.problems, matched: result.matched)
    }
}

extension MessageTrialOutcome {
    /// `{"devices": [{"deviceName", "deviceType", "telemetry": [{"ts", "values"}], "attributes"}],
    /// "error"}`, the line format of the reference-diff tools, for `data` (the readings after the
    /// report filter). A reading without its own timestamp gets `receivedAt`, the time the
    /// reference stamps it with when converting.
    func referenceDiffJSON(_ data: [ConvertedData], receivedAt: Int64) -> JSONObject {
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
        return line
    }
}
