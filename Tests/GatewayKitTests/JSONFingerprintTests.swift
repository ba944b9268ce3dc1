import Testing
import GatewayKit

@Suite struct JSONFingerprintTests {
    @Test func equivalentDocumentsShareAFingerprint() throws {
        let original = try JSONValue.parse(#"{"name":"m","devices":[{"port":502,"scale":1.5,"tags":["a","b"]}],"on":true,"x":null}"#)
        let reordered = try JSONValue.parse(#"{"x":null,"on":true,"devices":[{"tags":["a","b"],"scale":1.5,"port":502.0}],"name":"m"}"#)
        #expect(original.isEquivalent(to: reordered))
        #expect(JSONFingerprint(original) == JSONFingerprint(reordered))
    }

    @Test func anyChangeChangesTheFingerprint() throws {
        let base = #"{"name":"m","devices":[{"port":502,"scale":1.5,"tags":["a","b"]}],"on":true}"#
        let changed = [
            #"{"name":"n","devices":[{"port":502,"scale":1.5,"tags":["a","b"]}],"on":true}"#,
            #"{"name":"m","devices":[{"port":503,"scale":1.5,"tags":["a","b"]}],"on":true}"#,
            #"{"name":"m","devices":[{"port":502,"scale":1.25,"tags":["a","b"]}],"on":true}"#,
            #"{"name":"m","devices":[{"port":502,"scale":1.5,"tags":["b","a"]}],"on":true}"#,
            #"{"name":"m","devices":[{"port":502,"scale":1.5,"tags":["a","b"]}],"on":false}"#,
            #"{"name":"m","devices":[{"port":502,"scale":1.5,"tags":["a","b"]}],"on":true,"extra":null}"#,
            #"{"name":"m","devices":[{"port":"502","scale":1.5,"tags":["a","b"]}],"on":true}"#,
            #"{"name":"m","devices":[],"on":true}"#,
        ]
        let fingerprint = JSONFingerprint(try JSONValue.parse(base))
        for text in changed {
            #expect(JSONFingerprint(try JSONValue.parse(text)) != fingerprint, "\(text)")
        }
    }

    @Test func integersAboveInt64KeepTheirDigitsInTheFingerprint() throws {
        let fingerprint = { (text: String) throws -> JSONFingerprint in JSONFingerprint(try JSONValue.parse(text)) }
        #expect(try fingerprint(#"{"eui":18446744073709551615}"#) != fingerprint(#"{"eui":18446744073709551614}"#))
        #expect(try fingerprint(#"{"eui":12297829382473034410}"#) != fingerprint(#"{"eui":12297829382473034411}"#))
        // 2^63 is exactly a double: equivalent to its double spelling, as isEquivalent says.
        #expect(try JSONValue.parse("9223372036854775808").isEquivalent(to: .double(9_223_372_036_854_775_808)))
        #expect(try fingerprint("9223372036854775808") == fingerprint("9223372036854775808.0"))
        // Not equivalent to the double they round to: different fingerprints too.
        #expect(try !JSONValue.parse("18446744073709551615").isEquivalent(to: JSONValue.parse("18446744073709551615.0")))
        #expect(try fingerprint("18446744073709551615") != fingerprint("18446744073709551615.0"))
        #expect(try fingerprint("9223372036854775807") != fingerprint("9223372036854775807.0"))
    }

    @Test func nestingIsPartOfTheFingerprint() throws {
        // Same scalars in the same order, different shape.
        let flat = JSONFingerprint(try JSONValue.parse(#"[[1,2],[3]]"#))
        let other = JSONFingerprint(try JSONValue.parse(#"[[1],[2,3]]"#))
        #expect(flat != other)
    }
}
