import Foundation
import GatewayKit
import MQTTConnector
import Testing
import TestSupport

/// Devices send whatever they send: every mapping of the compatibility cases (json, bytes and
/// custom converters, JSONPath, templates, type coercion, topic expressions) turns a mangled
/// payload, or one on a mangled topic, into readings or a counted problem, never a trap. Seeded
/// mutations of the 3,399 reference-diff payloads, so a failure can be replayed.
@Suite struct ConverterRobustnessTests {
    @Test func mutatedPayloadsConvertOrAreReportedAsProblems() throws {
        let file = PythonPeer.projectRoot.appendingPathComponent("scripts/reference-diff/mqtt/cases.jsonl")
        var previews: [String: MQTTConversionPreview] = [:]
        var cases: [(preview: MQTTConversionPreview, topic: String, payload: [UInt8])] = []
        for line in try String(contentsOf: file, encoding: .utf8).split(separator: "\n") {
            let entry = try JSONValue.parse(String(line))
            guard let connector = entry["connector"], let topic = entry["topic"]?.stringValue,
                  let payload = entry["payload"]?.stringValue.map({ Array($0.utf8) })
                      ?? entry["payloadHex"]?.stringValue.map(Self.bytes(hex:)) else { continue }
            let key = String(decoding: connector.jsonBytes, as: UTF8.self)
            if previews[key] == nil {
                previews[key] = try? MQTTConversionPreview(connectorConfiguration: connector, file: "cases.jsonl")
            }
            guard let preview = previews[key] else { continue }
            cases.append((preview, topic, payload))
        }
        #expect(cases.count > 3_000, "the cases whose connector configuration is accepted")

        var mutator = ByteMutator(seed: 0x434F_4E56)
        var converted = 0
        for iteration in 0..<60_000 {
            let chosen = cases[mutator.below(cases.count)]
            let payload = mutator.mutate(chosen.payload)
            let topic = mutator.below(8) == 0
                ? String(decoding: mutator.mutate(Array(chosen.topic.utf8)), as: UTF8.self) : chosen.topic
            let outcome = chosen.preview.convert(topic: topic, payload: payload, receivedAt: 1_700_000_000_000 + Int64(iteration))
            if !outcome.data.isEmpty { converted += 1 }
        }
        #expect(converted > 3_000, "the mutations should leave many payloads convertible")
    }

    private static func bytes(hex: String) -> [UInt8] {
        let digits = Array(hex.utf8)
        return stride(from: 0, to: digits.count - 1, by: 2).compactMap { UInt8(String(decoding: digits[$0...$0 + 1], as: UTF8.self), radix: 16) }
    }
}
