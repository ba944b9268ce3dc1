import NIOCore
import OPCUA
import Testing

/// Variant (every built-in type, arrays, matrices), DataValue and DiagnosticInfo against asyncua's bytes.
@Suite struct EncodingVariantTests {
    typealias F = OPCUAFixtures

    @Test(arguments: [
        (F.variantBoolean, Variant.boolean(true)),
        (F.variantSByte, .sbyte(-5)),
        (F.variantByte, .byte(200)),
        (F.variantInt16, .int16(-300)),
        (F.variantUInt16, .uint16(60000)),
        (F.variantInt32, .int32(-70000)),
        (F.variantUInt32, .uint32(4_000_000_000)),
        (F.variantInt64, .int64(-5_000_000_000)),
        (F.variantUInt64, .uint64(18_000_000_000_000_000_000)),
        (F.variantFloat, .float(1.5)),
        (F.variantDouble, .double(-2.25)),
        (F.variantString, .string("héllo")),
        (F.variantDateTime, .dateTime(OPCUADateTime(ticks: F.ticks))),
        (F.variantGuid, .guid(Guid("09087e75-8e5e-499b-954f-f2a9603db28a")!)),
        (F.variantByteString, .byteString([0x00, 0xFF])),
        (F.variantXmlElement, .xmlElement("<a/>")),
        (F.variantNodeId, .nodeId(.string("Hello World", namespace: 1))),
        (F.variantExpandedNodeId, .expandedNodeId(ExpandedNodeId(nodeId: .numeric(5), namespaceURI: "urn:test", serverIndex: 3))),
        (F.variantStatusCode, .statusCode(.badNodeIdUnknown)),
        (F.variantQualifiedName, .qualifiedName(QualifiedName(namespace: 2, name: "Temperature"))),
        (F.variantLocalizedText, .localizedText(LocalizedText(locale: "de", text: "Hallo"))),
        (F.variantDataValue, .dataValue(DataValue(value: .int32(42), status: .good))),
        (F.variantDiagnosticInfo, .diagnosticInfo(DiagnosticInfo(symbolicId: 3, additionalInfo: "x"))),
        (F.variantNull, .null),
        (F.variantStringNull, .string(nil)),
    ])
    func scalarRoundTrips(hex: String, expected: Variant) throws {
        #expect(try CodecTest.roundTrip(Variant.self, hex) == expected)
        #expect(CodecTest.encode(expected) == hex)
    }

    @Test func extensionObjectInAVariantDecodesToItsStructure() throws {
        let variant = try CodecTest.roundTrip(Variant.self, F.variantExtensionObject)
        guard case .extensionObject(let object) = variant else {
            Issue.record("expected an ExtensionObject, got \(variant)")
            return
        }
        #expect(object.typeId == .numeric(ReadValueId.binaryEncodingId))
        let readValueId = try #require(try object.decode(as: ReadValueId.self))
        #expect(readValueId.nodeId == .numeric(5, namespace: 2))
        #expect(readValueId.attributeId == AttributeId.value)
        #expect(try object.decode(as: WriteValue.self) == nil)
        #expect(CodecTest.encode(Variant.extensionObject(ExtensionObject(readValueId))) == F.variantExtensionObject)
    }

    @Test func arraysKeepTheirElementType() throws {
        #expect(try CodecTest.roundTrip(Variant.self, F.variantInt32Array)
                == .array([.int32(1), .int32(-2), .int32(3)], of: .int32))
        let empty = try CodecTest.roundTrip(Variant.self, F.variantEmptyDoubleArray)
        #expect(empty == .array([], of: .double))
        #expect(empty.builtInType == .double && empty.isArray)
        #expect(try CodecTest.roundTrip(Variant.self, F.variantStringArray)
                == .array([.string("a"), .string(nil), .string("ccc")], of: .string))
    }

    @Test func matrixKeepsItsDimensions() throws {
        let matrix = try CodecTest.roundTrip(Variant.self, F.variantDoubleMatrix)
        #expect(matrix == .array(VariantArray(
            elementType: .double, elements: [1, 2, 3, 4, 5, 6].map { .double($0) }, dimensions: [2, 3])))
    }

    @Test func arrayOfVariantsHoldsMixedTypes() throws {
        #expect(try CodecTest.roundTrip(Variant.self, F.variantVariantArray)
                == .array([.int32(1), .string("two")], of: .variant))
    }

    @Test func dataValueFields() throws {
        let value = try CodecTest.roundTrip(DataValue.self, F.dataValueFull)
        #expect(value.value == .double(21.5))
        #expect(value.status == .uncertainLastUsableValue)
        #expect(value.sourceTimestamp == CodecTest.fixtureTime)
        #expect(value.serverTimestamp == CodecTest.fixtureTime)
        #expect(value.sourcePicoseconds == nil)
        #expect(DataValue().effectiveStatus == .good)
        #expect(CodecTest.encode(DataValue()) == "00")
    }

    /// Part 6 Table 23 order: source timestamp, source picoseconds, server timestamp, server picoseconds.
    /// (asyncua 2.1 writes these out of order, so these bytes come from the table, built from asyncua's pieces.)
    @Test func dataValuePicosecondsFollowTheirTimestamps() throws {
        let time = "0858b058283dda01"
        let hex = "3c" + time + "0a00" + time + "1400"
        let value = try CodecTest.roundTrip(DataValue.self, hex)
        #expect(value.sourceTimestamp == CodecTest.fixtureTime && value.sourcePicoseconds == 10)
        #expect(value.serverTimestamp == CodecTest.fixtureTime && value.serverPicoseconds == 20)
    }

    @Test func diagnosticInfoNestsRecursively() throws {
        let info = try CodecTest.roundTrip(DiagnosticInfo.self, F.diagnosticInfoNested)
        #expect(info.symbolicId == 1)
        #expect(info.namespaceURI == 2)
        #expect(info.additionalInfo == "outer")
        #expect(info.innerStatusCode == .badTimeout)
        let inner = try #require(info.innerDiagnosticInfo)
        #expect(inner.additionalInfo == "inner")
        #expect(inner.innerStatusCode == .badInternalError)
        #expect(inner.innerDiagnosticInfo == nil)
    }

    /// Part 6 Table 21: mask 0x04 is LocalizedText, 0x08 Locale; on the wire Locale comes first.
    @Test func diagnosticInfoLocaleAndLocalizedTextPerSpec() throws {
        let info = try CodecTest.roundTrip(DiagnosticInfo.self, "0c" + "05000000" + "07000000")
        #expect(info.locale == 5)
        #expect(info.localizedText == 7)
    }
}
