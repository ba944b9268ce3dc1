import GatewayKit
import Testing
import TestSupport

/// Device payloads are untrusted: the JSON parser returns a value or throws for any bytes, never
/// traps, and what it accepts is written as text that parses and writes back unchanged. Inputs are
/// seeded mutations of documents that exercise every part of the grammar.
@Suite("JSON parser against mutated documents")
struct JSONParserRobustnessTests {
    static let documents: [String] = [
        #"{"temperature": 21.5, "humidity": 40, "ok": true, "name": "SN-1", "tags": ["a", "b"], "none": null}"#,
        #"[1, -2, 3.25e-3, 1E+400, -0.0, 9223372036854775807, 18446744073709551615, 18446744073709551616]"#,
        #"{"esc": "tab\tquote\"slash\\/ \u00e9 \ud83d\ude00 \u0000", "nested": {"deep": [[[{"x": [1]}]]]}}"#,
        #"  {"k e y": {"": ""}, "unicode": "Grüße 温度", "n": -123456789012345678901234567890}  "#,
        #""just a string""#, "12", "true", "[]", "{}",
    ]

    @Test func mutatedDocumentsParseOrFailCleanly() {
        var mutator = ByteMutator(seed: 0x4A53_4F4E)
        let seeds = Self.documents.map { Array($0.utf8) }
        var parsed = 0
        for iteration in 0..<200_000 {
            let input = mutator.mutate(seeds[iteration % seeds.count])
            guard let value = try? JSONValue.parse(input) else { continue }
            parsed += 1
            let written = value.jsonBytes
            guard let again = try? JSONValue.parse(written) else {
                Issue.record("iteration \(iteration): what it wrote does not parse: \(String(decoding: written, as: UTF8.self))")
                continue
            }
            // Written again, it is the same text (non-finite doubles were written as null, by design).
            #expect(again.jsonBytes == written, "iteration \(iteration): \(String(decoding: input, as: UTF8.self))")
        }
        #expect(parsed > 5_000, "the mutations should leave many documents valid")
    }

    /// Nesting far beyond the limit is refused, not a stack overflow.
    @Test func deepNestingIsRefused() {
        for opener in ["[", "{\"a\":"] {
            let input = String(repeating: opener, count: 100_000)
            #expect(throws: JSONParseError.self) { try JSONValue.parse(input) }
        }
    }
}
