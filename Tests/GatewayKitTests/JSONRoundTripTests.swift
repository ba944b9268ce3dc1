import Testing
@testable import GatewayKit

@Suite struct JSONRoundTripTests {
    @Test func parsesEveryKindAndWritesItBackCompactly() throws {
        let text = #"{"a":1,"b":-2.5,"c":"x\"y\\z\n","d":[true,false,null],"e":{"f":[]},"g":1e3,"h":9223372036854775807,"i":12345678901234567890}"#
        let value = try JSONValue.parse(text)
        #expect(value["a"] == .int(1))
        #expect(value["b"] == .double(-2.5))
        #expect(value["c"] == .string("x\"y\\z\n"))
        #expect(value["d"] == [true, false, nil])
        #expect(value["g"] == .double(1000))
        #expect(value["h"] == .int(Int64.max))
        #expect(value["i"] == .uint(12_345_678_901_234_567_890))
        #expect(value.jsonString == #"{"a":1,"b":-2.5,"c":"x\"y\\z\n","d":[true,false,null],"e":{"f":[]},"g":1000.0,"h":9223372036854775807,"i":12345678901234567890}"#)
        #expect(try JSONValue.parse(value.jsonString) == value)
    }

    @Test func integersKeepEveryDigitFromInt64MinToUInt64Max() throws {
        #expect(try JSONValue.parse("-3766759526339565247") == .int(-3_766_759_526_339_565_247))
        #expect(try JSONValue.parse("-9223372036854775808") == .int(.min))
        #expect(try JSONValue.parse("9223372036854775807") == .int(.max))
        // Above Int64 up to 2^64 − 1 (a 64-bit EUI sent as a number): the digits, as the reference keeps them.
        #expect(try JSONValue.parse("9223372036854775808") == .uint(9_223_372_036_854_775_808))
        #expect(try JSONValue.parse("18446744073709551615") == .uint(.max))
        for digits in ["9223372036854775808", "12297829382473034410", "18446744073709551615"] {
            #expect(try JSONValue.parse(digits).jsonString == digits)
            #expect(try JSONValue.parse("[\(digits),-1]").jsonString == "[\(digits),-1]")
        }
        // Beyond those: a double, as any JSON reader without big integers does (and the reference).
        #expect(try JSONValue.parse("18446744073709551616") == .double(18_446_744_073_709_551_616))
        #expect(try JSONValue.parse("-9223372036854775809") == .double(-9_223_372_036_854_775_809))
        #expect(try JSONValue.parse("123456789012345678901") == .double(123_456_789_012_345_678_901))
        // One spelling per number: `integer` picks `.int` whenever the value fits.
        #expect(JSONValue.integer(5) == .int(5))
        #expect(JSONValue.integer(UInt64(Int64.max)) == .int(.max))
        #expect(JSONValue.integer(UInt64(Int64.max) + 1) == .uint(UInt64(Int64.max) + 1))
        #expect(JSONValue.uint(.max).doubleValue == 1.8446744073709552e19)  // rounded up to 2^64
        #expect(JSONValue.uint(.max).intValue == nil)
    }

