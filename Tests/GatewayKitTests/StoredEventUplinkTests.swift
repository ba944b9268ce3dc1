import Testing
@testable import GatewayKit

/// Reading stored events for publishing without parsing their telemetry: the result must be what
/// the full parse gives, for every shape, and corrupt bytes must never reach the wire.
@Suite struct StoredEventUplinkTests {
    static let samples: [ConvertedData] = [
        ConvertedData(deviceName: "Dev A", deviceType: "meter",
                      telemetry: [TelemetryEntry(ts: 1_700_000_000_000, values: ["t": 21.5, "n": 3]),
                                  TelemetryEntry(ts: -5, values: [:]),
                                  TelemetryEntry(ts: 1_700_000_000_001, values: ["s": "x\"y\\z\n\u{1}", "b": true, "z": nil])],
                      attributes: ["fw": "1.0", "cfg": ["a": [1, 2.5, ["deep": []]]]]),
        ConvertedData(deviceName: "Ünïcødé \"quoted\" 🌡", deviceType: "tÿpe",
                      telemetry: [TelemetryEntry(ts: 0, values: ["°C": 1e300, "neg": -0.001, "big": .int(.max), "small": .int(.min)])]),
        ConvertedData(deviceName: "attributes only", attributes: ["a": 1]),
        ConvertedData(deviceName: "nothing"),
    ]

    @Test func theWrittenFormIsReadWithoutParsingAndMatchesTheFullParse() throws {
        for data in Self.samples {
            let event = StoredEvent(data)
            let scanned = try #require(event.scanWrittenForm(), "written form not recognised: \(event.text)")
            #expect(scanned == UplinkEvent(try event.decode(now: 0)))
            #expect(scanned.datapointCount == data.datapointCount)
            // Each item is exactly the stored entry, and the stored entry is what the writer produced.
            for (item, entry) in zip(scanned.telemetry, data.telemetry.filter { !$0.values.isEmpty }) {
                #expect(Array(item.item) == UplinkTelemetry.encode(ts: entry.ts!, values: entry.values))
                #expect(item.values() == entry.values)
            }
        }
    }

    @Test func otherShapesFallBackToTheFullParse() throws {
        let shapes = [
            #"{"deviceName":"D","telemetry":[{"k":1}],"attributes":[{"a":1},{"b":2}]}"#,  // legacy
            #"{"deviceName": "D", "deviceType": "t", "telemetry": [{"ts": 1, "values": {"k": 1}}], "attributes": {}}"#,  // spaced
            #"{"deviceName":"D","deviceType":"t","telemetry":[{"values":{"k":1}}],"attributes":{}}"#,  // no ts
            #"{"deviceName":"D","deviceType":"t","telemetry":[{"ts":1.5,"values":{"k":1}}],"attributes":{}}"#,  // odd ts
            #"{"deviceName":"D","deviceType":"t","telemetry":{"ts":1,"values":{"k":1}},"attributes":{}}"#,  // single entry
            #"{"deviceType":"t","deviceName":"D","telemetry":[],"attributes":{"a":1}}"#,  // other key order
        ]
        for text in shapes {
            let event = StoredEvent(bytes: Array(text.utf8))
            #expect(event.scanWrittenForm() == nil, "\(text)")
            #expect(try event.uplinkEvent(now: 77) == UplinkEvent(try event.decode(now: 77)))
        }
    }

    @Test func corruptEventsAreRefusedNotPublished() {
        let corrupt = [
            #"{"deviceName":"D","deviceType":"t","telemetry":[{"ts":1,"values":{"k":tru}}],"attributes":{}}"#,
            #"{"deviceName":"D","deviceType":"t","telemetry":[{"ts":1,"values":{"k":01}}],"attributes":{}}"#,
            #"{"deviceName":"D","deviceType":"t","telemetry":[{"ts":1,"values":{"k":"\q"}}],"attributes":{}}"#,
            #"{"deviceName":"D","deviceType":"t","telemetry":[{"ts":1,"values":{"k":1,}}],"attributes":{}}"#,
            #"{"deviceName":"","deviceType":"t","telemetry":[],"attributes":{}}"#,
            #"{"deviceName":"D","deviceType":"t","telemetry":[{"ts":1,"values":{"k":1}}],"attributes":{}}x"#,
        ]
        for text in corrupt {
            #expect(throws: StoredEvent.DecodingError.self, "\(text)") { try StoredEvent(bytes: Array(text.utf8)).uplinkEvent(now: 0) }
        }
        // Invalid UTF-8 inside a value.
        var bytes = Array(#"{"deviceName":"D","deviceType":"t","telemetry":[{"ts":1,"values":{"k":"ab"}}],"attributes":{}}"#.utf8)
        bytes[bytes.firstIndex(of: UInt8(ascii: "b"))!] = 0xFF
        #expect(throws: StoredEvent.DecodingError.self) { try StoredEvent(bytes: bytes).uplinkEvent(now: 0) }
    }

    @Test func everyTruncationOfAWrittenEventIsRefused() {
        let whole = StoredEvent(Self.samples[0]).bytes
        for length in 0..<whole.count {
            #expect(throws: StoredEvent.DecodingError.self, "length \(length)") {
                try StoredEvent(bytes: Array(whole[..<length])).uplinkEvent(now: 0)
            }
        }
    }

    @Test func skippingAcceptsExactlyWhatParsingAccepts() {
        let texts = [
            "1", "-0", "01", "1.", "-", "1e", "1e+5", "1.5E-3", "2.", ".5", "true", "tru", "nul", "null",
            #""abc""#, #""a\u00e9""#, #""\ud83c\udf21""#, #""\ud83c""#, #""\udf21x""#, #""\x""#, "\"a\u{1}\"",
            "[]", "[1,]", "[1 , 2 ]", "{}", #"{"a":1}"#, #"{"a" : [1, {"b": null}] }"#, #"{"a":1,}"#, #"{a:1}"#,
            #"{"a":1 "b":2}"#, "[", "{", #"{"a""#, "\"unterminated",
            String(repeating: "[", count: 600) + String(repeating: "]", count: 600),
        ]
        for text in texts {
            let parses = (try? JSONValue.parse(text)) != nil
            var copy = text
            let skips = copy.withUTF8 { utf8 in
                var scanner = JSONByteParser(bytes: UnsafeRawBufferPointer(utf8))
                do {
                    try scanner.skipValue(depth: 0)
                    return scanner.index == utf8.count
                } catch {
                    return false
                }
            }
            #expect(parses == skips, "\(text)")
        }
    }

    @Test func objectsReportTheirMemberCount() throws {
        var text = #"{"a":{"x":1,"y":2},"b":[1,2,3],"c":"}"}"#
        let count = try text.withUTF8 { utf8 in
            var scanner = JSONByteParser(bytes: UnsafeRawBufferPointer(utf8))
            return try scanner.skipObject(depth: 1)
        }
        #expect(count == 3)
    }
}
