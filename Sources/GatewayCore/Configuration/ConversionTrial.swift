import Foundation
import GatewayKit
import MQTTConnector
import ThingsBoard

/// `iot-gateway convert`: what the gateway would send to ThingsBoard for one message on a
/// connector's topic, without a broker or ThingsBoard: the connector file's mappings convert it
/// (with its own report strategy, each run starting fresh), and the result is printed as the
/// gateway API messages it becomes. For checking a mapping while writing or migrating it.
public enum ConversionTrial {
    public struct Report: Sendable {
        public var ok: Bool
        public var text: String
    }

    /// The connector types it can try. Only MQTT: its mappings are the ones that convert a
    /// message a user can paste; the polling connectors read values the gateway asks for.
    public static let connectorTypes = ["mqtt"]

    public static func run(connectorFile: String, type: String, topic: String, payload: [UInt8], now: Int64) -> Report {
        guard connectorTypes.contains(type) else {
            return Report(ok: false, text: "convert: connector type \"\(type)\" is not supported (supported: \(connectorTypes.joined(separator: ", ")))")
        }
        let preview: MQTTConversionPreview
        do {
            guard let data = FileManager.default.contents(atPath: connectorFile) else {
                throw ConfigError(file: connectorFile, keyPath: "", expected: "a readable connector file", found: "no such file")
            }
            let document = try GatewayConfiguration.parseJSON(data, file: connectorFile)
            preview = try MQTTConversionPreview(connectorConfiguration: document,
                                                file: (connectorFile as NSString).lastPathComponent)
        } catch {
            return Report(ok: false, text: "ERROR \(error)")
        }
        let outcome = preview.convert(topic: topic, payload: payload, receivedAt: now)
        guard outcome.matched else {
            return Report(ok: false, text: "no mapping or request of \(connectorFile) matches the topic \"\(topic)\"")
        }
        var lines = GatewayPayloadBuilder(maxPayloadBytes: .max).messages(for: outcome.data).map {
            "\($0.topic) \(String(decoding: $0.payload, as: UTF8.self))"
        }
        lines += outcome.problems.map { "PROBLEM \($0)" }
        if lines.isEmpty {
            lines = ["nothing to send: the topic is a request topic (connect, disconnect, attribute request), or every datapoint was filtered out"]
        }
        return Report(ok: outcome.problems.isEmpty, text: lines.joined(separator: "\n"))
    }
}