    @Test func equivalenceIgnoresKeyOrderAndNumberSpelling() throws {
        let a = try JSONValue.parse(#"{"a": 1, "b": {"x": [1, 2.5], "y": null}}"#)
        let b = try JSONValue.parse(#"{"b": {"y": null, "x": [1.0, 2.5]}, "a": 1}"#)
        #expect(a != b)
        #expect(a.isEquivalent(to: b))
        #expect(!a.isEquivalent(to: try JSONValue.parse(#"{"a": 1, "b": {"x": [2.5, 1], "y": null}}"#)))
        #expect(!a.isEquivalent(to: try JSONValue.parse(#"{"a": 1}"#)))
        #expect(!JSONValue.string("1").isEquivalent(to: .int(1)))
        // Numbers compare exactly, as in Python: the double a large integer rounds to is another number.
        #expect(!JSONValue.int(.max).isEquivalent(to: .double(9.223372036854775807e18)))
        #expect(!JSONValue.uint(.max).isEquivalent(to: .double(1.8446744073709552e19)))
        #expect(JSONValue.uint(1 << 63).isEquivalent(to: .double(9.223372036854775808e18)))
        #expect(JSONValue.int(-(1 << 53)).isEquivalent(to: .double(-9_007_199_254_740_992)))
    }

    @Test func integersFromBitsAndWholeDoubles() {
        #expect(JSONValue.integer(bits: 0xFFFE, width: 16, signed: true) == .int(-2))
        #expect(JSONValue.integer(bits: 0xFFFE, width: 16, signed: false) == .int(65534))
        #expect(JSONValue.integer(bits: 0x7FFF, width: 16, signed: true) == .int(32767))
        #expect(JSONValue.integer(bits: .max, width: 64, signed: true) == .int(-1))
        #expect(JSONValue.integer(bits: .max, width: 64, signed: false) == .uint(.max))
        #expect(JSONValue.integer(exactly: -3.0) == .int(-3))
        #expect(JSONValue.integer(exactly: 1e19) == .uint(10_000_000_000_000_000_000))
        #expect(JSONValue.integer(exactly: 2.5) == nil)
        #expect(JSONValue.integer(exactly: 1e20) == nil)
        #expect(JSONValue.integer(exactly: .nan) == nil)
    }

    @Test func integersMultiplyExactlyOverTheWholeRange() {
        #expect(JSONValue.int(-3).multipliedExactly(by: 4) == .int(-12))
        #expect(JSONValue.int(-3).multipliedExactly(by: -4) == .int(12))
        #expect(JSONValue.int(0).multipliedExactly(by: -5) == .int(0))
        #expect(JSONValue.int(5_000_000_000_000_000_000).multipliedExactly(by: 2) == .uint(10_000_000_000_000_000_000))
        #expect(JSONValue.int(-5_000_000_000_000_000_000).multipliedExactly(by: 2) == nil)
        #expect(JSONValue.int(.min).multipliedExactly(by: 1) == .int(.min))
        #expect(JSONValue.int(.min).multipliedExactly(by: -1) == .uint(1 << 63))
        #expect(JSONValue.uint(1 << 63).multipliedExactly(by: -1) == .int(.min))
        #expect(JSONValue.uint(.max).multipliedExactly(by: 1) == .uint(.max))
        #expect(JSONValue.uint(.max).multipliedExactly(by: 2) == nil)
        #expect(JSONValue.double(2).multipliedExactly(by: 2) == nil)
    }

    @Test func unicodeEscapesAndSurrogatePairs() throws {
        #expect(try JSONValue.parse(#""\u00e9\ud83d\ude00 é""#) == .string("é😀 é"))
        #expect(throws: JSONParseError.self) { try JSONValue.parse(#""\ud83d""#) }
    }

    @Test func invalidInputNamesTheOffset() {
        for (text, offset) in [("{\"a\":}", 5), ("[1,2", 4), ("{\"a\" 1}", 5), ("tru", 0), ("01", 1), ("\"abc", 4), ("{} x", 3)] {
            #expect(throws: JSONParseError.self) { try JSONValue.parse(text) }
            do {
                _ = try JSONValue.parse(text)
            } catch {
                #expect(error.offset == offset, "\(text)")
            }
        }
    }

    @Test func refusesHostileNesting() {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(throws: JSONParseError.self) { try JSONValue.parse(deep) }
    }

    @Test func storedEventRoundTripsAndLegacyShapesAreRead() throws {
        let data = ConvertedData(deviceName: "Dev A", deviceType: "meter",
                                 telemetry: [TelemetryEntry(ts: 1_700_000_000_000, values: ["t": 21.5, "n": 3])],
                                 attributes: ["fw": "1.0"])
        let event = StoredEvent(data)
        #expect(event.text == #"{"deviceName":"Dev A","deviceType":"meter","telemetry":[{"ts":1700000000000,"values":{"t":21.5,"n":3}}],"attributes":{"fw":"1.0"}}"#)
        #expect(try event.decode(now: 0) == data)

        let legacy = StoredEvent(bytes: Array(#"{"deviceName":"D","telemetry":[{"k":1}],"attributes":[{"a":1},{"b":2}]}"#.utf8))
        let decoded = try legacy.decode(now: 77)
        #expect(decoded.deviceType == "default")
        #expect(decoded.telemetry == [TelemetryEntry(ts: 77, values: ["k": 1])])
        #expect(decoded.attributes == ["a": 1, "b": 2])
        #expect(throws: StoredEvent.DecodingError.self) { try StoredEvent(bytes: Array("{}".utf8)).decode(now: 0) }
    }
}
