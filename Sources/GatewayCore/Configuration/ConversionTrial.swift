import Foundation
import GatewayKit
import Reporting
import ThingsBoard

/// `iot-gateway convert`: what the gateway would send for one message on a connector's topic,
/// without a broker or ThingsBoard: the connector's own routing and converters
/// (`ConnectorFactory.messageTrial`), then the report filter as for the connector's first message,
/// printed as the gateway API messages it becomes.
public enum ConversionTrial {
    public struct Report: Sendable {
        public var ok: Bool
        public var text: String
    }

    /// The message as the command line gives it.
    public enum Payload: Sendable {
        case text(String)
        case file(String)
        case hex(String)
    }

    public static func run(connectorFile: String, type: String, topic: String, payload input: Payload, now: Int64) -> Report {
        let payload: [UInt8]
        switch input {
        case .text(let text):
            payload = Array(text.utf8)
        case .file(let path):
            guard let data = FileManager.default.contents(atPath: path) else {
                return Report(ok: false, text: "ERROR --payload-file: cannot read \(path)")
            }
            payload = Array(data)
        case .hex(let digits):
            guard let bytes = HexBytes.decode(digits) else {
                return Report(ok: false, text: "ERROR --payload-hex: expected pairs of hex digits (white space allowed)")
            }
            payload = bytes
        }
        let trial: any MessageTrial
        do {
            guard let data = FileManager.default.contents(atPath: connectorFile) else {
                throw ConfigError(file: connectorFile, keyPath: "", expected: "a readable connector file", found: "no such file")
            }
            let document = try GatewayConfiguration.parseJSON(data, file: connectorFile)
            guard let factory = ConnectorRegistry.factory(for: type),
                  let made = try factory.messageTrial(configuration: document, file: (connectorFile as NSString).lastPathComponent)
            else {
                let supported = ConnectorRegistry.knownTypes.filter { ConnectorRegistry.factory(for: $0)?.offersMessageTrial == true }
                return Report(ok: false, text: "ERROR connector type \"\(type)\" cannot convert a single message here"
                              + " (\(ConnectorRegistry.factory(for: type) == nil ? "unknown type" : "it offers no single-message trial")); "
                              + "types that can: \(supported.joined(separator: ", "))")
            }
            trial = made
        } catch {
            return Report(ok: false, text: "ERROR \(error)")
        }
        let outcome = trial.convert(topic: topic, payload: payload, receivedAt: now)
        var lines = trial.skipped.map { "SKIPPED \($0)" }
        guard outcome.matched else {
            lines.append("no mapping or request of \(connectorFile) matches the topic \"\(topic)\"")
            return Report(ok: false, text: lines.joined(separator: "\n"))
        }
        lines += outcome.requests.map(line(for:))
        let data = ReportFilter.admitFirst(outcome.data, connectorDefault: trial.reportStrategy, now: now)
        lines += GatewayPayloadBuilder(maxPayloadBytes: .max).messages(for: data).map {
            "\($0.topic) \(String(decoding: $0.payload, as: UTF8.self))"
        }
        lines += outcome.problems.map { "PROBLEM \($0)" }
        if outcome.data.isEmpty && outcome.requests.isEmpty && outcome.problems.isEmpty {
            lines.append("nothing to send: the mapping found no datapoint in the message, or the request names no device this connector announces")
        } else if !outcome.data.isEmpty && data.isEmpty {
            lines.append("nothing to send: the connector's reportStrategy holds these values back")
        }
        return Report(ok: outcome.problems.isEmpty, text: lines.joined(separator: "\n"))
    }

    /// A device request as the gateway sends it (an attribute request's id is numbered when
    /// sent: 1 here).
    private static func line(for request: MessageTrialRequest) -> String {
        let message: GatewayMessage = switch request {
        case .connect(let device, let type): .connect(device: device, type: type)
        case .disconnect(let device): .disconnect(device: device)
        case .attributes(let device, let keys, let clientScope):
            .attributeRequest(id: 1, device: device, keys: keys, client: clientScope)
        }
        return "\(message.topic) \(String(decoding: message.payload, as: UTF8.self))"
    }
}
