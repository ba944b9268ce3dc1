import Foundation
import GatewayKit
import MQTTConnector
import Testing
import TestSupport

/// Requests from devices (connect, disconnect, attribute requests) and from ThingsBoard (attribute
/// updates, RPCs) carry whatever their senders put in them: every `requestsMapping` of the
/// compatibility cases turns mangled ones into messages or a reported problem, never a trap.
/// Seeded mutations of the 1,295 reference-diff events' texts and numbers.
@Suite struct RequestsRobustnessTests {
    static let extremes: [JSONValue] = [.int(.max), .int(.min), .uint(.max), .double(1e308), .double(-0.0), .string(""),
                                        .null, .bool(true), .array([]), .object([:]), .string("${params}")]

    @Test func mutatedEventsBecomeMessagesOrProblems() throws {
        let file = PythonPeer.projectRoot.appendingPathComponent("scripts/reference-diff/mqtt-requests/cases.jsonl")
        let cases = try String(contentsOf: file, encoding: .utf8).split(separator: "\n").map { try JSONValue.parse(String($0)) }
        var mutator = ByteMutator(seed: 0x5245_5153)
        var lines: [UInt8] = []
        var count = 0
        for round in 0..<4 {
            for (index, item) in cases.enumerated() {
                guard var object = item.objectValue, let event = object["event"] else { continue }
                object["event"] = Self.mutate(event, &mutator, depth: 0)
                object["id"] = .string("mutated-\(round)-\(index)")
                lines += JSONValue.object(object).jsonBytes + [UInt8(ascii: "\n")]
                count += 1
            }
        }
        let results = MQTTRequestsPreview.resultLines(forCases: String(decoding: lines, as: UTF8.self))
        #expect(results.filter { $0 == UInt8(ascii: "\n") }.count == count, "one result line per case")
    }

    /// Mangles the texts and numbers of an event, keeping its `kind` so it reaches its handler.
    private static func mutate(_ value: JSONValue, _ mutator: inout ByteMutator, depth: Int) -> JSONValue {
        switch value {
        case .object(var object):
            for key in object.keys where key != "kind" {
                object[key] = mutate(object[key]!, &mutator, depth: depth + 1)
            }
            if mutator.below(8) == 0 { object["x\(mutator.below(3))"] = extremes[mutator.below(extremes.count)] }
            return .object(object)
        case .array(let items):
            return .array(items.map { mutate($0, &mutator, depth: depth + 1) })
        case .string(let text):
            guard mutator.below(2) == 0 else { return value }
            return .string(String(decoding: mutator.mutate(Array(text.utf8)), as: UTF8.self))
        case .int, .uint, .double, .bool, .null:
            return mutator.below(4) == 0 ? extremes[mutator.below(extremes.count)] : value
        }
    }
}
