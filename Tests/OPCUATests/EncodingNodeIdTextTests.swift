import OPCUA
import Testing

/// The NodeId text form users put in connector configs (`ns=2;i=5`, `i=85`, `ns=1;s=Hello World`, ...).
@Suite struct EncodingNodeIdTextTests {
    @Test(arguments: [
        ("i=85", NodeId.numeric(85)),
        ("ns=2;i=5", NodeId.numeric(5, namespace: 2)),
        ("ns=1;s=Hello World", NodeId.string("Hello World", namespace: 1)),
        ("ns=3;s=a;b=c", NodeId.string("a;b=c", namespace: 3)),
        ("ns=1;b=AQID", NodeId.opaque([1, 2, 3], namespace: 1)),
        ("ns=2;g=09087E75-8E5E-499B-954F-F2A9603DB28A",
         NodeId.guid(Guid("09087e75-8e5e-499b-954f-f2a9603db28a")!, namespace: 2)),
    ])
    func parsesAndPrints(text: String, expected: NodeId) throws {
        #expect(try NodeId(parsing: text) == expected)
        #expect(expected.description == text)
        #expect(NodeId(text) == expected)
    }

    @Test func lowerCaseGuidParses() throws {
        #expect(try NodeId(parsing: "g=09087e75-8e5e-499b-954f-f2a9603db28a").namespace == 0)
    }

    @Test(arguments: [
        ("", "expected i=, s=, g= or b= identifier"),
        ("ns=2", "missing ';' after the namespace"),
        ("ns=x;i=5", "namespace \"x\" is not a number 0-65535"),
        ("ns=70000;i=5", "namespace \"70000\" is not a number 0-65535"),
        ("i=abc", "numeric identifier \"abc\" is not a UInt32"),
        ("i=-1", "numeric identifier \"-1\" is not a UInt32"),
        ("g=1234", "\"1234\" is not a GUID"),
        ("b=!!", "\"!!\" is not base64"),
        ("x=5", "unknown identifier type \"x\" (expected i, s, g or b)"),
        ("Temperature", "expected i=, s=, g= or b= identifier"),
    ])
    func rejectsWithAReason(text: String, message: String) {
        #expect(throws: NodeIdParseError(text: text, message: message)) { try NodeId(parsing: text) }
        #expect(NodeId(text) == nil)
    }

    @Test func errorDescriptionNamesTheInput() {
        let error = NodeIdParseError(text: "i=abc", message: "numeric identifier \"abc\" is not a UInt32")
        #expect(error.description == "invalid NodeId \"i=abc\": numeric identifier \"abc\" is not a UInt32")
    }
}
