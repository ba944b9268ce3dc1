import NIOCore
import OPCUA
import Testing

/// Built-in types against golden bytes from asyncua's encoder (EncodingFixtures.swift).
@Suite struct EncodingBuiltInTests {
    typealias F = OPCUAFixtures

    @Test func nodeIdUsesEachOfTheSixEncodings() throws {
        #expect(try CodecTest.roundTrip(NodeId.self, F.nodeIdTwoByte) == .numeric(85))
        #expect(F.nodeIdTwoByte == "0055")
        #expect(try CodecTest.roundTrip(NodeId.self, F.nodeIdFourByte) == .numeric(1025, namespace: 2))
        #expect(F.nodeIdFourByte.hasPrefix("01"))
        #expect(try CodecTest.roundTrip(NodeId.self, F.nodeIdNumeric) == .numeric(70000, namespace: 300))
        #expect(F.nodeIdNumeric.hasPrefix("02"))
        #expect(try CodecTest.roundTrip(NodeId.self, F.nodeIdString) == .string("Hello World", namespace: 1))
        let guid = try #require(Guid("09087e75-8e5e-499b-954f-f2a9603db28a"))
        #expect(try CodecTest.roundTrip(NodeId.self, F.nodeIdGuid) == .guid(guid, namespace: 2))
        #expect(try CodecTest.roundTrip(NodeId.self, F.nodeIdOpaque) == .opaque([1, 2, 3], namespace: 1))
    }

    @Test func expandedNodeIdCarriesNamespaceURIAndServerIndex() throws {
        let id = try CodecTest.roundTrip(ExpandedNodeId.self, F.expandedNodeIdFull)
        #expect(id.nodeId == .numeric(5))
        #expect(id.namespaceURI == "urn:test")
        #expect(id.serverIndex == 3)
        // Without the flags an ExpandedNodeId is byte-identical to its NodeId.
        #expect(CodecTest.encode(ExpandedNodeId(nodeId: .numeric(85))) == F.nodeIdTwoByte)
    }

    @Test func nodeIdRefusesExpandedFlags() throws {
        #expect(throws: OPCUADecodingError.self) { try CodecTest.decode(NodeId.self, F.expandedNodeIdFull) }
        #expect(throws: OPCUADecodingError.self) { try CodecTest.decode(NodeId.self, "0600") }
    }

    @Test func localizedTextAndQualifiedName() throws {
        #expect(try CodecTest.roundTrip(LocalizedText.self, F.localizedText) == LocalizedText(locale: "de", text: "Hallo"))
        #expect(try CodecTest.roundTrip(LocalizedText.self, F.localizedTextOnlyText) == LocalizedText(text: "Hi"))
        let name = try CodecTest.roundTrip(QualifiedName.self, F.qualifiedName)
        #expect(name == QualifiedName(namespace: 2, name: "Temperature"))
        #expect(name.description == "2:Temperature")
    }

    @Test func dateTimeIsTicksSince1601() throws {
        let time = try CodecTest.roundTrip(OPCUADateTime.self, F.dateTime)
        #expect(time.ticks == F.ticks)
        #expect(time.unixMilliseconds == 1_704_164_645_678)  // 2024-01-02T03:04:05.678Z
        #expect(OPCUADateTime(unixMilliseconds: 1_704_164_645_678).unixMilliseconds == 1_704_164_645_678)
        #expect(OPCUADateTime(date: time.date) == time)
    }

    @Test func stringsKeepNullAndUTF8() throws {
        #expect(F.stringNull == "ffffffff")
        #expect(try CodecTest.roundTrip(String?.self, F.stringNull) == nil)
        #expect(try CodecTest.decode(String.self, F.stringNull) == "")
        #expect(try CodecTest.roundTrip(String?.self, F.stringUnicode) == "Grüße ✓")
        #expect(CodecTest.encode("" as String?) == "00000000")
    }

    @Test func byteStringsAndArraysKeepNull() throws {
        #expect(CodecTest.encode(nil as [UInt8]?) == "ffffffff")
        #expect(CodecTest.encode([0xAB, 0xCD] as [UInt8]) == "02000000abcd")
        #expect(try CodecTest.roundTrip([UInt8]?.self, "ffffffff") == nil)
        #expect(try CodecTest.roundTrip([UInt32].self, "020000000100000002000000") == [1, 2])
        #expect(try CodecTest.decode([UInt32].self, "ffffffff") == [])
        #expect(try CodecTest.roundTrip([String]?.self, "ffffffff") == nil)
    }

    @Test func statusCodeSeverityAndNames() {
        #expect(StatusCode.good.isGood)
        #expect(StatusCode.badNodeIdUnknown.isBad && !StatusCode.badNodeIdUnknown.isGood)
        #expect(StatusCode.uncertainLastUsableValue.isUncertain)
        #expect(StatusCode.badNodeIdUnknown.description == "BadNodeIdUnknown (0x80340000)")
        // Info bits (here: overflow + data value info type) do not hide the name.
        #expect(StatusCode(rawValue: 0x0000_0480).name == "Good")
        #expect(StatusCode(rawValue: 0x8FFF_0000).description == "0x8FFF0000")
    }

    @Test func guidTextForm() throws {
        let guid = try #require(Guid("{09087E75-8E5E-499B-954F-F2A9603DB28A}"))
        #expect(guid.description == "09087E75-8E5E-499B-954F-F2A9603DB28A")
        #expect(Guid("09087e75-8e5e-499b-954f-f2a9603db28") == nil)
        #expect(Guid("09087e75x8e5e-499b-954f-f2a9603db28a") == nil)
        #expect(Guid("g9087e75-8e5e-499b-954f-f2a9603db28a") == nil)
    }
}
