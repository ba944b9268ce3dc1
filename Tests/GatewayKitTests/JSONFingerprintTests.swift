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

    @Test func nestingIsPartOfTheFingerprint() throws {
        // Same scalars in the same order, different shape.
        let flat = JSONFingerprint(try JSONValue.parse(#"[[1,2],[3]]"#))
        let other = JSONFingerprint(try JSONValue.parse(#"[[1],[2,3]]"#))
        #expect(flat != other)
    }
}
