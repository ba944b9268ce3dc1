import ArgumentParser
import Foundation
import MQTTConnector
import Reporting

/// `gateway-bench mqtt-convert`: runs the MQTT connector's routing, converters and report filter
/// over a JSONL file of cases (`scripts/reference-diff/mqtt/make_cases.py`) and prints one result
/// line per case, in the format of the reference gateway's runner, for `compare.py`.
struct MQTTConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mqtt-convert",
        abstract: "Convert reference-diff cases with the MQTT connector's converters (JSONL in, JSONL out).")

    @Argument(help: "The cases file: one {id, connector, topic, payload | payloadHex} object per line.")
    var cases: String
    @Option(help: "The receive time given to every message, ms since the epoch (the reference runner's frozen clock).")
    var receivedAt: Int64 = 1_700_000_000_000

    func run() throws {
        let text = try String(contentsOfFile: cases, encoding: .utf8)
        let lines = MQTTConversionPreview.resultLines(forCases: text, receivedAt: receivedAt) {
            ReportFilter.admitFirst($0, connectorDefault: $1, now: $2)
        }
        FileHandle.standardOutput.write(Data(lines))
    }
}

/// `gateway-bench mqtt-requests`: the same for the `requestsMapping` cases
/// (`scripts/reference-diff/mqtt-requests`).
struct MQTTRequestsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mqtt-requests",
        abstract: "Run reference-diff requestsMapping cases through the MQTT connector's request and downlink rules (JSONL in, JSONL out).")

    @Argument(help: "The cases file: one {id, connector, connectedDevices?, event} object per line.")
    var cases: String

    func run() throws {
        let text = try String(contentsOfFile: cases, encoding: .utf8)
        FileHandle.standardOutput.write(Data(MQTTRequestsPreview.resultLines(forCases: text)))
    }
}
