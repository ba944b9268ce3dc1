import NIOCore
import OPCUA
import Testing

/// Malformed input: truncations, hostile lengths, unknown tags, unbounded nesting. Each must throw an
/// `OPCUADecodingError` with a useful message, never crash and never allocate by a length it has not seen.
@Suite struct EncodingHostileInputTests {
    typealias F = OPCUAFixtures

    @Test func everyTruncationOfBuiltInsThrows() {
        CodecTest.expectEveryTruncationThrows(NodeId.self, F.nodeIdGuid)
        CodecTest.expectEveryTruncationThrows(ExpandedNodeId.self, F.expandedNodeIdFull)
        CodecTest.expectEveryTruncationThrows(Variant.self, F.variantDoubleMatrix)
        CodecTest.expectEveryTruncationThrows(Variant.self, F.variantExtensionObject)
        CodecTest.expectEveryTruncationThrows(Variant.self, F.variantVariantArray)
        CodecTest.expectEveryTruncationThrows(DataValue.self, F.dataValueFull)
        CodecTest.expectEveryTruncationThrows(DiagnosticInfo.self, F.diagnosticInfoNested)
        CodecTest.expectEveryTruncationThrows(LocalizedText.self, F.localizedText)
    }

    @Test func everyTruncationOfMessagesThrows() {
        CodecTest.expectEveryTruncationThrows(ReadResponse.self, String(F.readResponse.dropFirst(8)))
        CodecTest.expectEveryTruncationThrows(GetEndpointsResponse.self, String(F.getEndpointsResponse.dropFirst(8)))
        CodecTest.expectEveryTruncationThrows(PublishResponse.self, String(F.publishResponse.dropFirst(8)))
        CodecTest.expectEveryTruncationThrows(CreateSessionResponse.self, String(F.createSessionResponse.dropFirst(8)))
        CodecTest.expectEveryTruncationThrows(BrowseResponse.self, String(F.browseResponse.dropFirst(8)))
    }

    @Test func hostileArrayLengthIsRefusedBeforeAllocating() {
        // Int32 array of 2^31-1 elements with 4 bytes behind it.
        var reader = OPCUABinaryReader(CodecTest.buffer("ffffff7f01000000"))
        #expect(throws: OPCUADecodingError("array of UInt32 claims 2147483647 elements but only 4 bytes remain")) {
            _ = try reader.read([UInt32].self)
        }
        // The same inside a Variant and a String.
        #expect(throws: OPCUADecodingError.self) { try CodecTest.decode(Variant.self, "86ffffff7f00") }
        #expect(throws: OPCUADecodingError("String length 1000 exceeds the 3 bytes left")) {
            try CodecTest.decode(String.self, "e8030000616263")
        }
        // Negative lengths other than -1 are malformed, not null.
        #expect(throws: OPCUADecodingError("ByteString has negative length -2")) {
            try CodecTest.decode([UInt8].self, "feffffff")
        }
    }

    @Test func unknownTagsAreNamed() {
        #expect(throws: OPCUADecodingError("unknown NodeId encoding byte 0x7")) {
            try CodecTest.decode(NodeId.self, "0700")
        }
        #expect(throws: OPCUADecodingError("Variant has unknown built-in type 26")) {
            try CodecTest.decode(Variant.self, "1a")
        }
        #expect(throws: OPCUADecodingError.self) { try CodecTest.decode(ExtensionObject.self, "000003") }
        #expect(throws: OPCUADecodingError("7 is not a valid NodeClass")) {
            try CodecTest.decode(NodeClass.self, "07000000")
        }
        #expect(throws: OPCUADecodingError("Variant matrix dimensions [2, 2] do not match 3 elements")) {
            try CodecTest.decode(Variant.self, "c603000000010000000200000003000000020000000200000002000000")
        }
    }

    @Test func deepVariantNestingIsCapped() throws {
        // A Variant array of one Variant, 200 levels deep: each level is 0x98 + count 1.
        let level = "9801000000"
        let hostile = String(repeating: level, count: 200) + "0601000000"
        #expect(throws: OPCUADecodingError("Variant nested deeper than 64 levels")) {
            try CodecTest.decode(Variant.self, hostile)
        }
        // 30 levels is legitimate and decodes.
        var value = try CodecTest.roundTrip(Variant.self, String(repeating: level, count: 30) + "0601000000")
        var depth = 0
        while case .array(let array) = value, let first = array.elements.first {
            value = first
            depth += 1
        }
        #expect(depth == 30 && value == .int32(1))
    }

    @Test func deepDiagnosticInfoAndDataValueNestingIsCapped() {
        let diagnostics = String(repeating: "40", count: 100) + "00"
        #expect(throws: OPCUADecodingError("DiagnosticInfo nested deeper than 64 levels")) {
            try CodecTest.decode(DiagnosticInfo.self, diagnostics)
        }
        // DataValue holding a Variant holding a DataValue ... (mask 01, type 0x17).
        let dataValues = String(repeating: "0117", count: 100) + "00"
        #expect(throws: OPCUADecodingError.self) { try CodecTest.decode(DataValue.self, dataValues) }
    }

    @Test func maxDepthIsConfigurable() throws {
        var reader = OPCUABinaryReader(CodecTest.buffer(String(repeating: "9801000000", count: 10) + "00"), maxDepth: 5)
        #expect(throws: OPCUADecodingError("Variant nested deeper than 5 levels")) { _ = try reader.read(Variant.self) }
    }

    @Test func unexpectedServiceResponseIsAnError() throws {
        var reader = OPCUABinaryReader(CodecTest.buffer(F.readResponse))
        #expect(throws: OPCUADecodingError("expected WriteResponse (i=676) or ServiceFault, got message i=634")) {
            _ = try OPCUAServiceMessage.decode(WriteResponse.self, from: &reader)
        }
    }
}
